"""The trainee's learning records: page views, knowledge checks, scenario attempts and their steps.

Records are appended, never edited (the attempt row is the one running summary). Every write
here is safe to repeat: a double click, a replayed POST, a second tab or the back button finds
what the first request wrote instead of writing it twice, and the database enforces it
(unique quiz submission token, unique (attempt, seq), one open attempt per scenario).

Locks: with `unlock: sequential` a stage opens when the previous one is complete. Work a
manager assigned (the module, or the scenario itself) is open whatever the stage: the manager
decided the rep should do it now. A course assignment opens nothing early: it *is* the sequence.
"""

import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.content import engine, quiz
from app.extensions import db
from app.models import (
    AttemptStep,
    ContentVersion,
    PageView,
    QuizAttempt,
    ScenarioAttempt,
)
from app.models.base import utcnow
from app.models.learning import counts_as_pass
from app.services import assignments as assignment_service
from app.services import progress as progress_service
from app.services import publishing, signal_picks, stages, translations


class NotFound(LookupError):
    """No such published thing, or a record of another trainee: the view answers 404."""


class NotYours(NotFound):
    """The record exists but belongs to another trainee: still a 404, and worth an audit entry."""


class Refused(ValueError):
    """A request we refuse with a message in the trainee's words; nothing was written."""


class StaleStep(Exception):
    """The step was already taken (double click, replay, second tab, back button)."""

    def __init__(self, attempt, seq):
        super().__init__(f"step {seq} of attempt {attempt.id} is already recorded")
        self.attempt_id = attempt.id
        self.seq = seq
        self.attempt = attempt  # as it is now: what the answer shows


# --- what is published ----------------------------------------------------------------------


def published_module(slug, language=None):
    """(version, module) published now, in `language` when it has a translation (services/translations)."""
    return _published("module", slug, language)


def published_scenario(slug, language=None):
    return _published("scenario", slug, language)


def _published(kind, slug, language):
    version = publishing.published(kind, slug)
    value = translations.localized(kind, version, language)[0] if version is not None else None
    if value is None:
        raise NotFound(slug)
    return version, value


def scenario_titles(language=None):
    """{slug: title} of every published scenario (in `language` where translated), in one query each."""
    titles = {slug: v.title or slug for slug, v in publishing.published_all("scenario").items()}
    return titles | translations.titles("scenario", language) if language else titles


# --- first visit ---------------------------------------------------------------------------


def first_visit(user, progress, open_attempts):
    """Show the welcome (the method and the six stages) until the trainee dismisses it or
    starts learning: a rep already at work has met the method."""
    started = bool(open_attempts) or any(
        m.started for s in (progress.stages if progress else []) for m in s.modules
    )
    return user.welcomed_at is None and not started


def dismiss_welcome(user):
    """Remembered on the account, so the welcome stays dismissed on every device."""
    if user.welcomed_at is None:
        user.welcomed_at = utcnow()


# --- assignments and locks -----------------------------------------------------------------


def assignments_for(user, today=None, progress=None):
    """The assignments that count for this trainee (user-level beats the team's date), each
    with due date, overdue and done; overdue first (`progress`: the trainee's, when the page
    has read it already). See services/assignments.py."""
    return assignment_service.effective_assignments(user, today=today, progress=progress)


@dataclass
class Access:
    open: bool
    stage: object = None  # StageProgress of the thing
    blocking: object = None  # the StageProgress to finish first
    assigned: bool = False


@lru_cache(maxsize=1)
def _assigned_targets_statement():
    from sqlalchemy import or_

    from app.models import Assignment

    return select(Assignment.target_kind, Assignment.target_slug).where(
        Assignment.cancelled_at.is_(None),
        or_(Assignment.user_id == bindparam("user_id"), Assignment.team_id == bindparam("team_id")),
    )


