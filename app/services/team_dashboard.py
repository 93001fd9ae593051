"""The manager's team dashboard: one row per trainee (progress by stage, overdue work, last
activity), sorted and paged on all the rows, so "overdue first" is right across pages.

It runs a fixed number of statements whatever the size of the team: the published outline in
one, the trainees with their stored progress summaries in one, their assignments in one, and,
for the summaries that are stale, every learning record of those trainees folded in one UNION
ALL and stored in one upsert (see "stored progress summaries" below)."""

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any, TypedDict, cast
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import ScalarSelect, Select, Table, bindparam, func, select
from sqlalchemy.exc import DBAPIError

from app import formats
from app.content.completion import CourseFold, fold
from app.content.translation import language_of
from app.extensions import db
from app.i18n import gettext as _
from app.i18n import page_language
from app.models import PageView, ProgressSummary, QuizAttempt, ScenarioAttempt, Team, User
from app.models.base import utcnow
from app.services.assignments import effective, team_assignments
from app.services.assignments.effective import EffectiveAssignment
from app.services.outline import Outline, load_outline
from app.services.progress import as_datetime, latest, records_by_trainee

SORTS = ("attention", "name", "activity", "completion")
# Stale progress summaries are refolded this many trainees per statement (bound parameters).
FOLD_CHUNK = 2000
# A trainee this many days without a learning record (or without any, once hired that long) is inactive.
INACTIVE_AFTER_DAYS = 7

log = logging.getLogger(__name__)


