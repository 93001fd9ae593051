"""What a manager reads about a team: the dashboard rows (progress by stage, overdue work, last
activity), choice and signal-reading analytics, the coaching list, transcripts and CSV exports.

The dashboard runs a fixed number of statements whatever the size of the team: the published
outline in one, the trainees with their stored progress summaries in one, their assignments in
one, and, for the summaries that are stale, every learning record of those trainees folded in
one UNION ALL and stored in one upsert (see "stored progress summaries" below). Sorting and
paging happen on all the rows, so "overdue first" is right across pages."""
import csv
import hashlib
import io
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, String, and_, case, cast, func, literal, null, or_, select, type_coerce, union_all
from sqlalchemy.exc import DBAPIError

from app import formats
from app.content import engine, labels
from app.content.render import render_inline, render_interpolated, render_markdown
from app.extensions import commit_keeping_loaded, db
from app.models import (AttemptStep, CoachingComment, ContentVersion, PageView, ProgressSummary, PublishedContent,
                        QuizAttempt, ScenarioAttempt, Team, User)
from app.services import assignments as assignment_service
from app.services import publishing

GOOD_RATINGS = ("best", "good")
SORTS = ("attention", "name", "activity", "completion")
# Coaching: a skill or a phase is worth coaching under this share of good reads, with enough evidence.
COACH_BELOW = 60
COACH_MIN_CHOICES = 2
# Stale progress summaries are refolded this many trainees per statement (bound parameters).
FOLD_CHUNK = 2000
# A trainee this many days without a learning record (or without any, once hired that long) is inactive.
INACTIVE_AFTER_DAYS = 7

log = logging.getLogger(__name__)


# --- the published outline, in one statement -----------------------------------------------------

@dataclass
class OutlineModule:
    id: str
    title: str
    stage: str
    pages_total: int
    has_quiz: bool
    scenarios: tuple

    @property
    def parts_total(self):
        return self.pages_total + (1 if self.has_quiz else 0) + len(self.scenarios)


@dataclass
class Outline:
    course: object                       # content.model.Course or None
    stages: list                         # [(stage id, title)]
    modules: dict                        # module id -> OutlineModule, in course order
    titles: dict                         # (kind, slug) -> title of everything published
    scenarios: dict = field(default_factory=dict)   # slug -> ContentVersion id
    key: str = ""                        # digest of the published versions it was built from

    def modules_of(self, stage_id):
        return [m for m in self.modules.values() if m.stage == stage_id]

    def stage_total(self, stage_id):
        return sum(m.parts_total for m in self.modules_of(stage_id))


_OUTLINES = {}                           # (course, published versions) -> Outline, per process
_OUTLINES_KEPT = 8


def load_outline(course_id=None):
    """The published course, its modules and every published title. One light statement (ids,
    checksums and titles of the published versions) on each call; the outline built from them
    is cached per process per set of published versions (versions never change, and the sha256
    tells two databases' version 1 apart), so the compiled texts are read again only after a
    publication."""
    rows = db.session.execute(
        select(ContentVersion.id, ContentVersion.kind, ContentVersion.slug, ContentVersion.title,
               ContentVersion.sha256)
        .join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
        .order_by(ContentVersion.id)).all()
    # the published course unless another is named (publishing.course_id's rule, on rows at hand)
    course_id = course_id or min((slug for _id, kind, slug, _t, _s in rows if kind == "course"), default=None)
    key = (course_id, tuple(tuple(row) for row in rows))
    outline = _OUTLINES.get(key)
    if outline is None:
        outline = _build_outline(course_id, rows)
        outline.key = hashlib.sha256(repr(key).encode()).hexdigest()
        if len(_OUTLINES) >= _OUTLINES_KEPT:
            _OUTLINES.clear()
        _OUTLINES[key] = outline
    return outline


def _build_outline(course_id, rows):
    """The Outline of the published versions `rows` (their compiled texts in one more statement,
    parsed once per process per version by publishing.value_from_compiled)."""
    wanted = [version_id for version_id, kind, slug, _, _ in rows
              if kind == "module" or (kind == "course" and slug == course_id)]
    compiled = dict(db.session.execute(select(ContentVersion.id, ContentVersion.compiled)
                                       .where(ContentVersion.id.in_(wanted))).all()) if wanted else {}
    course, modules, titles, scenarios = None, [], {}, {}
    for version_id, kind, slug, title, _ in rows:
        titles[(kind, slug)] = title or slug
        if kind == "scenario":
            scenarios[slug] = version_id
        elif kind == "course" and slug == course_id:
            course = publishing.value_from_compiled(version_id, kind, compiled[version_id])
        elif kind == "module":
            value = publishing.value_from_compiled(version_id, kind, compiled[version_id])
            if value is not None and value.course == course_id:
                modules.append(value)
    if course is None:
        return Outline(None, [], {}, titles, scenarios)
    stage_index = {s.id: n for n, s in enumerate(course.stages)}
    modules.sort(key=lambda m: (stage_index.get(m.stage, 99), m.order, m.id))
    return Outline(course, [(s.id, s.title) for s in course.stages],
                   {m.id: OutlineModule(m.id, m.title, m.stage, len(m.pages), bool(m.quiz), tuple(m.scenarios))
                    for m in modules}, titles, scenarios)