def _assigned_targets(user):
    # a NULL team_id matches no row: the user's own assignments only
    rows = db.session.execute(_assigned_targets_statement(), {"user_id": user.id, "team_id": user.team_id})
    return {(kind, slug) for kind, slug in rows}


def access_to(user, progress, stage_id, module_id=None, scenario_id=None):
    """May the trainee open this module or scenario now? Stage lock, unless assigned."""
    stage = next((s for s in (progress.stages if progress else []) if s.id == stage_id), None)
    if stage is None or stage.unlocked:
        return Access(True, stage)
    if stages.opened_by_assignment(_assigned_targets(user), progress, module_id, scenario_id):
        return Access(True, stage, assigned=True)
    blocking = None
    for s in progress.stages:
        if s.id == stage_id:
            break
        if not s.complete:
            blocking = s
            break
    return Access(False, stage, blocking)


# --- lesson pages ---------------------------------------------------------------------------


def record_page_view(user, version, page):
    """Note that the trainee opened a page. The first view of each page is enough for progress;
    a page read again after a failed knowledge check is noted too, because re-reading it is
    what opens the next try early (see retry_pause)."""
    seen = db.session.scalar(
        select(func.max(PageView.viewed_at)).where(
            PageView.user_id == user.id, PageView.module_slug == version.slug, PageView.page == page
        )
    )
    if seen is not None:
        failed = db.session.scalar(
            select(func.max(QuizAttempt.created_at)).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.module_slug == version.slug,
                QuizAttempt.passed.is_(False),
            )
        )
        if failed is None or seen > failed:
            return False
    db.session.add(PageView(user_id=user.id, module_slug=version.slug, version_id=version.id, page=page))
    db.session.flush()
    return seen is None


def pages_seen(user, module_slug):
    return set(
        db.session.scalars(
            select(PageView.page)
            .where(PageView.user_id == user.id, PageView.module_slug == module_slug)
            .distinct()
        )
    )


# --- knowledge checks -------------------------------------------------------------------------

# After two failed tries in a row, the next one waits this long, unless the trainee re-reads a
# page the missed questions are about: a third guess straight away teaches nothing.
RETRY_WAIT = timedelta(minutes=10)
FAILS_BEFORE_PAUSE = 2


def new_submission_token():
    return secrets.token_urlsafe(24)