@dataclass(slots=True)  # up to 300 a page
class StageCell:
    id: str
    title: str
    percent: int
    complete: bool
    started: bool
    score: int | None  # mean best score of the stage's quizzes and scenarios tried

    @property
    def level(self) -> int:
        """0-4 for the heatmap colour; the text label says the same thing in words."""
        if self.complete:
            return 4
        if not self.started:
            return 0
        return 1 + min(2, self.percent // 34)

    @property
    def label(self) -> str:
        if self.complete:
            return _("Done")
        if not self.started:
            return _("Not started")
        return formats.percent(self.percent)

    @property
    def score_label(self) -> Markup | None:
        """'score 58' in the page's language, None when nothing was tried."""
        return None if self.score is None else _score_words(self.score, page_language())


# A page has up to 300 scored cells and a hundred distinct scores: each one's words are
# looked up and formatted once per language, not once per cell.
@lru_cache(maxsize=512)
def _score_words(score: int, language: str) -> Markup:
    # What the template's _() gives (safe markup, then the values escaped into it), so the
    # cell reads the same whoever formats it.
    return Markup(_("score %(score)s")) % {"score": score}


@dataclass(frozen=True)
class _TeamWork:
    """What the rows of one team_rows() call read to resolve their assignments, shared by them."""

    resolver: effective.Resolver
    module_index: dict[str, int]  # module id -> its place in modules_complete
    course_id: str | None


@dataclass
class TraineeRow:
    id: int
    name: str
    email: str
    team: str
    team_id: int
    hire_date: date | None
    created_at: datetime | None  # when the account was made
    percent: int
    last_activity: datetime | None
    attempts: int
    modules_done: int
    stage_values: list[list[Any]] | str  # ProgressSummary.stages, as folded or as stored (JSON)
    modules_complete: str  # ProgressSummary.modules_complete: "1" or "0" per module
    scenarios_passed: str  # ProgressSummary.scenarios_passed: slugs, space-separated
    outline: Outline = field(repr=False)
    work: _TeamWork = field(repr=False)

    def is_done(self, kind: str, slug: str) -> bool:
        """An assignment's target done, by the stored summary."""
        if kind == "module":
            n = self.work.module_index.get(slug)
            return n is not None and self.modules_complete[n] == "1"
        if kind == "scenario":
            return slug in self.scenarios_passed.split()
        return (
            slug == self.work.course_id and "0" not in self.modules_complete and bool(self.modules_complete)
        )

    @cached_property
    def standing(self) -> effective.Standing:
        """How many assignments are overdue, since when, the next due date: what the dashboard
        counts and sorts every row on."""
        return self.work.resolver.standing(self, self.is_done)

    @cached_property
    def assignments(self) -> list[EffectiveAssignment]:
        """The assignments that count, made only for the rows a page shows (or a reminder or an
        export reads): a team's hundreds of rows are counted and sorted on their standing."""
        return self.work.resolver.for_trainee(self, self.is_done)

    @cached_property
    def stages(self) -> list[StageCell]:
        """StageCells, built only for the rows a page shows (or an export writes)."""
        values = json.loads(self.stage_values) if isinstance(self.stage_values, str) else self.stage_values
        return [
            StageCell(stage_id, title, *cell)
            for (stage_id, title), cell in zip(self.outline.stages, values, strict=False)
        ]

    @cached_property
    def overdue(self) -> list[EffectiveAssignment]:
        return [a for a in self.assignments if a.overdue]

    def activity(self, today: date, zone: ZoneInfo | None = None) -> str:
        """ "active", "inactive" (a week or more without learning) or "not started". Someone with
        no record yet is inactive only once they have had a week to start: hired, and their
        account made, more than a week ago; before that they have simply not started. `zone`:
        the organisation's (formats.zone()), when the caller reads it once for many rows."""
        week_ago = today - timedelta(days=INACTIVE_AFTER_DAYS)
        if self.last_activity is not None:
            return "inactive" if formats.local(self.last_activity, zone).date() <= week_ago else "active"
        made = formats.local(self.created_at, zone).date() if self.created_at else None
        if self.hire_date is not None and self.hire_date <= week_ago and (made is None or made <= week_ago):
            return "inactive"
        return "not started"

    @cached_property
    def open_assignments(self) -> list[EffectiveAssignment]:
        return [a for a in self.assignments if not a.done]

    @property
    def next_due(self) -> date | None:
        return self.standing.next_due

    @property
    def score(self) -> int | None:
        scores = [s.score for s in self.stages if s.score is not None]
        return round(sum(scores) / len(scores)) if scores else None


@dataclass
class Page:
    """A slice of sorted rows with the attributes of the pager macro."""

    items: list[TraineeRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# --- stored progress summaries --------------------------------------------------------------------
#
# Folding every learning record of a team on every view costs a manager more the more the team
# learns (97,000 records for 500 trainees). Each trainee's fold is stored instead, in
# progress_summaries, with the marks of what it saw: the trainee's latest page view and quiz
# attempt ids and latest attempt update time (records are only appended; an attempt's row
# moves on with each step). The dashboard reads the live marks with the summaries, one index
# seek each, and refolds in one batch only the trainees whose marks or published outline moved.
# Nothing on the learning side writes for it: a step stays four statements.


class SummaryValues(TypedDict):
    """A trainee's fold as a progress_summaries row stores it."""

    percent: int
    modules_done: int
    attempts: int
    last_activity: datetime | None
    stages: list[list[Any]]  # per stage: [percent, complete, started, score]
    modules_complete: str  # "1" or "0" per module, in course order
    scenarios_passed: str  # slugs, space-separated


# A summary's marks: the trainee's latest page view and quiz attempt ids, latest attempt update.
Marks = tuple[int | None, int | None, datetime | None]


def _summaries(outline: Outline, trainee_ids: Iterable[int]) -> dict[int, SummaryValues]:
    """{user_id: summary values} folded from every learning record of the trainees (ids), in
    one statement, by the completion rules the trainee's own pages use; trainees without any
    record are absent (see _empty_summary)."""
    return {
        user_id: _summary_values(fold(outline.plan, records))
        for user_id, records in records_by_trainee(trainee_ids).items()
    }


def _summary_values(course_fold: CourseFold) -> SummaryValues:
    """A fold as a progress_summaries row stores it (stages as [percent, complete, started, score])."""
    return SummaryValues(
        percent=course_fold.percent,
        modules_done=course_fold.modules_done,
        attempts=course_fold.attempts,
        last_activity=as_datetime(course_fold.last_activity),
        stages=[[s.percent, s.complete, s.started, s.score] for s in course_fold.stages],
        modules_complete="".join("1" if m.complete else "0" for m in course_fold.modules),
        scenarios_passed=" ".join(sorted(course_fold.scenarios_passed)),
    )


def _empty_summary(outline: Outline) -> SummaryValues:
    return _summary_values(fold(outline.plan, ()))


def _store_summaries(fresh: dict[int, tuple[Marks, SummaryValues]], outline: Outline) -> None:
    """Upsert the summaries just folded ({user_id: (marks read before folding, values)}), in
    user order (two dashboards storing the same trainees lock rows in the same order). A cache
    fill on a GET, committed with the request: if the database refuses it (busy), the page is
    still right, and the next view folds again."""
    table = cast(Table, ProgressSummary.__table__)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]  # the same upsert as PostgreSQL's
    else:  # no upsert written for it: fold on every view
        return
    now = utcnow()
    stmt = dialect_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name != "user_id"},
    )
    values = [
        {
            **v,
            "user_id": user_id,
            "pages_mark": marks[0],
            "quizzes_mark": marks[1],
            "attempts_mark": marks[2],
            "outline_key": outline.key,
            "computed_at": now,
            "stages": json.dumps(v["stages"], separators=(",", ":")),
        }
        for user_id, (marks, v) in sorted(fresh.items())
    ]
    try:
        # In the request's own transaction, in a savepoint: a second connection would wait on
        # SQLite for the write lock its own request may already hold (the session's last-seen
        # touch), for the whole busy timeout, with every other writer queued behind it.
        with db.session.begin_nested():
            db.session.execute(stmt, values)
    except DBAPIError as error:
        log.warning("progress summaries not stored (%s); they are folded again at the next view", error)