# --- the team dashboard ---------------------------------------------------------------------------

@dataclass
class StageCell:
    id: str
    title: str
    percent: int
    complete: bool
    started: bool
    score: int | None                    # mean best score of the stage's quizzes and scenarios tried

    @property
    def level(self):
        """0-4 for the heatmap colour; the text label says the same thing in words."""
        if self.complete:
            return 4
        if not self.started:
            return 0
        return 1 + min(2, self.percent // 34)

    @property
    def label(self):
        if self.complete:
            return "Done"
        if not self.started:
            return "Not started"
        return f"{self.percent}%"


@dataclass
class TraineeRow:
    id: int
    name: str
    email: str
    team: str
    hire_date: date | None
    created_at: datetime | None          # when the account was made
    percent: int
    assignments: list                    # [EffectiveAssignment]
    last_activity: datetime | None
    attempts: int
    modules_done: int
    stage_values: list | str             # ProgressSummary.stages, as folded or as stored (JSON)
    outline: Outline = field(repr=False)

    @cached_property
    def stages(self):
        """StageCells, built only for the rows a page shows (or an export writes)."""
        values = json.loads(self.stage_values) if isinstance(self.stage_values, str) else self.stage_values
        return [StageCell(stage_id, title, *cell) for (stage_id, title), cell in zip(self.outline.stages, values)]

    @property
    def overdue(self):
        return [a for a in self.assignments if a.overdue]

    def activity(self, today):
        """"active", "inactive" (a week or more without learning) or "not started". Someone with
        no record yet is inactive only once they have had a week to start: hired, and their
        account made, more than a week ago; before that they have simply not started."""
        week_ago = today - timedelta(days=INACTIVE_AFTER_DAYS)
        if self.last_activity is not None:
            return "inactive" if formats.local(self.last_activity).date() <= week_ago else "active"
        made = formats.local(self.created_at).date() if self.created_at else None
        if self.hire_date is not None and self.hire_date <= week_ago and (made is None or made <= week_ago):
            return "inactive"
        return "not started"

    @property
    def open_assignments(self):
        return [a for a in self.assignments if not a.done]

    @property
    def next_due(self):
        dates = [a.due for a in self.assignments if not a.done and a.due]
        return min(dates) if dates else None

    @property
    def score(self):
        scores = [s.score for s in self.stages if s.score is not None]
        return round(sum(scores) / len(scores)) if scores else None


@dataclass
class Page:
    """A slice of sorted rows with the attributes of the pager macro."""
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def _latest(column):
    # Raw values: ISO text on SQLite (sorts as time does), datetimes on PostgreSQL; only the
    # latest per trainee is turned into a datetime, not one per row.
    return type_coerce(func.max(column), String)


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _aggregates(trainee_ids):
    """Every learning record of the trainees, folded per (trainee, module or scenario), in one
    statement: (user_id, kind, slug, count, best, passed, last time, finished count), as plain
    tuples from the driver (tens of thousands of rows: no Row objects built for them)."""
    none = cast(null(), Integer)         # PostgreSQL types a bare NULL as text in a UNION
    pages = (select(PageView.user_id, literal("p"), PageView.module_slug, func.count(func.distinct(PageView.page)),
                    none, none, _latest(PageView.viewed_at), none)
             .where(PageView.user_id.in_(trainee_ids)).group_by(PageView.user_id, PageView.module_slug))
    quizzes = (select(QuizAttempt.user_id, literal("q"), QuizAttempt.module_slug, func.count(),
                      func.max(QuizAttempt.percent), func.max(case((QuizAttempt.passed, 1), else_=0)),
                      _latest(QuizAttempt.created_at), none)
               .where(QuizAttempt.user_id.in_(trainee_ids))
               .group_by(QuizAttempt.user_id, QuizAttempt.module_slug))
    finished = ScenarioAttempt.status == "finished"
    scenarios = (select(ScenarioAttempt.user_id, literal("s"), ScenarioAttempt.scenario_slug, func.count(),
                        func.max(case((finished, ScenarioAttempt.percent), else_=null())),
                        func.max(case((and_(finished, ScenarioAttempt.passed), 1), else_=0)),
                        _latest(ScenarioAttempt.updated_at), func.sum(case((finished, 1), else_=0)))
                 .where(ScenarioAttempt.user_id.in_(trainee_ids))
                 .group_by(ScenarioAttempt.user_id, ScenarioAttempt.scenario_slug))
    result = db.session.execute(union_all(pages, quizzes, scenarios))
    try:
        return result.cursor.fetchall()  # no result processing is needed: ints, text, raw times
    finally:
        result.close()


# --- stored progress summaries --------------------------------------------------------------------
#
# Folding every learning record of a team on every view costs a manager more the more the team
# learns (97,000 records for 500 trainees). Each trainee's fold is stored instead, in
# progress_summaries, with the marks of what it saw: the trainee's latest page view and quiz
# attempt ids and latest attempt update time (records are only appended; an attempt's row
# moves on with each step). The dashboard reads the live marks with the summaries, one index
# seek each, and refolds in one batch only the trainees whose marks or published outline moved.
# Nothing on the learning side writes for it: a step stays four statements.

def _summaries(outline, trainee_ids):
    """{user_id: summary values} folded from every learning record of the trainees (ids), in
    one statement; trainees without any record are absent (see _empty_summary)."""
    modules = outline.modules
    stage_ids = [sid for sid, _ in outline.stages]
    position = {sid: n for n, sid in enumerate(stage_ids)}
    for module in modules.values():        # a module naming no stage of the course still counts
        position.setdefault(module.stage, len(position))
    slots = len(position)
    # slug -> (stage slot, pages total) / (stage slot, has quiz) / [(module, stage slot)]
    page_info = {m.id: (position[m.stage], m.pages_total) for m in modules.values()}
    quiz_info = {m.id: (position[m.stage], m.has_quiz) for m in modules.values()}
    scenario_modules = defaultdict(list)
    for module in modules.values():
        for slug in module.scenarios:
            scenario_modules[slug].append((module.id, position[module.stage]))
    parts_total = {m.id: m.parts_total for m in modules.values()}
    stage_totals = [outline.stage_total(sid) for sid in stage_ids]
    total_parts = sum(stage_totals)

    # One pass over the aggregates: per trainee [parts done per module, stage slots started,
    # score sums, score counts, last activity (raw), attempts, scenarios passed].
    folds = {}
    for user_id, kind, slug, count, best, passed, when, _ in _aggregates(trainee_ids):
        fold = folds.get(user_id)
        if fold is None:
            fold = folds[user_id] = [defaultdict(int), set(), [0] * slots, [0] * slots, None, 0, set()]
        if when is not None and (fold[4] is None or when > fold[4]):
            fold[4] = when
        if kind == "p":
            info = page_info.get(slug)
            if info is not None:
                fold[0][slug] += count if count < info[1] else info[1]
                fold[1].add(info[0])
        elif kind == "q":
            info = quiz_info.get(slug)
            if info is not None:
                fold[1].add(info[0])
                if passed and info[1]:
                    fold[0][slug] += 1
                if best is not None:
                    fold[2][info[0]] += best
                    fold[3][info[0]] += 1
        else:
            fold[5] += count
            if passed:
                fold[6].add(slug)
            for module_id, slot in scenario_modules.get(slug, ()):
                fold[1].add(slot)
                if passed:
                    fold[0][module_id] += 1
                if best is not None:
                    fold[2][slot] += best
                    fold[3][slot] += 1

    out = {}
    for user_id, (done, started, score_sum, score_n, last, attempts, passed_scenarios) in folds.items():
        complete = {m for m, parts in done.items() if parts >= parts_total[m]}
        stage_done = [0] * slots
        for module_id, parts in done.items():
            stage_done[page_info[module_id][0]] += parts
        cells = []
        for n in range(len(stage_ids)):
            total = stage_totals[n]
            cells.append([round(100 * stage_done[n] / total) if total else 0, bool(total) and stage_done[n] >= total,
                          n in started, round(score_sum[n] / score_n[n]) if score_n[n] else None])
        out[user_id] = dict(
            percent=round(100 * sum(stage_done) / total_parts) if total_parts else 0,
            modules_done=len(complete), attempts=attempts, last_activity=_as_datetime(last), stages=cells,
            modules_complete="".join("1" if m in complete else "0" for m in modules),
            scenarios_passed=" ".join(sorted(passed_scenarios)))
    return out


def _empty_summary(outline):
    return dict(percent=0, modules_done=0, attempts=0, last_activity=None,
                stages=[[0, False, False, None] for _ in outline.stages],
                modules_complete="0" * len(outline.modules), scenarios_passed="")


def _store_summaries(fresh, outline):
    """Upsert the summaries just folded ({user_id: (marks read before folding, values)}), in
    user order (two dashboards storing the same trainees lock rows in the same order). A cache
    fill on a GET: if the database refuses it (busy), the page is still right, and the next
    view folds again."""
    table = ProgressSummary.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:                                # no upsert written for it: fold on every view
        return
    now = datetime.utcnow()
    stmt = dialect_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name != "user_id"})
    values = [{**v, "user_id": user_id, "pages_mark": marks[0], "quizzes_mark": marks[1], "attempts_mark": marks[2],
               "outline_key": outline.key, "computed_at": now, "stages": json.dumps(v["stages"], separators=(",", ":"))}
              for user_id, (marks, v) in sorted(fresh.items())]
    try:
        db.session.execute(stmt, values)
        commit_keeping_loaded()
    except DBAPIError as error:
        db.session.rollback()
        log.warning("progress summaries not stored (%s); they are folded again at the next view", error)