def drawn(module, submission):
    """The questions (and answer order) of the check carrying this submission token. The seed is
    keyed with the app's secret, so a trainee cannot pick a token for a draw they prefer."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), (submission or "").encode(), hashlib.sha256)
    return quiz.draw(module, int.from_bytes(digest.digest()[:8], "big"))


@dataclass
class QuestionResult:
    number: int  # position in the attempt, as shown (1-based)
    question: object
    chosen: list  # answer numbers of the module
    correct: bool
    order: tuple = ()  # the module's answer numbers in the order shown

    @property
    def answers_shown(self):
        """(answer number in the module, answer) in the order the trainee saw them."""
        return [(i, self.question.answers[i - 1]) for i in self.order]

    @property
    def missed_some(self):
        """Every answer chosen is right but a right one is missing (a "select all" question)."""
        right = {i for i, a in enumerate(self.question.answers, 1) if a.correct}
        return not self.correct and bool(self.chosen) and set(self.chosen) < right


def grade(module, answers, shown=None):
    """answers {question number: [answer numbers]} (numbers of the module, 1-based) over the
    questions the attempt asked (`shown`, as recorded; every question when None) ->
    (percent, passed, [QuestionResult] in the order asked)."""
    results = []
    for position, asked in enumerate(quiz.from_record(module, shown), 1):
        question = module.quiz[asked.number - 1]
        given = answers.get(str(asked.number), answers.get(asked.number, [])) or []
        chosen = sorted({int(v) for v in given if str(v).isdigit()})
        right = [i for i, a in enumerate(question.answers, 1) if a.correct]
        results.append(QuestionResult(position, question, chosen, chosen == right, asked.order))
    total = len(results)
    percent = round(100 * sum(r.correct for r in results) / total) if total else 100
    return percent, percent >= module.pass_percent, results


def module_version(slug, version_id, language=None):
    """The module version a quiz form was rendered from (or the published one), in `language`."""
    if version_id:
        version = db.session.get(ContentVersion, version_id)
        if version is not None and version.kind == "module" and version.slug == slug:
            return version, translations.localized("module", version, language)[0]
    return published_module(slug, language)


@dataclass
class RetryPause:
    """Why the next try must wait: two failed tries in a row. It opens at `until`, or as soon
    as the trainee opens one of `pages` again ([(number, title)])."""

    until: object
    pages: list

    def minutes_left(self, now=None):
        left = (self.until - (now or utcnow())).total_seconds()
        return max(1, -(-int(left) // 60))


def retry_pause(user, module_slug, module, now=None):
    """The pause before the next try, or None when the trainee may try now."""
    now = now or utcnow()
    recent = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.module_slug == module_slug)
        .order_by(QuizAttempt.id.desc())
        .limit(FAILS_BEFORE_PAUSE)
    ).all()
    if len(recent) < FAILS_BEFORE_PAUSE or any(a.passed for a in recent):
        return None
    last = recent[0]
    if now >= last.created_at + RETRY_WAIT:
        return None
    if db.session.scalar(
        select(QuizAttempt.id)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.module_slug == module_slug, QuizAttempt.passed)
        .limit(1)
    ):
        return None  # passed before: further tries are practice
    pages = pages_to_reread(module, last)
    reread = db.session.scalar(
        select(PageView.id)
        .where(
            PageView.user_id == user.id,
            PageView.module_slug == module_slug,
            PageView.page.in_([n for n, _t in pages]),
            PageView.viewed_at > last.created_at,
        )
        .limit(1)
    )
    if reread is not None:
        return None
    return RetryPause(last.created_at + RETRY_WAIT, pages)


def pages_to_reread(module, attempt):
    """The lesson pages the questions missed in the attempt are about (`page:` of each
    question), or every page when they name none."""
    try:
        asked_module = quiz_module(attempt)
        _p, _ok, results = grade(asked_module, attempt.answers or {}, attempt.shown)
        numbers = sorted({r.question.page for r in results if not r.correct and r.question.page})
    except (LookupError, ValueError, TypeError, AttributeError):
        numbers = []
    numbers = [n for n in numbers if 1 <= n <= len(module.pages)] or list(range(1, len(module.pages) + 1))
    return [(n, module.pages[n - 1].title) for n in numbers]


def submit_quiz(user, module_slug, version, submission, answers, now=None, language=None):
    """Record a knowledge check once per submission token. Returns (attempt, created): a
    replayed token gives back the first result, whatever answers came with it. Refused (nothing
    written) while a pause after two failed tries is running."""
    existing = db.session.scalar(select(QuizAttempt).where(QuizAttempt.submission == submission))
    if existing is not None:
        if existing.user_id != user.id:
            raise NotFound(submission)
        return existing, False
    module = publishing.value_of(version)
    pause = retry_pause(user, module_slug, module, now)
    if pause is not None:
        raise Refused(pause_message(pause, now))
    shown = quiz.to_record(drawn(module, submission))
    asked = {str(n) for n, _order in shown}
    answers = {
        str(k): sorted({int(v) for v in (answers.get(k) or []) if str(v).isdigit()})
        for k in map(str, answers)
        if k in asked
    }
    percent, passed, _wrong = grade(module, answers, shown)
    attempt = QuizAttempt(
        user_id=user.id,
        module_slug=module_slug,
        version_id=version.id,
        submission=submission,
        answers=answers,
        shown=shown,
        percent=percent,
        passed=passed,
        language=translations.localized("module", version, language)[1],
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another request with the same token got there first (a double click).
        existing = db.session.scalar(select(QuizAttempt).where(QuizAttempt.submission == submission))
        if existing is None or existing.user_id != user.id:
            raise NotFound(submission) from None
        return existing, False
    return attempt, True


def pause_message(pause, now=None):
    titles = _(" or ").join(_("“%(title)s”", title=title) for _n, title in pause.pages[:3])
    minutes = pause.minutes_left(now)
    reread = ngettext(
        "re-read %(titles)s (the page your missed questions are about)",
        "re-read %(titles)s (the pages your missed questions are about)",
        len(pause.pages),
        titles=titles,
    )
    later = ngettext("come back in %(num)d minute", "come back in %(num)d minutes", minutes)
    return _(
        "Two tries in a row missed the pass mark, so take a moment before the next one: %(reread)s, "
        "or %(later)s.",
        reread=reread,
        later=later,
    )


def own_quiz_attempt(user, attempt_id):
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise NotFound(attempt_id)
    if attempt.user_id != user.id:
        raise NotYours(attempt_id)
    return attempt


def quiz_module(attempt):
    """The module as it was when this knowledge check was taken, in the language it was taken in."""
    return translations.localized(
        "module", db.session.get(ContentVersion, attempt.version_id), attempt.language
    )[0]


def quiz_passed(user, module_slug):
    """Has the trainee passed this module's check (any version)? Until then a result page
    shows what was wrong and why, not which answers are right."""
    return (
        db.session.scalar(
            select(QuizAttempt.id)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.module_slug == module_slug, QuizAttempt.passed)
            .limit(1)
        )
        is not None
    )


def quiz_history(user, module_slug):
    return db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.module_slug == module_slug)
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    ).all()


# --- scenario attempts ------------------------------------------------------------------------

# Built once: session.get() builds and keys a new statement on every call, and this one runs on
# every step and every page of the player.
_ATTEMPT_BY_ID = select(ScenarioAttempt).where(ScenarioAttempt.id == bindparam("attempt_id"))


def own_attempt(user, attempt_id):
    """The trainee's own attempt; anyone else's is 'not found'."""
    attempt = (
        db.session.execute(_ATTEMPT_BY_ID, {"attempt_id": attempt_id}).scalar()
        if isinstance(attempt_id, int)
        else None
    )
    if attempt is None:
        raise NotFound(attempt_id)
    if attempt.user_id != user.id:
        raise NotYours(attempt_id)
    return attempt


def _read_again(attempt):
    return db.session.execute(
        _ATTEMPT_BY_ID.execution_options(populate_existing=True), {"attempt_id": attempt.id}
    ).scalar()


def scenario_of(attempt):
    """The scenario as it was when the attempt started, in the language it was played in: an
    attempt is pinned to its version and its translation."""
    if attempt.translation_id is not None:
        return translations.value_by_id(attempt.translation_id)
    return publishing.value_by_id(attempt.version_id)


# Practice shows each choice's rating, feedback and score changes at once; a challenge shows
# the prospect's reaction only and reveals everything in the debrief. A trainee may have one
# attempt of each open on a scenario: they are different exercises, and one is never resumed
# as the other.
PRACTICE, CHALLENGE = "practice", "challenge"
MODES = (PRACTICE, CHALLENGE)


_OPEN_ATTEMPT = select(ScenarioAttempt).where(
    ScenarioAttempt.user_id == bindparam("user_id"),
    ScenarioAttempt.scenario_slug == bindparam("slug"),
    ScenarioAttempt.mode == bindparam("mode"),
    ScenarioAttempt.status == "in_progress",
)


def open_attempt(user, scenario_slug, mode=PRACTICE):
    return db.session.scalar(_OPEN_ATTEMPT, {"user_id": user.id, "slug": scenario_slug, "mode": mode})


def is_challenge(attempt):
    return attempt.mode == CHALLENGE


def reveals_steps(attempt):
    """May this attempt's ratings, feedback and score changes be shown? Always in practice; in
    a challenge only once it has ended (its debrief)."""
    return attempt.mode != CHALLENGE or attempt.status == "finished"


def start_attempt(user, scenario_slug, mode=PRACTICE, language=None, version=None, none_open=False):
    """Resume the open attempt of this mode, or start one on the published version (`version`:
    the one the caller has just read, else read here), in `language` when the scenario has a
    translation in it (else in its own; `none_open`: the caller has just found no open attempt).
    Returns (attempt, created). Two clicks at once cannot open two: the database allows one open
    attempt per scenario and mode, and the second insert does nothing."""
    if mode not in MODES:
        raise Refused(_("Choose practice or challenge to start this role-play."))
    existing = None if none_open else open_attempt(user, scenario_slug, mode)
    if existing is not None:
        return existing, False
    if version is None:
        version, scenario = published_scenario(scenario_slug)
    else:
        scenario = publishing.value_of(version)
    variant = translations.variant("scenario", version, language)
    try:
        state = engine.start_state(scenario)
    except engine.EngineError:
        raise Refused(_("This role-play cannot be played right now; please tell your trainer.")) from None
    now = utcnow()
    attempt = ScenarioAttempt(
        user_id=user.id,
        scenario_slug=scenario_slug,
        version_id=version.id,
        mode=mode,
        status="in_progress",
        current_node=state["node"],
        state=state,
        step_count=0,
        started_at=now,
        updated_at=now,
        translation_id=getattr(variant, "id", None),
        language=variant.language if variant else translations.source_language(scenario),
    )
    if state.get("finished"):
        _finish(attempt, scenario, state)
    # One statement through the connection (no unit of work, no savepoint): a start is the
    # second most frequent write after a step.
    row = _attempt_row(attempt)
    for key, value in row.items():  # every column known: nothing to load back later
        setattr(attempt, key, value)
    for _try in range(2):
        new_id = db.session.connection().execute(_insert_attempt(), row).scalar()
        if new_id is not None:
            break
        existing = open_attempt(user, scenario_slug, mode)  # a second click got there first
        if existing is not None:
            return existing, False
    else:
        raise RuntimeError(f"could not start {scenario_slug} for user {user.id}")
    attempt.id = new_id
    make_transient_to_detached(attempt)  # the row as written, known to the session without a read
    db.session.add(attempt)
    return attempt, True


def _attempt_row(attempt):
    """The attempt's columns as the INSERT writes them (a column's own default where unset)."""
    row = {}
    for column in _attempts.columns:
        if column.key != "id":
            value = getattr(attempt, column.key)
            if value is None and column.default is not None and column.default.is_scalar:
                value = column.default.arg
            row[column.key] = value
    return row


@lru_cache(maxsize=2)
def _insert_attempt_for(dialect):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id on the one-open-attempt index (SQLite and
    PostgreSQL spell it alike): a clash writes nothing and returns no id."""
    from sqlalchemy.dialects import postgresql, sqlite

    table = ScenarioAttempt.__table__
    stmt = (
        postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    ).on_conflict_do_nothing(
        index_elements=[table.c.user_id, table.c.scenario_slug, table.c.mode],
        index_where=text("status = 'in_progress'"),
    )  # the index's own predicate, as written (not a parameter)
    return stmt.returning(table.c.id)