def _latest_id(model: type[PageView] | type[QuizAttempt]) -> ScalarSelect[int | None]:
    return select(func.max(model.id)).where(model.user_id == User.id).scalar_subquery()


@lru_cache(maxsize=1)
def _trainees_statement() -> Select[Any]:
    """Built once (every view of the team dashboard runs it; building and keying its three
    correlated subqueries cost more than running it), for any teams through an expanding
    parameter: the trainees with their stored summaries and live marks."""
    summary = ProgressSummary
    last_played = (
        select(latest(ScenarioAttempt.updated_at)).where(ScenarioAttempt.user_id == User.id).scalar_subquery()
    )
    return (
        select(
            User.id,
            User.name,
            User.email,
            User.hire_date,
            User.created_at,
            User.team_id,
            Team.name,
            _latest_id(PageView),
            _latest_id(QuizAttempt),
            last_played,
            summary.outline_key,
            summary.pages_mark,
            summary.quizzes_mark,
            summary.attempts_mark,
            summary.percent,
            summary.modules_done,
            summary.attempts,
            summary.last_activity,
            summary.stages,
            summary.modules_complete,
            summary.scenarios_passed,
        )
        .join(Team, Team.id == User.team_id)
        .outerjoin(summary, summary.user_id == User.id)
        .where(User.team_id.in_(bindparam("team_ids", expanding=True)), User.role == "trainee", User.active)
    )


