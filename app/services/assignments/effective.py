"""Which assignment counts for a trainee: the active ones given to the trainee or to the
trainee's team; when both name the same target, the one given to the trainee wins (it is the
later, more specific decision: "Tom gets two more weeks")."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, exists, or_, select

from app import formats
from app.extensions import db
from app.models import Assignment, ScenarioAttempt, User
from app.models.learning import counts_as_pass
from app.services import progress as progress_service
from app.services import publishing
from app.services.assignments import assignment_targets, team_assignments
from app.services.outline import load_outline
from app.services.progress import CourseProgress


@dataclass(slots=True)
class EffectiveAssignment:
    id: int
    kind: str
    slug: str
    title: str
    due: date | None
    overdue: bool
    done: bool
    from_team: bool  # given to the whole team (False: given to this trainee)
    assigned_at: datetime | None = None

    @property
    def kind_label(self) -> str:
        return assignment_targets.kind_label(self.kind)

    @property
    def days_left(self) -> int | None:
        return (self.due - formats.today()).days if self.due else None


class Trainee(Protocol):
    """What the resolver reads of a trainee: a User, or the dashboard's light row."""

    @property
    def id(self) -> int: ...
    @property
    def team_id(self) -> int | None: ...
    @property
    def hire_date(self) -> date | None: ...


IsDone = Callable[[str, str], object]  # (kind, slug) -> done? (truthy)


def resolve(
    trainee: Trainee,
    assignments: Iterable[Any],
    is_done: IsDone,
    titles: Mapping[tuple[str, str], str | None],
    today: date | None = None,
) -> list[EffectiveAssignment]:
    """The assignments that count for one trainee, from the active ones of the trainee and the
    team (pure: no database). `is_done(kind, slug) -> bool`; `titles` {(kind, slug): title}.
    Overdue first, then by date."""
    return Resolver(assignments, titles, today).for_trainee(trainee, is_done)


# (id, kind, slug, title, fixed due date, days after hire, from team, assigned at)
_Entry = tuple[int, str, str, str, date | None, timedelta | None, bool, datetime | None]


class Resolver:
    """resolve() for many trainees over the same assignments (the manager's dashboard): which
    assignment counts for a target is decided once per team, then per trainee only the
    trainee's own assignments, due dates and done are looked at."""

    def __init__(
        self,
        assignments: Iterable[Any],  # Assignment rows, or rows of their columns (oldest first)
        titles: Mapping[tuple[str, str], str | None],
        today: date | None = None,
    ) -> None:
        self.today = today or formats.today()
        self.by_team: dict[int | None, dict[tuple[str, str], _Entry]] = {}
        self.own: dict[int, dict[tuple[str, str], _Entry]] = {}
        for a in assignments:  # oldest first
            if a.cancelled_at is not None:
                continue
            key = (a.target_kind, a.target_slug)
            title = titles.get(key) or a.target_slug
            entry: _Entry = (
                a.id,
                a.target_kind,
                a.target_slug,
                title,
                a.due_date,
                timedelta(days=a.due_days_after_hire) if a.due_days_after_hire is not None else None,
                a.user_id is None,
                a.created_at,
            )
            if a.user_id is not None:
                self.own.setdefault(a.user_id, {})[key] = entry  # the trainee's own wins, the latest of them
            elif a.team_id is not None:
                chosen = self.by_team.setdefault(a.team_id, {})
                if key not in chosen or a.id > chosen[key][0]:
                    chosen[key] = entry

    def _counting(
        self, trainee: Trainee, is_done: IsDone
    ) -> Iterator[tuple[_Entry, date | None, bool, bool]]:
        """(assignment, due date, overdue, done) for each assignment that counts for the trainee."""
        chosen = self.by_team.get(trainee.team_id, {})
        own = self.own.get(trainee.id)
        if own:
            chosen = {**chosen, **own}
        today, hire_date = self.today, trainee.hire_date
        for entry in chosen.values():
            fixed, after_hire = entry[4], entry[5]
            due = (
                fixed
                if fixed is not None
                else (hire_date + after_hire if after_hire is not None and hire_date else None)
            )
            done = bool(is_done(entry[1], entry[2]))
            yield entry, due, bool(due and due < today and not done), done

    def for_trainee(self, trainee: Trainee, is_done: IsDone) -> list[EffectiveAssignment]:
        out = []
        for entry, due, overdue, done in self._counting(trainee, is_done):
            a_id, kind, slug, title, _fixed, _after_hire, from_team, assigned_at = entry
            out.append(
                EffectiveAssignment(a_id, kind, slug, title, due, overdue, done, from_team, assigned_at)
            )
        if len(out) > 1:
            out.sort(key=lambda e: (e.done, not e.overdue, e.due or date.max, e.title.lower()))
        return out

    def standing(self, trainee: Trainee, is_done: IsDone) -> "Standing":
        """What for_trainee's assignments say in three figures, without making them (the team
        dashboard counts and sorts every trainee, and shows a page of them)."""
        late, oldest_late, next_due = 0, date.max, None
        for _entry, due, overdue, done in self._counting(trainee, is_done):
            if overdue:
                late += 1
                oldest_late = min(oldest_late, due or date.max)
            if not done and due and (next_due is None or due < next_due):
                next_due = due
        return Standing(late, oldest_late, next_due)


