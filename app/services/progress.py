"""Progress through the course, for the trainee's own pages: their learning records read in one
statement and folded by the completion rules (content/completion.py, the rules' one home; the
manager's dashboard folds the same records with the same function), plus when each stage opens
(with `unlock: sequential` a stage opens when the previous one is complete).

`records_by_trainee` is also what the dashboard reads: every record of many trainees,
aggregated per module or scenario, in one statement."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, TypedDict, TypeVar
from typing import cast as cast_result

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect

from app.content.completion import CourseFold, ModuleFold, Record, StageFold, fold
from app.extensions import db
from app.models import PageView, QuizAttempt, ScenarioAttempt
from app.models.learning import counts_as_pass
from app.services.outline import Outline, load_outline

# --- the records, in one statement ------------------------------------------------------------


def latest(column: InstrumentedAttribute[datetime]) -> ColumnElement[str]:
    # Raw values: ISO text on SQLite (sorts as time does), datetimes on PostgreSQL; only the
    # latest per trainee is turned into a datetime, not one per row.
    return type_coerce(func.max(column), String)


def as_datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@lru_cache(maxsize=1)
def _records_statement() -> CompoundSelect[Any]:  # its rows are read raw, as Records
    """Built once (a trainee's own pages run it on every view; building and keying it cost more
    than running it), for any list of trainees through an expanding parameter."""
    ids: BindParameter[list[int]] = bindparam("trainee_ids", expanding=True)
    none = cast(null(), Integer)  # PostgreSQL types a bare NULL as text in a UNION
    pages = (
        select(
            PageView.user_id,
            literal("p"),
            PageView.module_slug,
            func.count(func.distinct(PageView.page)),
            none,
            none,
            latest(PageView.viewed_at),
        )
        .where(PageView.user_id.in_(ids))
        .group_by(PageView.user_id, PageView.module_slug)
    )
    quizzes = (
        select(
            QuizAttempt.user_id,
            literal("q"),
            QuizAttempt.module_slug,
            func.count(),
            func.max(QuizAttempt.percent),
            func.max(case((QuizAttempt.passed, 1), else_=0)),
            latest(QuizAttempt.created_at),
        )
        .where(QuizAttempt.user_id.in_(ids))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_slug)
    )
    # a practice replay from a step (services/replays.py) is neither a best score nor a pass
    finished = and_(ScenarioAttempt.status == "finished", ScenarioAttempt.replayed_from_id.is_(None))
    scenarios = (
        select(
            ScenarioAttempt.user_id,
            literal("s"),
            ScenarioAttempt.scenario_slug,
            func.count(),
            func.max(case((finished, ScenarioAttempt.percent), else_=null())),
            func.max(case((counts_as_pass(), 1), else_=0)),
            latest(ScenarioAttempt.updated_at),
        )
        .where(ScenarioAttempt.user_id.in_(ids))
        .group_by(ScenarioAttempt.user_id, ScenarioAttempt.scenario_slug)
    )
    return union_all(pages, quizzes, scenarios)


def records_by_trainee(trainee_ids: Iterable[int]) -> dict[int, list[Record]]:
    """{user_id: [completion.Record]}: every learning record of the trainees, aggregated per
    module (pages, checks) or scenario (attempts of any status; best and pass of the finished
    ones), in one statement, as plain tuples from the driver (tens of thousands of rows for a
    large team: no Row objects built for them). Times are raw (see `latest`)."""
    trainee_ids = list(trainee_ids)
    if not trainee_ids:
        return {}
    result = db.session.execute(_records_statement(), {"trainee_ids": trainee_ids})
    try:
        # no result processing is needed: ints, text, raw times
        rows = cast_result(CursorResult[Any], result).cursor.fetchall()
    finally:
        result.close()
    out: dict[int, list[Record]] = {}
    for user_id, *record in rows:
        out.setdefault(user_id, []).append(record)
    return out


T = TypeVar("T")

# --- the trainee's view of the fold -------------------------------------------------------------


class ScenarioScore(TypedDict):
    best: int | None  # percent
    passed: bool


class _FromFold(Generic[T]):
    """A ModuleProgress attribute read from its fold, typed (what `property(lambda ...)` was)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, progress: "ModuleProgress", owner: type | None = None) -> T:
        return cast_result(T, getattr(progress.fold, self.name))