def _latest_id(model):
    return select(func.max(model.id)).where(model.user_id == User.id).scalar_subquery()


def team_rows(team_ids, course_id=None, today=None):
    """One TraineeRow per active trainee of the teams, in a fixed number of statements: the
    trainees with their stored summaries and live marks in one; when some summaries are stale,
    their fold in one more and the store in a third."""
    team_ids = sorted(team_ids)
    outline = load_outline(course_id)
    course_id = outline.course.id if outline.course else course_id
    if not team_ids:
        return [], outline
    summary = ProgressSummary
    last_played = (select(_latest(ScenarioAttempt.updated_at)).where(ScenarioAttempt.user_id == User.id)
                   .scalar_subquery())
    trainees = db.session.execute(
        select(User.id, User.name, User.email, User.hire_date, User.created_at, User.team_id, Team.name,
               _latest_id(PageView), _latest_id(QuizAttempt), last_played,
               summary.outline_key, summary.pages_mark, summary.quizzes_mark, summary.attempts_mark,
               summary.percent, summary.modules_done, summary.attempts, summary.last_activity, summary.stages,
               summary.modules_complete, summary.scenarios_passed)
        .join(Team, Team.id == User.team_id)
        .outerjoin(summary, summary.user_id == User.id)
        .where(User.team_id.in_(team_ids), User.role == "trainee", User.active)).all()
    stale = {}                           # user id -> live marks, for the summaries to fold again
    for row in trainees:
        marks = (row[7], row[8], _as_datetime(row[9]))
        if row[10] != outline.key or (row[11], row[12], row[13]) != marks:
            stale[row[0]] = marks
    fresh = {}
    if stale:
        # The ids as read, not a condition evaluated again: each summary is stored with the
        # marks read above, older than or equal to what the fold saw, so never newer than it.
        ids, folded = sorted(stale), {}
        for chunk in range(0, len(ids), FOLD_CHUNK):
            folded.update(_summaries(outline, ids[chunk:chunk + FOLD_CHUNK]))
        empty = _empty_summary(outline)
        fresh = {user_id: (marks, folded.get(user_id, empty)) for user_id, marks in stale.items()}
        _store_summaries(fresh, outline)

    resolver = assignment_service.Resolver(assignment_service.active_rows_for_teams(team_ids), outline.titles, today)
    module_index = {module_id: n for n, module_id in enumerate(outline.modules)}
    rows = []
    for (user_id, name, email, hire_date, created_at, team_id, team_name, *_marks, percent, modules_done, attempts, last,
         stages, modules_complete, scenarios_passed) in trainees:
        if user_id in fresh:
            values = fresh[user_id][1]
            percent, modules_done, attempts, last, stages, modules_complete, scenarios_passed = (
                values["percent"], values["modules_done"], values["attempts"], values["last_activity"],
                values["stages"], values["modules_complete"], values["scenarios_passed"])

        def is_done(kind, slug, modules_complete=modules_complete, passed=scenarios_passed.split()):
            if kind == "module":
                n = module_index.get(slug)
                return n is not None and modules_complete[n] == "1"
            if kind == "scenario":
                return slug in passed
            return slug == course_id and "0" not in modules_complete and bool(modules_complete)

        rows.append(TraineeRow(
            id=user_id, name=name, email=email, team=team_name, hire_date=hire_date, created_at=_as_datetime(created_at),
            percent=percent,
            assignments=resolver.for_trainee(_Trainee(user_id, team_id, hire_date), is_done),
            last_activity=last, attempts=attempts, modules_done=modules_done, stage_values=stages, outline=outline))
    return rows, outline


