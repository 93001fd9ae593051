"""Role-play attempts: finding the trainee's own, starting one (one open attempt per scenario and
mode, whatever the double clicks), starting over, and the lists of attempts and best scores.

Steps are recorded in role_play_steps.py."""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnDefault, Row, Table, bindparam, func, select, text, update
from sqlalchemy.orm import defer, make_transient_to_detached
from sqlalchemy.sql.selectable import TextualSelect

from app.content import engine
from app.content.model import Scenario
from app.extensions import db
from app.models import ContentVersion, ScenarioAttempt, User
from app.models.base import utcnow
from app.models.learning import counts_as_pass
from app.services import publishing, translations
from app.services.learning.published import published_scenario
from app.services.learning.refusals import NotFound, NotYours, Refused

# Built once: session.get() builds and keys a new statement on every call, and this one runs on
# every step and every page of the player.
_attempts = cast(Table, ScenarioAttempt.__table__)
_ATTEMPT_BY_ID = select(ScenarioAttempt).where(ScenarioAttempt.id == bindparam("attempt_id"))


def own_attempt(user: User, attempt_id: object) -> ScenarioAttempt:
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


def read_again(attempt: ScenarioAttempt) -> ScenarioAttempt:
    """The attempt as stored now (another request moved it on)."""
    return db.session.execute(
        _ATTEMPT_BY_ID.execution_options(populate_existing=True), {"attempt_id": attempt.id}
    ).scalar_one()


def scenario_of(attempt: ScenarioAttempt) -> Scenario:
    """The scenario as it was when the attempt started, in the language it was played in: an
    attempt is pinned to its version and its translation."""
    scenario: Scenario = (
        translations.value_by_id(attempt.translation_id)
        if attempt.translation_id is not None
        else publishing.value_by_id(attempt.version_id)
    )
    return scenario


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


def open_attempt(user: User, scenario_slug: str, mode: str = PRACTICE) -> ScenarioAttempt | None:
    return db.session.scalar(_OPEN_ATTEMPT, {"user_id": user.id, "slug": scenario_slug, "mode": mode})


def is_challenge(attempt: ScenarioAttempt) -> bool:
    return attempt.mode == CHALLENGE


def reveals_steps(attempt: ScenarioAttempt) -> bool:
    """May this attempt's ratings, feedback and score changes be shown? Always in practice; in
    a challenge only once it has ended (its debrief)."""
    return attempt.mode != CHALLENGE or attempt.status == "finished"


def start_attempt(
    user: User,
    scenario_slug: str,
    mode: str = PRACTICE,
    language: str | None = None,
    version: ContentVersion | None = None,
    none_open: bool = False,
) -> tuple[ScenarioAttempt, bool]:
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


def _attempt_row(attempt: ScenarioAttempt) -> dict[str, object]:
    """The attempt's columns as the INSERT writes them (a column's own default where unset)."""
    row: dict[str, object] = {}
    for column in _attempts.columns:
        if column.key != "id":
            value = getattr(attempt, column.key)
            if value is None and isinstance(column.default, ColumnDefault) and column.default.is_scalar:
                value = column.default.arg
            row[column.key] = value
    return row


@lru_cache(maxsize=2)
def _insert_attempt_for(dialect: str) -> TextualSelect:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id on the one-open-attempt index (SQLite and
    PostgreSQL spell it alike): a clash writes nothing and returns no id. SQLAlchemy never
    caches the dialects' ON CONFLICT inserts (their `inherit_cache` is False): built as one, it
    compiled again on every start (about 0.5 ms). Its SQL is kept here as text, typed like the
    table's columns (the JSON state, the dates), which SQLAlchemy caches like any text."""
    from sqlalchemy.dialects import postgresql, sqlite

    table = _attempts
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = (
        module.insert(table)
        .on_conflict_do_nothing(
            index_elements=[table.c.user_id, table.c.scenario_slug, table.c.mode],
            index_where=text("status = 'in_progress'"),
        )  # the index's own predicate, as written (not a parameter)
        .returning(table.c.id)
    )
    columns = [column for column in table.columns if column.key != "id"]
    sql = str(stmt.compile(dialect=module.dialect(paramstyle="named"), column_keys=[c.key for c in columns]))
    return (
        text(sql.replace("::", "\\:\\:"))  # a PostgreSQL cast (:state::JSON), not a parameter
        .bindparams(*(bindparam(column.key, type_=column.type) for column in columns))
        .columns(table.c.id)
    )