def team_rows(
    team_ids: Iterable[int],
    course_id: str | None = None,
    today: date | None = None,
    language: str | None = None,
) -> tuple[list[TraineeRow], Outline]:
    """One TraineeRow per active trainee of the teams, in a fixed number of statements: the
    trainees with their stored summaries and live marks in one; when some summaries are stale,
    their fold in one more and the store in a third. `language`: the reader's, for the titles
    (a translated outline keeps the plan and key the summaries are stored against)."""
    team_ids = sorted(team_ids)
    outline = load_outline(course_id)
    if language and outline.course and language != language_of(outline.course, outline.course):
        outline = load_outline(course_id, language)
    course_id = outline.course.id if outline.course else course_id
    if not team_ids:
        return [], outline
    # On the session's connection, as Core rows: through the session, the ORM would wrap each
    # of the team's rows again (a millisecond at 500 trainees) for columns it adds nothing to.
    trainees = db.session.connection().execute(_trainees_statement(), {"team_ids": team_ids}).all()
    stale: dict[int, Marks] = {}  # user id -> live marks, for the summaries to fold again
    for row in trainees:
        marks = (row[7], row[8], as_datetime(row[9]))
        if row[10] != outline.key or (row[11], row[12], row[13]) != marks:
            stale[row[0]] = marks
    fresh: dict[int, tuple[Marks, SummaryValues]] = {}
    if stale:
        # The ids as read, not a condition evaluated again: each summary is stored with the
        # marks read above, older than or equal to what the fold saw, so never newer than it.
        ids = sorted(stale)
        folded: dict[int, SummaryValues] = {}
        for chunk in range(0, len(ids), FOLD_CHUNK):
            folded.update(_summaries(outline, ids[chunk : chunk + FOLD_CHUNK]))
        empty = _empty_summary(outline)
        fresh = {user_id: (marks, folded.get(user_id, empty)) for user_id, marks in stale.items()}
        _store_summaries(fresh, outline)

    work = _TeamWork(
        effective.Resolver(team_assignments.active_rows_for_teams(team_ids), outline.titles, today),
        {module_id: n for n, module_id in enumerate(outline.modules)},
        course_id,
    )
    rows: list[TraineeRow] = []
    for (
        user_id,
        name,
        email,
        hire_date,
        created_at,
        team_id,
        team_name,
        *_marks,
        percent,
        modules_done,
        attempts,
        last,
        stages,
        modules_complete,
        scenarios_passed,
    ) in trainees:
        if user_id in fresh:
            values = fresh[user_id][1]
            percent, modules_done, attempts, last, stages, modules_complete, scenarios_passed = (
                values["percent"],
                values["modules_done"],
                values["attempts"],
                values["last_activity"],
                values["stages"],
                values["modules_complete"],
                values["scenarios_passed"],
            )
        rows.append(
            TraineeRow(
                id=user_id,
                name=name,
                email=email,
                team=team_name,
                team_id=team_id,
                hire_date=hire_date,
                created_at=as_datetime(created_at),
                percent=percent,
                last_activity=last,
                attempts=attempts,
                modules_done=modules_done,
                stage_values=stages,
                modules_complete=modules_complete,
                scenarios_passed=scenarios_passed,
                outline=outline,
                work=work,
            )
        )
    return rows, outline


def sort_rows(
    rows: Iterable[TraineeRow], sort: str = "attention", descending: bool = False
) -> list[TraineeRow]:
    """attention: overdue first (most overdue work, then the oldest due date), then the next due
    date, then the least progress. The other sorts: name, activity (least recent first),
    completion (lowest first); `descending` reverses them."""
    key: Callable[[TraineeRow], tuple[Any, ...]]
    if sort == "name":
        key = lambda r: (r.name.lower(), r.id)  # noqa: E731
    elif sort == "activity":
        key = lambda r: (r.last_activity is not None, r.last_activity or datetime.min, r.name.lower())  # noqa: E731
    elif sort == "completion":
        key = lambda r: (r.percent, r.name.lower())  # noqa: E731
    else:

        def key(r: TraineeRow) -> tuple[Any, ...]:
            late, oldest_late, next_due = r.standing
            return (-late, oldest_late, next_due or date.max, r.percent, r.name.lower())

    return sorted(rows, key=key, reverse=descending)


def dashboard(
    team_ids: Iterable[int],
    sort: str = "attention",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
    today: date | None = None,
    language: str | None = None,
) -> tuple[Page, Outline, dict[str, int]]:
    today = today or formats.today()
    rows, outline = team_rows(team_ids, today=today, language=language)
    zone = formats.zone()  # once for the team, not once per trainee
    activities = Counter(r.activity(today, zone) for r in rows)
    summary = {
        "trainees": len(rows),
        "overdue_trainees": sum(1 for r in rows if r.standing.late),
        "overdue_items": sum(r.standing.late for r in rows),
        "inactive_week": activities["inactive"],
        "not_started": activities["not started"],
        "average": round(sum(r.percent for r in rows) / len(rows)) if rows else 0,
    }
    rows = sort_rows(rows, sort if sort in SORTS else "attention", descending)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return Page(rows[(page - 1) * per_page : page * per_page], page, per_page, len(rows)), outline, summary