@dataclass
class _Trainee:
    id: int
    team_id: int
    hire_date: date | None


def sort_rows(rows, sort="attention", descending=False):
    """attention: overdue first (most overdue work, then the oldest due date), then the next due
    date, then the least progress. The other sorts: name, activity (least recent first),
    completion (lowest first); `descending` reverses them."""
    if sort == "name":
        key = lambda r: (r.name.lower(), r.id)                                  # noqa: E731
    elif sort == "activity":
        key = lambda r: (r.last_activity is not None, r.last_activity or datetime.min, r.name.lower())  # noqa: E731
    elif sort == "completion":
        key = lambda r: (r.percent, r.name.lower())                             # noqa: E731
    else:
        def key(r):
            overdue = r.overdue
            return (-len(overdue), min((a.due for a in overdue), default=date.max),
                    r.next_due or date.max, r.percent, r.name.lower())
    return sorted(rows, key=key, reverse=descending)


def dashboard(team_ids, sort="attention", descending=False, page=1, per_page=50, today=None):
    today = today or date.today()
    rows, outline = team_rows(team_ids, today=today)
    summary = {
        "trainees": len(rows),
        "overdue_trainees": sum(1 for r in rows if r.overdue),
        "overdue_items": sum(len(r.overdue) for r in rows),
        "inactive_week": sum(1 for r in rows if r.activity(today) == "inactive"),
        "not_started": sum(1 for r in rows if r.activity(today) == "not started"),
        "average": round(sum(r.percent for r in rows) / len(rows)) if rows else 0,
    }
    rows = sort_rows(rows, sort if sort in SORTS else "attention", descending)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return Page(rows[(page - 1) * per_page: page * per_page], page, per_page, len(rows)), outline, summary