def _insert_attempt():
    return _insert_attempt_for(db.session.get_bind().dialect.name)


STARTED_OVER = _l("You started this role-play over, so that attempt is closed. Here is where you are now.")


def start_over(user, attempt_id):
    """Close the trainee's attempt in progress (status "abandoned": its steps stay in their
    history and in the team's analytics, it no longer counts as open) and start the scenario
    again on its published version, in the same mode. Returns the new attempt. A second click,
    or a second tab, finds the attempt already closed and gets the open one: one new attempt,
    never two."""
    attempt = own_attempt(user, attempt_id)
    if attempt.status == "finished":
        raise Refused(_("This role-play has already ended; play it again from its page."))
    with db.session.begin_nested():  # closed only if the fresh start can be made
        if attempt.status == "in_progress":
            db.session.execute(
                update(ScenarioAttempt)
                .where(ScenarioAttempt.id == attempt.id, ScenarioAttempt.status == "in_progress")
                .values(status="abandoned", finished_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        new, _created = start_attempt(user, attempt.scenario_slug, attempt.mode, attempt.language)
    return new


def _finish(attempt, scenario, state):
    attempt.status = "finished"
    attempt.percent = engine.percent(scenario, state)
    attempt.passed = engine.passed(scenario, state)
    attempt.outcome = state.get("outcome")
    attempt.finished_at = utcnow()


_attempts = cast(Table, ScenarioAttempt.__table__)
# Compare-and-set: moves the attempt on only from the step count the choice was made at. The
# SET clause is given per execution (an ending also sets status, percent, passed...).
_MOVE_ATTEMPT = update(_attempts).where(
    _attempts.c.id == bindparam("b_id"),
    _attempts.c.step_count == bindparam("b_count"),
    _attempts.c.status == "in_progress",
)
_INSERT_STEP = insert(cast(Table, AttemptStep.__table__))


@dataclass(frozen=True)
class RecordedStep:
    attempt: ScenarioAttempt  # as moved on (no read-back needed)
    step: AttemptStep  # the row inserted, for the feedback page


class FiguresRefused(Refused):
    """A sheet's figures that cannot be read or are out of bounds: field -> numbers.FigureError.
    Nothing is written; the player shows each reason beside its field."""

    def __init__(self, errors):
        super().__init__("Some figures could not be read. Nothing was recorded.")
        self.errors = errors


class NothingPicked(Refused):
    """A signal-picking step submitted with no observation ticked: said beside the list."""


def take_step(user, attempt_id, seq, choice=None, figures=None, items=None):
    """Record step `seq` of an attempt: choice N (1-based among those shown), the figures of a
    sheet (`figures`: field -> the text typed), the observations ticked on a signal-picking
    node (`items`, 0-based in source order), or Continue when none is given. Raises NotFound
    (not yours), StaleStep (already taken: show the current state), Refused (finished attempt,
    choice not offered, FiguresRefused, NothingPicked; nothing written).

    The attempt row is moved forward with a compare-and-set on step_count, and the step row is
    unique on (attempt, seq): concurrent posts of one step record exactly one, on SQLite and
    PostgreSQL alike. Both writes are in the request's one transaction."""
    attempt = own_attempt(user, attempt_id)
    if seq <= attempt.step_count:
        raise StaleStep(attempt, seq)
    if attempt.status == "abandoned":
        raise Refused(str(STARTED_OVER))
    if attempt.status != "in_progress":
        raise Refused(_("This role-play has ended, so it takes no more answers. Here is your debrief."))
    if seq != attempt.step_count + 1:
        raise StaleStep(attempt, seq)
    scenario = scenario_of(attempt)
    state = attempt.state
    try:
        if figures is not None:
            new, outcome = engine.submit_sheet(scenario, state, figures)
        elif items is not None:
            new, outcome = engine.pick_signals(scenario, state, items)
        elif choice is None:
            new, outcome = engine.continue_(scenario, state)
        else:
            new, outcome = engine.step(scenario, state, choice)
    except engine.FiguresRefused as refused:
        raise FiguresRefused(refused.errors) from None
    except engine.AttemptFinished:
        raise Refused(
            _("This role-play has ended, so it takes no more answers. Here is your debrief.")
        ) from None
    except engine.NothingPicked:
        raise NothingPicked(
            _("Tick at least one observation: the ones that support the reading. Nothing was recorded.")
        ) from None
    except engine.ChoiceNotOffered:
        raise Refused(
            _(
                "That answer is not offered at this point of the conversation. "
                "Choose one of the answers shown."
            )
        ) from None
    except engine.ContentError:
        raise Refused(
            _(
                "This role-play has a problem in its content at this point; "
                "please tell your trainer. Nothing was recorded."
            )
        ) from None
    now = utcnow()
    values = dict(state=new, current_node=new["node"], step_count=seq, updated_at=now)
    if outcome.ended:
        values.update(
            status="finished",
            percent=outcome.percent,
            passed=outcome.passed,
            outcome=outcome.outcome,
            finished_at=now,
        )
    # Both writes go through the connection with statements built once (no unit of work for
    # two known rows): this is the one path every step of every trainee takes.
    conn = db.session.connection()
    moved = conn.execute(_MOVE_ATTEMPT, {**values, "b_id": attempt.id, "b_count": seq - 1})
    if moved.rowcount != 1:  # another request moved it on first; nothing was written here
        raise StaleStep(_read_again(attempt), seq)
    effects = outcome.to_json()
    effects["scores_after"] = dict(new["scores"])
    effects["ledger_after"] = {"given": dict(new["ledger"]["given"]), "got": dict(new["ledger"]["got"])}
    effects["walkaways_after"] = engine.walkaway_limits(scenario, new)
    row = dict(
        attempt_id=attempt.id,
        seq=seq,
        node=outcome.node,
        choice=outcome.choice_index,
        choice_label=outcome.label or "",
        effects=effects,
        skill=outcome.skill,
        phase=outcome.phase if choice is not None else None,
        phase_claimed=outcome.claims if outcome.phase and choice is not None else None,
        phase_correct=outcome.phase_correct if choice is not None else None,
        rating=outcome.rating,
        created_at=now,
        kind=outcome.kind,
    )
    # The unique (attempt, seq) backs the compare-and-set: a clash here would mean the two
    # disagree, an error (the request rolls back), not a double click.
    inserted = conn.execute(_INSERT_STEP, row)
    if outcome.verdicts is not None:
        signal_picks.record(
            conn, inserted.inserted_primary_key[0], scenario.node(outcome.node), outcome.verdicts
        )
    for key, value in values.items():  # the row as written, without reading it back
        set_committed_value(attempt, key, value)
    return RecordedStep(attempt, AttemptStep(id=inserted.inserted_primary_key[0], **row))


def step_of(attempt, seq):
    step = db.session.scalar(
        select(AttemptStep).where(AttemptStep.attempt_id == attempt.id, AttemptStep.seq == seq)
    )
    if step is None:
        raise NotFound(seq)
    return step


def steps_of(attempt):
    return db.session.scalars(
        select(AttemptStep).where(AttemptStep.attempt_id == attempt.id).order_by(AttemptStep.seq)
    ).all()


def attempts_of(user, scenario_slug=None):
    """The trainee's attempts, newest first, without their states (what a list shows)."""
    stmt = (
        select(ScenarioAttempt)
        .options(defer(ScenarioAttempt.state))
        .where(ScenarioAttempt.user_id == user.id)
    )
    if scenario_slug:
        stmt = stmt.where(ScenarioAttempt.scenario_slug == scenario_slug)
    return db.session.scalars(
        stmt.order_by(ScenarioAttempt.started_at.desc(), ScenarioAttempt.id.desc())
    ).all()


def open_attempts(user):
    return db.session.scalars(
        select(ScenarioAttempt)
        .where(ScenarioAttempt.user_id == user.id, ScenarioAttempt.status == "in_progress")
        .order_by(ScenarioAttempt.updated_at.desc())
    ).all()


def best_scores(user):
    """{scenario slug: {"best": percent, "passed": bool, "attempts": n}} over finished attempts
    played from the start (a practice replay from a step is neither a best score nor a pass)."""
    rows = db.session.execute(
        select(
            ScenarioAttempt.scenario_slug,
            func.max(ScenarioAttempt.percent),
            func.max(db.case((counts_as_pass(), 1), else_=0)),
            func.count(),
        )
        .where(
            ScenarioAttempt.user_id == user.id,
            ScenarioAttempt.status == "finished",
            ScenarioAttempt.replayed_from_id.is_(None),
        )
        .group_by(ScenarioAttempt.scenario_slug)
    )
    return {slug: {"best": best, "passed": bool(passed), "attempts": n} for slug, best, passed, n in rows}


# --- what to do next --------------------------------------------------------------------------


@dataclass
class NextStep:
    kind: str  # page, check, scenario, done
    module: object  # ModuleProgress
    label: str
    scenario: str | None = None


def next_step_in(module, titles=None):
    """The next small step inside a module, from its progress."""
    if module.pages_seen < module.pages_total:
        if module.pages_seen:
            label = _(
                "Keep reading: %(seen)s of %(total)s pages read",
                seen=module.pages_seen,
                total=module.pages_total,
            )
        else:
            label = ngettext(
                "Read the lesson (%(num)d short page)",
                "Read the lesson (%(num)d short pages)",
                module.pages_total,
            )
        return NextStep("page", module, label)
    if module.has_quiz and not module.quiz_passed:
        label = (
            _("Take the knowledge check") if module.quiz_best is None else _("Try the knowledge check again")
        )
        return NextStep("check", module, label)
    for slug, score in module.scenarios.items():
        if not score["passed"]:
            title = (titles or {}).get(slug, slug)
            label = (
                _("Play the role-play: %(title)s", title=title)
                if score["best"] is None
                else _("Replay the role-play: %(title)s", title=title)
            )
            return NextStep("scenario", module, label, scenario=slug)
    return NextStep("done", module, _("Module complete"))


# --- my progress ------------------------------------------------------------------------------


def attempts_over_time(user, limit=40):
    rows = db.session.execute(
        select(
            ScenarioAttempt.id,
            ScenarioAttempt.scenario_slug,
            ScenarioAttempt.percent,
            ScenarioAttempt.passed,
            ScenarioAttempt.finished_at,
        )
        .where(ScenarioAttempt.user_id == user.id, ScenarioAttempt.status == "finished")
        .order_by(ScenarioAttempt.finished_at.desc(), ScenarioAttempt.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


@dataclass
class PhaseReading:
    phase: str
    seen: int
    correct: int
    confused_with: list  # [(claimed phase, times)], most frequent first

    @property
    def misread(self):
        return self.seen - self.correct

    @property
    def percent(self):
        return round(100 * self.correct / self.seen) if self.seen else 0


def phase_readings(user):
    """How well the trainee reads each maturation phase, worst first (most misreads)."""
    rows = db.session.execute(
        select(AttemptStep.phase, AttemptStep.phase_claimed, AttemptStep.phase_correct, func.count())
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(ScenarioAttempt.user_id == user.id, AttemptStep.phase.is_not(None))
        .group_by(AttemptStep.phase, AttemptStep.phase_claimed, AttemptStep.phase_correct)
    )
    seen, correct, confused = Counter(), Counter(), defaultdict(Counter)
    for phase, claimed, ok, n in rows:
        seen[phase] += n
        if ok:
            correct[phase] += n
        elif claimed:
            confused[phase][claimed] += n
    out = [PhaseReading(p, seen[p], correct[p], confused[p].most_common()) for p in seen]
    out.sort(key=lambda r: (-r.misread, r.percent, r.phase))
    return out


def progress_of(user, language=None):
    return progress_service.progress_of(user.id, language=language)  # the published course


def module_listing(scenario_slug, language=None):
    """The first module of the published course (in course order) that lists this role-play,
    for its breadcrumb and "Back to the module" (titled in `language` where translated): from
    the outline, without the trainee's records."""
    from app.services.outline import load_outline

    return next(
        (m for m in load_outline(language=language).modules.values() if scenario_slug in m.scenarios), None
    )