def _insert_attempt() -> TextualSelect:
    return _insert_attempt_for(db.session.get_bind().dialect.name)


STARTED_OVER = _l("You started this role-play over, so that attempt is closed. Here is where you are now.")


def start_over(user: User, attempt_id: int) -> ScenarioAttempt:
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


def _finish(attempt: ScenarioAttempt, scenario: Scenario, state: dict[str, Any]) -> None:
    attempt.status = "finished"
    attempt.percent = engine.percent(scenario, state)
    attempt.passed = engine.passed(scenario, state)
    attempt.outcome = state.get("outcome")
    attempt.finished_at = utcnow()


# Built once (building and keying a statement cost more CPU than running it): the briefing
# lists the trainee's attempts of its scenario on every view.
_ATTEMPTS = (
    select(ScenarioAttempt)
    .options(defer(ScenarioAttempt.state))
    .where(ScenarioAttempt.user_id == bindparam("user_id"))
    .order_by(ScenarioAttempt.started_at.desc(), ScenarioAttempt.id.desc())
)
_ATTEMPTS_OF_SCENARIO = _ATTEMPTS.where(ScenarioAttempt.scenario_slug == bindparam("slug"))


def attempts_of(user: User, scenario_slug: str | None = None) -> Sequence[ScenarioAttempt]:
    """The trainee's attempts, newest first, without their states (what a list shows)."""
    if scenario_slug:
        return db.session.scalars(_ATTEMPTS_OF_SCENARIO, {"user_id": user.id, "slug": scenario_slug}).all()
    return db.session.scalars(_ATTEMPTS, {"user_id": user.id}).all()


# Read by the dashboard and the module pages on every visit: built once, not per request
# (building and keying a statement cost more CPU than running it).
# What the dashboard shows of a role-play in progress: the columns, not the attempts (building
# each mapped object cost more than the statement)
_OPEN_ATTEMPTS = (
    select(
        ScenarioAttempt.id, ScenarioAttempt.scenario_slug, ScenarioAttempt.mode, ScenarioAttempt.step_count
    )
    .where(ScenarioAttempt.user_id == bindparam("user_id"), ScenarioAttempt.status == "in_progress")
    .order_by(ScenarioAttempt.updated_at.desc())
)
_BEST_SCORES = (
    select(
        ScenarioAttempt.scenario_slug,
        func.max(ScenarioAttempt.percent),
        func.max(db.case((counts_as_pass(), 1), else_=0)),
        func.count(),
    )
    .where(
        ScenarioAttempt.user_id == bindparam("user_id"),
        ScenarioAttempt.status == "finished",
        ScenarioAttempt.replayed_from_id.is_(None),
    )
    .group_by(ScenarioAttempt.scenario_slug)
)


def open_attempts(user: User) -> Sequence[Row[tuple[int, str, str, int]]]:
    """(id, scenario_slug, mode, step_count) of the trainee's attempts in progress, latest first."""
    return db.session.execute(_OPEN_ATTEMPTS, {"user_id": user.id}).all()


def best_scores(user: User) -> dict[str, dict[str, Any]]:
    """{scenario slug: {"best": percent, "passed": bool, "attempts": n}} over finished attempts
    played from the start (a practice replay from a step is neither a best score nor a pass)."""
    rows = db.session.execute(_BEST_SCORES, {"user_id": user.id})
    return {slug: {"best": best, "passed": bool(passed), "attempts": n} for slug, best, passed, n in rows}
