"""What each stage of the course holds for one trainee: its modules and its role-plays, each
open or locked, and assigned (with its due date) when a manager asked for it.

Role-plays are listed by the stage their scenario names, not only through the modules that
list them, so a scenario published from the studio appears in its stage at once. Work a
manager assigned is open whatever the stage (see learning/stage_locks.py): here is the one rule that
says what an assignment opens."""

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.services import publishing
from app.services.assignments.effective import EffectiveAssignment
from app.services.progress import CourseProgress, ModuleProgress, StageProgress


@dataclass
class ModuleRow:
    progress: ModuleProgress
    open: bool
    assignment: EffectiveAssignment | None = None  # when assigned


@dataclass
class RolePlayRow:
    slug: str
    title: str
    open: bool
    assignment: EffectiveAssignment | None = None
    best: int | None = None
    passed: bool = False
    attempts: int = 0
    module: str | None = None  # the first module that lists it


@dataclass
class StageRow:
    stage: StageProgress
    modules: list[ModuleRow] = field(default_factory=list)
    role_plays: list[RolePlayRow] = field(default_factory=list)

    @property
    def opened_by_assignment(self) -> bool:
        """A locked stage with assigned work in it: the trainee may start that work now."""
        return not self.stage.unlocked and any(r.open for r in self.modules + self.role_plays)


def opened_by_assignment(
    targets: Container[tuple[str, str]],
    progress: CourseProgress | None,
    module_id: str | None = None,
    scenario_id: str | None = None,
) -> bool:
    """Does an assignment open this module or scenario whatever its stage? `targets` holds
    (kind, slug) of the trainee's assignments. A scenario is open when it, or a module that
    lists it, is assigned; a course assignment opens nothing early (it is the sequence)."""
    if module_id and ("module", module_id) in targets:
        return True
    if scenario_id:
        if ("scenario", scenario_id) in targets:
            return True
        return any(
            ("module", m.id) in targets
            for s in (progress.stages if progress else [])
            for m in s.modules
            if scenario_id in m.scenarios
        )
    return False


def role_plays_by_stage(course_id: str) -> dict[str, list[tuple[str, str]]]:
    """{stage id: [(slug, title)]}: every published scenario of the course in the stage it names."""
    out: dict[str, list[tuple[str, str]]] = {}
    # the request's light rows of every published version (the outline reads them), by slug
    rows = sorted(publishing.published_rows(), key=lambda row: row.slug)
    for version_id, _kind, slug, _title, _sha in (row for row in rows if row.kind == "scenario"):
        scenario = publishing.value_by_id(version_id)
        if scenario is not None and scenario.course == course_id:
            out.setdefault(scenario.stage, []).append((slug, scenario.title or slug))
    return out


def stage_rows(
    progress: CourseProgress | None,
    assigned: Iterable[EffectiveAssignment],
    best: Mapping[str, Mapping[str, Any]],
    titles: Mapping[str, str] | None = None,
) -> list[StageRow]:
    """The stages of `progress` with their modules and role-plays for one trainee. `assigned`
    is the trainee's effective assignments (effective.effective_assignments), `best` their
    best scores by scenario (role_plays.best_scores), `titles` the role-plays' titles in the
    reader's language (published.scenario_titles) when not the published ones."""
    if progress is None:
        return []
    by_target = {(a.kind, a.slug): a for a in assigned}
    listed_in: dict[str, ModuleProgress] = {}
    for stage in progress.stages:
        for module in stage.modules:
            for slug in module.scenarios:
                listed_in.setdefault(slug, module)
    rows: list[StageRow] = []
    published = role_plays_by_stage(progress.id)
    for stage in progress.stages:
        row = StageRow(stage)
        for module in stage.modules:
            row.modules.append(
                ModuleRow(
                    module,
                    stage.unlocked or opened_by_assignment(by_target, progress, module.id),
                    by_target.get(("module", module.id)),
                )
            )
        # in the order the stage's modules list them, then the others by title
        order = {slug: i for i, slug in enumerate(s for m in stage.modules for s in m.scenarios)}
        for slug, title in sorted(
            published.get(stage.id, []), key=lambda st: (order.get(st[0], len(order)), st[1].lower())
        ):
            score = best.get(slug) or {}
            listing = listed_in.get(slug)
            row.role_plays.append(
                RolePlayRow(
                    slug,
                    (titles or {}).get(slug, title),
                    stage.unlocked or opened_by_assignment(by_target, progress, scenario_id=slug),
                    by_target.get(("scenario", slug))
                    or (by_target.get(("module", listing.id)) if listing else None),
                    score.get("best"),
                    bool(score.get("passed")),
                    score.get("attempts", 0),
                    listing.id if listing else None,
                )
            )
        rows.append(row)
    return rows