class Standing(NamedTuple):
    late: int  # assignments overdue
    oldest_late: date  # the earliest due date of those (date.max: none)
    next_due: date | None  # the earliest due date of those not done


# The dashboard's two reads, built once, not per request (building and keying a statement
# cost more CPU than running it). The assignments as rows of the columns Resolver reads: no ORM
# object to build for each (27 in the capacity benchmark).
_ACTIVE_FOR = select(*team_assignments.RESOLVED_COLUMNS).where(
    Assignment.cancelled_at.is_(None),
    or_(Assignment.user_id == bindparam("user_id"), Assignment.team_id == bindparam("team_id")),
)
_PASSED_AMONG = (
    select(ScenarioAttempt.scenario_slug)
    .where(
        ScenarioAttempt.user_id == bindparam("user_id"),
        ScenarioAttempt.scenario_slug.in_(bindparam("slugs", expanding=True)),
        counts_as_pass(),
    )
    .distinct()
)


def effective_assignments(
    user: User,
    today: date | None = None,
    progress: CourseProgress | None = None,
    language: str | None = None,
    best: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[EffectiveAssignment]:
    """For one trainee: the active assignments that count, each with target kind, slug and
    title, due date (absolute or hire date + days), overdue and done (done by the completion
    rules of progress.py; a scenario is done when passed once). Overdue first. `progress`: the
    trainee's progress through a course, already read by the page (not folded again);
    `language`: the reader's, for the titles (translated where a translation is live); `best`:
    the trainee's best scores (role_plays.best_scores, whose "passed" is counts_as_pass), already
    read by the page (the passes are not read again)."""
    # a trainee with no team: team_id = NULL matches no row
    assignments = db.session.execute(_ACTIVE_FOR, {"user_id": user.id, "team_id": user.team_id}).all()
    if not assignments:
        return []
    kinds = {a.target_kind for a in assignments}
    courses: dict[str | None, CourseProgress | None] = {}
    course_ids = {a.target_slug for a in assignments if a.target_kind == "course"}
    module_progress = None
    if "module" in kinds or "course" in kinds:
        if progress is not None:
            courses[progress.id] = progress
        for course_id in course_ids | {progress.id if progress is not None else publishing.course_id()} - {
            None
        }:
            if course_id not in courses:
                courses[course_id] = progress_service.progress_of(user.id, course_id)
        module_progress = {}
        for course in courses.values():
            if course is None:
                continue
            for stage in course.stages:
                for module in stage.modules:
                    module_progress[module.id] = module
        if "module" in kinds:
            # Modules of other courses: their course is named in the module itself.
            for slug in {a.target_slug for a in assignments if a.target_kind == "module"} - set(
                module_progress
            ):
                version = publishing.published("module", slug)
                value = publishing.value_of(version) if version else None
                if value is not None and value.course not in courses:
                    other = courses[value.course] = progress_service.progress_of(user.id, value.course)
                    for stage in other.stages if other else []:
                        for module in stage.modules:
                            module_progress[module.id] = module
    scenario_slugs = {a.target_slug for a in assignments if a.target_kind == "scenario"}
    passed = set()
    if best is not None:
        passed = {slug for slug in scenario_slugs if (best.get(slug) or {}).get("passed")}
    elif scenario_slugs:
        passed = set(db.session.scalars(_PASSED_AMONG, {"user_id": user.id, "slugs": sorted(scenario_slugs)}))

    def is_done(kind: str, slug: str) -> bool:
        if kind == "scenario":
            return slug in passed
        if kind == "module":
            module = (module_progress or {}).get(slug)
            return bool(module and module.complete)
        course = courses.get(slug)
        return bool(course and course.complete)

    # every published title in the outline's one light statement (not a version read per assignment)
    published_titles = load_outline(language=language).titles
    titles = {
        (a.target_kind, a.target_slug): published_titles.get((a.target_kind, a.target_slug))
        for a in assignments
    }
    return resolve(user, assignments, is_done, titles, today=today)


def has_passed(user_id: int, scenario_slug: str) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ScenarioAttempt.user_id == user_id,
                    ScenarioAttempt.scenario_slug == scenario_slug,
                    counts_as_pass(),
                )
            )
        )
    )
