"""Completion: the one home of the rules of content-format.md that say how far a trainee is, as
a pure fold of their learning records over the course's outline. The trainee's own pages
(services/progress.py) and the manager's dashboard (services/team_dashboard.py) both call it.

A module is complete when every page was opened, the knowledge check reached its pass mark, and
every listed role-play was passed at least once; its parts are its pages, its check and its
role-plays. A stage is complete when all its modules are; its percent, like the course's, is
the share of all its parts done."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModulePlan:
    id: str
    stage: str
    pages_total: int
    has_quiz: bool
    scenarios: tuple[str, ...]

    @property
    def parts_total(self) -> int:
        return self.pages_total + (1 if self.has_quiz else 0) + len(self.scenarios)


@dataclass(frozen=True)
class CoursePlan:
    """The published outline: stage ids in order, and the modules of those stages in course
    order (a module naming a stage the course does not have is in no stage, so not here)."""

    stages: tuple[str, ...]
    modules: tuple[ModulePlan, ...]
    _by_id: dict[str, ModulePlan] = field(init=False, repr=False, compare=False)
    _listing: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        listing: dict[str, list[str]] = {}
        for module in self.modules:
            for slug in module.scenarios:
                listing.setdefault(slug, []).append(module.id)
        object.__setattr__(self, "_by_id", {m.id: m for m in self.modules})
        object.__setattr__(self, "_listing", {slug: tuple(ids) for slug, ids in listing.items()})

    def module(self, module_id: str) -> ModulePlan | None:
        return self._by_id.get(module_id)

    def modules_listing(self, scenario_slug: str) -> tuple[str, ...]:
        return self._listing.get(scenario_slug, ())


# One trainee's learning records, aggregated per module or scenario:
#   ("p", module, distinct pages opened, None, None, last time)
#   ("q", module, checks taken, best percent, 1 if any passed else 0, last time)
#   ("s", scenario, attempts (any status), best finished percent or None, 1 if one passed, last time)
Record = tuple[str, str, int, "int | None", "int | bool | None", Any]


@dataclass(frozen=True)
class ScenarioResult:
    best: int | None  # the best finished attempt's percent
    passed: bool
    attempts: int  # any status, in progress and started over too


@dataclass(frozen=True)
class ModuleFold:
    id: str
    stage: str
    pages_total: int
    pages_seen: int
    has_quiz: bool
    quiz_best: int | None
    quiz_passed: bool
    scenarios: dict[str, ScenarioResult]
    parts_done: int
    parts_total: int
    started: bool  # any record: a page, a check, an attempt

    @property
    def complete(self) -> bool:
        return self.parts_done >= self.parts_total

    @property
    def percent(self) -> int:
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 100


@dataclass(frozen=True)
class StageFold:
    id: str
    modules: tuple[ModuleFold, ...]
    parts_done: int
    parts_total: int
    started: bool
    score: int | None  # mean best score of the checks and role-plays tried

    @property
    def complete(self) -> bool:
        return bool(self.modules) and all(m.complete for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 0


@dataclass(frozen=True)
class CourseFold:
    stages: tuple[StageFold, ...]
    attempts: int  # role-play attempts of any status
    last_activity: Any  # the latest record's time, as the records gave it
    scenarios_passed: frozenset[str]

    @property
    def modules(self) -> tuple[ModuleFold, ...]:
        return tuple(m for s in self.stages for m in s.modules)

    @property
    def parts_done(self) -> int:
        return sum(s.parts_done for s in self.stages)

    @property
    def parts_total(self) -> int:
        return sum(s.parts_total for s in self.stages)

    @property
    def percent(self) -> int:
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 0

    @property
    def modules_done(self) -> int:
        return sum(1 for m in self.modules if m.complete)

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.stages)


def fold(plan: CoursePlan, records: Iterable[Record]) -> CourseFold:
    """One trainee's records (any order; unknown modules and scenarios are ignored) folded
    into their progress through the plan."""
    pages: dict[str, int] = {}
    quizzes: dict[str, tuple[int | None, bool]] = {}
    scenarios: dict[str, ScenarioResult] = {}
    attempts, last = 0, None
    for kind, slug, count, best, passed, when in records:
        if when is not None and (last is None or when > last):
            last = when
        if kind == "p":
            pages[slug] = count
        elif kind == "q":
            quizzes[slug] = (best, bool(passed))
        else:
            attempts += count
            scenarios[slug] = ScenarioResult(best, bool(passed), count)
    none = ScenarioResult(None, False, 0)
    stages = []
    for stage_id in plan.stages:
        modules, scores = [], []
        for module in plan.modules:
            if module.stage != stage_id:
                continue
            seen = pages.get(module.id, 0)
            quiz_best, quiz_passed = quizzes.get(module.id, (None, False))
            results = {slug: scenarios.get(slug, none) for slug in module.scenarios}
            done = (
                min(seen, module.pages_total)
                + (1 if module.has_quiz and quiz_passed else 0)
                + sum(1 for r in results.values() if r.passed)
            )
            tried = module.id in quizzes or any(r.attempts for r in results.values())
            modules.append(
                ModuleFold(
                    module.id,
                    stage_id,
                    module.pages_total,
                    seen,
                    module.has_quiz,
                    quiz_best,
                    quiz_passed,
                    results,
                    done,
                    module.parts_total,
                    seen > 0 or tried,
                )
            )
            if quiz_best is not None:
                scores.append(quiz_best)
            scores.extend(r.best for r in results.values() if r.best is not None)
        stages.append(
            StageFold(
                stage_id,
                tuple(modules),
                sum(m.parts_done for m in modules),
                sum(m.parts_total for m in modules),
                any(m.started for m in modules),
                round(sum(scores) / len(scores)) if scores else None,
            )
        )
    return CourseFold(tuple(stages), attempts, last, frozenset(s for s, r in scenarios.items() if r.passed))