# --- analytics ------------------------------------------------------------------------------------

def _team_attempts(team_ids, scenario=None, trainee_id=None, since=None):
    stmt = (select(ScenarioAttempt.id).join(User, User.id == ScenarioAttempt.user_id)
            .where(User.team_id.in_(sorted(team_ids)), User.role == "trainee"))
    if since is not None:                # played since then (the manager's weekly digest)
        stmt = stmt.where(ScenarioAttempt.updated_at >= since)
    if trainee_id is not None:
        stmt = stmt.where(User.id == trainee_id)
    if scenario:
        stmt = stmt.where(ScenarioAttempt.scenario_slug == scenario)
    return stmt


def _scenario_value(slug, version_ids=None):
    version = publishing.published("scenario", slug)
    return publishing.value_of(version) if version else None


def choice_analytics(team_ids, scenario=None, since=None):
    """How often each choice is taken at each node, per scenario (labels from the published
    version; a choice only an older version had keeps its recorded label)."""
    rows = db.session.execute(
        select(ScenarioAttempt.scenario_slug, AttemptStep.node, AttemptStep.choice, AttemptStep.rating,
               func.min(AttemptStep.choice_label), func.count(),
               func.sum(case((AttemptStep.phase_correct.is_(False), 1), else_=0)))
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(AttemptStep.attempt_id.in_(_team_attempts(team_ids, scenario, since=since)),
               AttemptStep.choice.is_not(None))
        .group_by(ScenarioAttempt.scenario_slug, AttemptStep.node, AttemptStep.choice, AttemptStep.rating)).all()
    per_node = defaultdict(lambda: defaultdict(lambda: {"count": 0, "rating": None, "label": "", "misread": 0}))
    for slug, node, choice, rating, label, count, misread in rows:
        entry = per_node[(slug, node)][choice]
        entry["count"] += count
        entry["rating"] = entry["rating"] or rating
        entry["label"] = entry["label"] or label or ""
        entry["misread"] += misread or 0
    scenarios = {}
    for (slug, node_id), choices in per_node.items():
        scenarios.setdefault(slug, {})[node_id] = choices
    out = []
    wrong = []
    course = publishing.published_course(publishing.course_id())
    for slug in sorted(scenarios):
        value = _scenario_value(slug)
        node_order = {n.id: i for i, n in enumerate(value.nodes)} if value else {}
        nodes = []
        for node_id in sorted(scenarios[slug], key=lambda n: (node_order.get(n, 10_000), n)):
            taken = scenarios[slug][node_id]
            node = value.node(node_id) if value else None
            total = sum(c["count"] for c in taken.values())
            listed = []
            indices = range(len(node.choices)) if node else sorted(taken)
            for index in sorted(set(indices) | set(taken)):
                entry = taken.get(index, {"count": 0, "rating": None, "label": "", "misread": 0})
                source = node.choices[index] if node and index < len(node.choices) else None
                rating = (source.effects.rating if source else None) or entry["rating"]
                label = source.label if source else entry["label"]
                is_wrong = (rating not in GOOD_RATINGS and rating is not None) or entry["misread"] > 0 or (
                    source is not None and node.phase and source.effects.claims not in (None, node.phase))
                item = {"index": index, "label_html": render_inline(label), "label": label, "rating": rating,
                        "count": entry["count"], "share": round(100 * entry["count"] / total) if total else 0,
                        "wrong": bool(is_wrong)}
                listed.append(item)
                if is_wrong and entry["count"]:
                    wrong.append({**item, "scenario": slug, "scenario_title": value.title if value else slug,
                                  "node": node_id, "caption": labels.node_caption(node)})
            nodes.append({"id": node_id, "caption": labels.node_caption(node),
                          "skill": labels.skill_title(node.skill) if node and node.skill else None,
                          "phase": labels.phase_title(course, node.phase) if node and node.phase else None,
                          "total": total, "choices": listed})
        out.append({"slug": slug, "title": value.title if value else slug, "nodes": nodes})
    wrong.sort(key=lambda w: (-w["count"], -w["share"], w["scenario"], w["node"]))
    return out, wrong