@dataclass
class ModuleProgress:
    """A module's progress as the trainee's pages read it: the fold, with the module's title."""

    fold: ModuleFold
    title: str
    order: int

    id = _FromFold[str]()
    stage = _FromFold[str]()
    pages_total = _FromFold[int]()
    pages_seen = _FromFold[int]()
    has_quiz = _FromFold[bool]()
    quiz_best = _FromFold[int | None]()
    quiz_passed = _FromFold[bool]()
    parts_total = _FromFold[int]()
    parts_done = _FromFold[int]()
    percent = _FromFold[int]()
    complete = _FromFold[bool]()
    started = _FromFold[bool]()

    @property
    def scenarios(self) -> dict[str, ScenarioScore]:
        """{slug: {"best": percent or None, "passed": bool}} for each role-play of the module."""
        return {slug: {"best": r.best, "passed": r.passed} for slug, r in self.fold.scenarios.items()}


@dataclass
class StageProgress:
    id: str
    title: str
    modules: list[ModuleProgress]
    unlocked: bool
    fold: StageFold

    @property
    def complete(self) -> bool:
        return self.fold.complete

    @property
    def percent(self) -> int:
        return self.fold.percent


@dataclass
class CourseProgress:
    id: str
    title: str
    stages: list[StageProgress]
    fold: CourseFold

    @property
    def complete(self) -> bool:
        return self.fold.complete

    @property
    def percent(self) -> int:
        return self.fold.percent

    def module(self, module_id: str) -> ModuleProgress | None:
        for stage in self.stages:
            for module in stage.modules:
                if module.id == module_id:
                    return module
        return None

    def stage_of(self, module_id: str) -> StageProgress | None:
        for stage in self.stages:
            if any(m.id == module_id for m in stage.modules):
                return stage
        return None

    def next_module(self) -> ModuleProgress | None:
        """The first unfinished module in an open stage: the trainee's next step."""
        for stage in self.stages:
            if not stage.unlocked:
                return None
            for module in stage.modules:
                if not module.complete:
                    return module
        return None


def course_progress(outline: Outline, course_fold: CourseFold) -> CourseProgress:
    """A trainee's CourseProgress from their fold over the outline (stages opened in turn when
    the course says `unlock: sequential`)."""
    course = outline.course
    assert course is not None, "progress_for folds no outline without a course"
    stages: list[StageProgress] = []
    previous_complete = True
    titles = dict(outline.stages)
    for stage_fold in course_fold.stages:
        modules = [
            ModuleProgress(m, outline.modules[m.id].title, outline.modules[m.id].order)
            for m in stage_fold.modules
        ]
        stages.append(
            StageProgress(
                stage_fold.id,
                titles.get(stage_fold.id, stage_fold.id),
                modules,
                course.unlock != "sequential" or previous_complete,
                stage_fold,
            )
        )
        previous_complete = previous_complete and stage_fold.complete
    return CourseProgress(course.id, course.title, stages, course_fold)


def progress_for(
    user_ids: Iterable[int], course_id: str | None = None, language: str | None = None
) -> dict[int, CourseProgress]:
    """{user_id: CourseProgress} for many trainees, in two statements whatever their number (the
    outline's, and the records'); the published course unless another is named; titles in
    `language` where translated."""
    outline = load_outline(course_id, language)
    if outline.course is None:
        return {}
    user_ids = list(user_ids)
    records = records_by_trainee(user_ids)
    return {
        user_id: course_progress(outline, fold(outline.plan, records.get(user_id, ())))
        for user_id in user_ids
    }


def progress_of(
    user_id: int, course_id: str | None = None, language: str | None = None
) -> CourseProgress | None:
    return progress_for([user_id], course_id, language).get(user_id)