def phase_matrix(team_ids, scenario=None, course_id=None, since=None):
    """Signal reading: true phase (rows) against the phase claimed (columns), with counts."""
    rows = db.session.execute(
        select(AttemptStep.phase, AttemptStep.phase_claimed, func.count())
        .where(AttemptStep.attempt_id.in_(_team_attempts(team_ids, scenario, since=since)), AttemptStep.phase.is_not(None),
               AttemptStep.choice.is_not(None))
        .group_by(AttemptStep.phase, AttemptStep.phase_claimed)).all()
    course = publishing.published_course(course_id or publishing.course_id())
    phases = [(p.id, p.title) for p in course.phases] if course else []
    known = {p for p, _ in phases}
    for true, claimed, _ in rows:
        for p in (true, claimed):
            if p and p not in known:
                phases.append((p, labels.phase_title(course, p)))
                known.add(p)
    counts = {(t, c or ""): n for t, c, n in rows}
    matrix = []
    for true, title in phases:
        cells = [counts.get((true, claimed), 0) for claimed, _ in phases]
        none = counts.get((true, ""), 0)
        total = sum(cells) + none
        if total == 0:
            continue
        right = counts.get((true, true), 0)
        matrix.append({"phase": true, "title": title, "cells": cells, "none": none, "total": total,
                       "accuracy": round(100 * right / total) if total else None})
    return {"phases": phases, "rows": matrix, "total": sum(r["total"] for r in matrix),
            "correct": sum(counts.get((p, p), 0) for p, _ in phases)}


def skill_scores(team_ids, scenario=None):
    """Per skill tag: choices made and the share rated best or good."""
    rows = db.session.execute(
        select(AttemptStep.skill, AttemptStep.rating, func.count())
        .where(AttemptStep.attempt_id.in_(_team_attempts(team_ids, scenario)), AttemptStep.choice.is_not(None))
        .group_by(AttemptStep.skill, AttemptStep.rating)).all()
    skills = defaultdict(lambda: {"total": 0, "good": 0, "poor": 0})
    for skill, rating, count in rows:
        entry = skills[skill or "untagged"]
        entry["total"] += count
        entry["good"] += count if rating in GOOD_RATINGS else 0
        entry["poor"] += count if rating == "poor" else 0
    out = [{"skill": s, "title": labels.skill_title(s), **v,
            "score": round(100 * v["good"] / v["total"]) if v["total"] else None} for s, v in skills.items()]
    out.sort(key=lambda s: (s["score"] if s["score"] is not None else 101, s["title"]))
    return out


def scenario_scores(team_ids):
    rows = db.session.execute(
        select(ScenarioAttempt.scenario_slug, func.count(), func.sum(case((ScenarioAttempt.status == "finished", 1),
                                                                          else_=0)),
               func.avg(ScenarioAttempt.percent), func.sum(case((ScenarioAttempt.passed, 1), else_=0)),
               func.count(func.distinct(ScenarioAttempt.user_id)))
        .where(ScenarioAttempt.id.in_(_team_attempts(team_ids)))
        .group_by(ScenarioAttempt.scenario_slug).order_by(ScenarioAttempt.scenario_slug)).all()
    return [{"slug": slug, "attempts": n, "finished": int(finished or 0),
             "average": round(float(avg)) if avg is not None else None, "passed": int(passed or 0),
             "trainees": people} for slug, n, finished, avg, passed, people in rows]


def coaching_list(team_ids, scenario=None, limit_attempts=3, trainee_id=None):
    """For each trainee (or only `trainee_id`, for their page: it reads their steps, not the
    team's), the skills and phases to work on (under COACH_BELOW percent of good choices or
    right reads, with at least COACH_MIN_CHOICES choices), with the attempts that show it
    (most recent first). Only attempts that did not pass count (finished below the pass, or
    started over): a weak choice on the way to a pass is not a weakness to coach."""
    attempts = _team_attempts(team_ids, scenario, trainee_id).where(
        or_(ScenarioAttempt.status == "abandoned",
            and_(ScenarioAttempt.status == "finished", ScenarioAttempt.passed.is_not(True))))
    steps = db.session.execute(
        select(ScenarioAttempt.user_id, AttemptStep.attempt_id, AttemptStep.skill, AttemptStep.phase,
               AttemptStep.phase_correct, AttemptStep.rating, ScenarioAttempt.scenario_slug,
               ScenarioAttempt.started_at)
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(AttemptStep.attempt_id.in_(attempts), AttemptStep.choice.is_not(None))).all()
    skill = defaultdict(lambda: {"total": 0, "good": 0, "evidence": {}, "attempts": set()})
    phase = defaultdict(lambda: {"total": 0, "right": 0, "evidence": {}, "attempts": set()})
    for user_id, attempt_id, skill_tag, true_phase, correct, rating, slug, started in steps:
        entry = skill[(user_id, skill_tag or "untagged")]
        entry["total"] += 1
        entry["attempts"].add(attempt_id)
        if rating in GOOD_RATINGS:
            entry["good"] += 1
        else:
            entry["evidence"][attempt_id] = (started, slug)
        if true_phase:
            entry = phase[(user_id, true_phase)]
            entry["total"] += 1
            entry["attempts"].add(attempt_id)
            if correct:
                entry["right"] += 1
            else:
                entry["evidence"][attempt_id] = (started, slug)
    people = {}
    if steps:
        ids = {s[0] for s in steps}
        people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}

    def evidence(found):
        ranked = sorted(found.items(), key=lambda item: item[1][0] or datetime.min, reverse=True)
        return [{"id": a, "scenario": slug, "started": started} for a, (started, slug) in ranked[:limit_attempts]]

    out = defaultdict(lambda: {"skills": [], "phases": []})
    course = publishing.published_course(publishing.course_id())
    for (user_id, tag), entry in skill.items():
        share = round(100 * entry["good"] / entry["total"])
        if entry["total"] >= COACH_MIN_CHOICES and share < COACH_BELOW:
            out[user_id]["skills"].append({"skill": tag, "title": labels.skill_title(tag), "score": share,
                                           "total": entry["total"], "failed_attempts": len(entry["attempts"]),
                                           "attempts": evidence(entry["evidence"])})
    for (user_id, true_phase), entry in phase.items():
        share = round(100 * entry["right"] / entry["total"])
        if entry["total"] >= COACH_MIN_CHOICES and share < COACH_BELOW:
            out[user_id]["phases"].append({"phase": true_phase, "title": labels.phase_title(course, true_phase),
                                           "score": share, "total": entry["total"], "failed_attempts": len(entry["attempts"]),
                                           "attempts": evidence(entry["evidence"])})
    result = []
    for user_id, found in out.items():
        found["skills"].sort(key=lambda s: (s["score"], s["skill"]))
        found["phases"].sort(key=lambda p: (p["score"], p["phase"]))
        person = people.get(user_id)
        result.append({"id": user_id, "name": person.name if person else str(user_id), **found,
                       "worst": min([s["score"] for s in found["skills"] + found["phases"]], default=100)})
    result.sort(key=lambda r: (r["worst"], r["name"].lower()))
    return result


# --- one trainee ------------------------------------------------------------------------------------

def trainee_attempts(trainee_id):
    return db.session.scalars(select(ScenarioAttempt).where(ScenarioAttempt.user_id == trainee_id)
                              .options(db.selectinload(ScenarioAttempt.comments))
                              .order_by(ScenarioAttempt.started_at.desc(), ScenarioAttempt.id.desc())).all()


def trainee_quizzes(trainee_id):
    return db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == trainee_id)
                              .order_by(QuizAttempt.created_at.desc())).all()


def attempt_in_scope(user, attempt_id):
    """A scenario attempt of a trainee the user manages; NotInScope otherwise (the view's 404)."""
    attempt = db.session.get(ScenarioAttempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None:
        raise assignment_service.NotInScope("attempt")
    assignment_service.trainee_in_scope(user, attempt.user_id)
    return attempt


@dataclass
class TranscriptStep:
    seq: int
    node_id: str
    caption: str                         # the first words the trainee read at this step
    skill: str | None                    # in words
    phase: str | None                    # the phase's title
    phase_claimed: str | None            # the title of the phase the trainee's choice claimed
    phase_correct: bool | None
    narrative_html: str
    choice_html: str
    feedback_html: str
    coach_notes_html: str
    rating: str | None
    deltas: dict
    is_continue: bool
    at: datetime


def transcript(attempt):
    """Each step with the node's text, the choice, its feedback and the coach notes, from the
    version the attempt was played on. Author Markdown goes through the sanitizing renderer."""
    version = attempt.version
    scenario = publishing.value_of(version) if version else None
    course = publishing.published_course(scenario.course if scenario else publishing.course_id())
    steps = []
    for step in attempt.steps:
        node = scenario.node(step.node) if scenario else None
        choice = node.choices[step.choice] if node and step.choice is not None and step.choice < len(node.choices) else None
        effects = step.effects or {}     # the StepOutcome as learning.take_step recorded it
        feedback, deltas = effects.get("feedback", ""), effects.get("deltas") or {}
        steps.append(TranscriptStep(
            seq=step.seq, node_id=step.node, caption=labels.node_caption(node),
            skill=labels.skill_title(step.skill) if step.skill else None,
            phase=labels.phase_title(course, step.phase) if step.phase else None,
            phase_claimed=labels.phase_title(course, step.phase_claimed) if step.phase_claimed else None,
            phase_correct=step.phase_correct,
            narrative_html=render_markdown(node.narrative) if node else "",
            choice_html=render_inline(choice.label if choice else step.choice_label or ""),
            feedback_html=render_markdown(feedback) if feedback else "",
            coach_notes_html=render_markdown(node.sections.get("Coach notes", "")) if node else "",
            rating=step.rating,
            deltas=deltas if isinstance(deltas, dict) else {}, is_continue=step.choice is None,
            at=step.created_at))
    ending = None
    if scenario is not None and attempt.status == "finished":
        node = scenario.node(attempt.current_node)
        if node is not None:
            try:
                known = engine.values(scenario, attempt.state)
            except Exception:  # an old state that no longer fits: show the text uninterpolated
                known = {}
            ending = {"node": node.id, "outcome": attempt.outcome or node.end,
                      "narrative_html": render_interpolated(node.narrative, known),
                      "debrief_html": render_interpolated(node.sections.get("Debrief", ""), known),
                      "coach_notes_html": render_markdown(node.sections.get("Coach notes", ""))}
    return {"scenario": scenario, "steps": steps, "ending": ending}


# --- CSV --------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """ISO 8601 dates and times (with the offset); text that a spreadsheet would read as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date)):
        return formats.iso(value)        # a time with its offset: 2026-12-01T14:05:00+01:00
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(header, rows):
    out = io.StringIO()
    out.write("\ufeff")                  # a byte-order mark, so spreadsheet programs read UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def progress_csv(team_ids, today=None):
    rows, outline = team_rows(team_ids, today=today)
    rows = sort_rows(rows, "name")
    header = (["team", "name", "email", "hire_date", "course_percent", "modules_done"]
              + [f"stage_{sid}_percent" for sid, _ in outline.stages]
              + ["assigned", "done", "overdue", "next_due", "last_activity", "attempts"])
    return _csv(header, ([r.team, r.name, r.email, r.hire_date, r.percent, r.modules_done]
                         + [s.percent for s in r.stages]
                         + [len(r.assignments), sum(1 for a in r.assignments if a.done), len(r.overdue),
                            r.next_due, r.last_activity, r.attempts] for r in rows))


def attempts_csv(team_ids):
    titles = dict(db.session.execute(
        select(ContentVersion.slug, ContentVersion.title).join(PublishedContent,
                                                              PublishedContent.version_id == ContentVersion.id)
        .where(PublishedContent.kind == "scenario")).all())
    reads = (select(AttemptStep.attempt_id, func.count().label("reads"),
                    func.sum(case((AttemptStep.phase_correct.is_(True), 1), else_=0)).label("right"))
             .where(AttemptStep.phase.is_not(None), AttemptStep.choice.is_not(None))
             .group_by(AttemptStep.attempt_id).subquery())
    rows = db.session.execute(
        select(Team.name, User.name, User.email, ScenarioAttempt, ContentVersion.version, reads.c.reads, reads.c.right)
        .join(User, User.id == ScenarioAttempt.user_id).join(Team, Team.id == User.team_id)
        .join(ContentVersion, ContentVersion.id == ScenarioAttempt.version_id)
        .outerjoin(reads, reads.c.attempt_id == ScenarioAttempt.id)
        .where(User.team_id.in_(sorted(team_ids)), User.role == "trainee")
        .order_by(Team.name, User.name, ScenarioAttempt.started_at, ScenarioAttempt.id)).all()
    header = ["team", "name", "email", "attempt_id", "scenario", "scenario_title", "version", "status",
              "started_at", "finished_at", "steps", "percent", "passed", "outcome", "phase_reads", "phase_right",
              "mode"]
    return _csv(header, ([team, name, email, a.id, a.scenario_slug, titles.get(a.scenario_slug, a.scenario_slug),
                          version, a.status, a.started_at, a.finished_at, a.step_count, a.percent, a.passed,
                          a.outcome, reads_n or 0, int(right or 0), a.mode]
                         for team, name, email, a, version, reads_n, right in rows))
