"""Reinforcement ("boosts"), what a rep has met: the fold reads the knowledge checks and the
role-play steps (phase readings, signal picks) recorded since its marks and moves each item's
memory on with the rep's answer there, in the order they were given: wrong is Again, right
straight after a wrong answer is Hard, right is Good (content/recall.grade). Nothing in the
check or the player has to know about boosts; existing records count too."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from fsrs import State
from sqlalchemy import bindparam, case, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.util import identity_key

from app.content import recall
from app.content import signals as signal_picking
from app.content.model import Scenario
from app.extensions import db
from app.models import AttemptStep, BoostItem, BoostMark, QuizAttempt, ScenarioAttempt, User
from app.models.base import utcnow
from app.services import publishing
from app.services.boosts_memory import MEMORY_COLUMNS, PHASE, QUESTION, SIGNALS, meet
from app.services.learning.knowledge_checks import grade as grade_check

# --- the fold -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Met:
    """One answer a rep gave to something that becomes an item."""

    when: datetime
    kind: str
    slug: str
    ref: str
    answer_key: str
    version_id: int
    phase: str | None
    correct: bool


# The fold runs on every dashboard: its statements are built once, not per request (building
# and keying a statement cost more CPU than running it).
_CHECKS_SINCE = (
    select(QuizAttempt)
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.id > bindparam("since"))
    .order_by(QuizAttempt.id)
)

_PHASE_STEP = AttemptStep.phase.is_not(None) & AttemptStep.choice.is_not(None)
_SIGNAL_STEP = AttemptStep.kind == "signals"
_STEPS_SINCE = (
    select(
        AttemptStep.id,
        AttemptStep.kind,
        AttemptStep.node,
        AttemptStep.phase,
        AttemptStep.phase_correct,
        AttemptStep.rating,
        AttemptStep.created_at,
        ScenarioAttempt.scenario_slug,
        ScenarioAttempt.version_id,
    )
    .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
    .where(
        ScenarioAttempt.user_id == bindparam("user_id"),
        AttemptStep.id > bindparam("since"),
        _PHASE_STEP | _SIGNAL_STEP,
    )
    .order_by(AttemptStep.id)
)


_MARK_OF = select(BoostMark).where(BoostMark.user_id == bindparam("user_id"))
# The marks, and whether anything is past them (exactly what moves a mark in _checks_met and
# _scenario_steps_met), in one statement: the dashboard refreshes on every view, and the fold
# reads the checks only after a check, the steps only after a role-play step. No row: no marks.
_user_step = ScenarioAttempt.user_id == bindparam("user_id")
_MARKS_AND_NEWS = select(
    BoostMark.quiz_mark,
    BoostMark.step_mark,
    BoostMark.signal_mark,
    exists()
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.id > BoostMark.quiz_mark)
    .label("new_checks"),
    or_(
        exists()
        .where(_user_step, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(AttemptStep.kind != "signals", _PHASE_STEP, AttemptStep.id > BoostMark.step_mark),
        exists()
        .where(_user_step, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(_SIGNAL_STEP, AttemptStep.id > BoostMark.signal_mark),
    ).label("new_steps"),
).where(BoostMark.user_id == bindparam("user_id"))
_MOVE_MARKS = (
    update(BoostMark)
    .where(
        BoostMark.user_id == bindparam("owner"),
        BoostMark.quiz_mark == bindparam("quiz_was"),
        BoostMark.step_mark == bindparam("step_was"),
        BoostMark.signal_mark == bindparam("signal_was"),
    )
    .values(
        quiz_mark=bindparam("quiz_now"), step_mark=bindparam("step_now"), signal_mark=bindparam("signal_now")
    )
    .execution_options(synchronize_session=False)
)
_ITEMS_OF = select(BoostItem).where(
    BoostItem.user_id == bindparam("user_id"), BoostItem.slug.in_(bindparam("slugs", expanding=True))
)


def _checks_met(user_id: int, since_id: int) -> tuple[list[Met], int]:
    rows = db.session.scalars(_CHECKS_SINCE, {"user_id": user_id, "since": since_id}).all()
    met: list[Met] = []
    mark = since_id
    for attempt in rows:
        mark = attempt.id
        module = publishing.value_by_id(attempt.version_id)
        _percent, _passed, results = grade_check(module, attempt.answers or {}, attempt.shown)
        for r in results:
            met.append(
                Met(
                    attempt.created_at,
                    QUESTION,
                    attempt.module_slug,
                    recall.question_ref(r.question),
                    recall.question_answer_key(r.question),
                    attempt.version_id,
                    None,
                    r.correct,
                )
            )
    return met, mark


def _scenario_steps_met(user_id: int, phase_since: int, signal_since: int) -> tuple[list[Met], int, int]:
    """Phase-reading steps after `phase_since` and signal-picking steps after `signal_since`, in
    one statement. A pick is right as the role-play recorded it (its reading well read:
    signals.is_well_read), and its item keeps the memory while the node's right signals stay."""
    rows = db.session.execute(
        _STEPS_SINCE, {"user_id": user_id, "since": min(phase_since, signal_since)}
    ).all()
    met: list[Met] = []
    scenarios: dict[int, Scenario] = {}
    phase_mark, signal_mark = phase_since, signal_since
    for r in rows:
        if r.kind == "signals":
            if r.id <= signal_since:
                continue
            signal_mark = r.id
            if r.version_id not in scenarios:
                scenarios[r.version_id] = publishing.value_by_id(r.version_id)
            node = recall.signal_node(scenarios[r.version_id], r.node)
            if node is None:
                continue
            met.append(
                Met(
                    r.created_at,
                    SIGNALS,
                    r.scenario_slug,
                    r.node,
                    recall.signals_answer_key(node),
                    r.version_id,
                    node.reading,
                    signal_picking.is_well_read(r.rating),
                )
            )
        elif r.id > phase_since:
            phase_mark = r.id
            assert r.phase is not None  # a phase-reading step (_PHASE_STEP)
            met.append(
                Met(
                    r.created_at,
                    PHASE,
                    r.scenario_slug,
                    r.node,
                    r.phase,
                    r.version_id,
                    r.phase,
                    bool(r.phase_correct),
                )
            )
    return met, phase_mark, signal_mark


def refresh(user: User, now: datetime | None = None) -> int:
    """Fold the rep's knowledge checks, phase-reading and signal-picking steps recorded since the last fold
    into their items. Safe to run from two requests at once: the marks move by compare-and-set,
    and the request that loses folds nothing (the winner folded the same records)."""
    row = db.session.execute(_MARKS_AND_NEWS, {"user_id": user.id}).first()
    if row is None:
        return _fold(user.id, now)
    if not (row.new_checks or row.new_steps):
        return 0
    was = (row.quiz_mark, row.step_mark, row.signal_mark)
    return _fold_from(user.id, was, now, checks=bool(row.new_checks), steps=bool(row.new_steps))


def refresh_stale(user_ids: Iterable[int], now: datetime | None = None) -> int:
    """Fold for those of these trainees who have records the fold has not seen yet (a manager's
    page: three grouped statements, then one fold per trainee who played or took a check since
    their last visit). Returns the number of trainees folded."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    marks = {
        uid: (q, s, g)
        for uid, q, s, g in db.session.execute(
            select(BoostMark.user_id, BoostMark.quiz_mark, BoostMark.step_mark, BoostMark.signal_mark).where(
                BoostMark.user_id.in_(ids)
            )
        )
    }
    checks: dict[int, int] = dict(
        db.session.execute(
            select(QuizAttempt.user_id, func.max(QuizAttempt.id))
            .where(QuizAttempt.user_id.in_(ids))
            .group_by(QuizAttempt.user_id)
        )
        .tuples()
        .all()
    )
    steps = {
        uid: (phase or 0, signal or 0)
        for uid, phase, signal in db.session.execute(
            select(
                ScenarioAttempt.user_id,
                func.max(case((_PHASE_STEP, AttemptStep.id))),
                func.max(case((_SIGNAL_STEP, AttemptStep.id))),
            )
            .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
            .where(ScenarioAttempt.user_id.in_(ids), _PHASE_STEP | _SIGNAL_STEP)
            .group_by(ScenarioAttempt.user_id)
        )
    }
    stale = [
        uid
        for uid in ids
        if checks.get(uid, 0) > marks.get(uid, (0, 0, 0))[0]
        or steps.get(uid, (0, 0))[0] > marks.get(uid, (0, 0, 0))[1]
        or steps.get(uid, (0, 0))[1] > marks.get(uid, (0, 0, 0))[2]
    ]
    for uid in stale:
        _fold(uid, now)
    return len(stale)


def _fold(user_id: int, now: datetime | None = None) -> int:
    mark = db.session.scalars(_MARK_OF, {"user_id": user_id}).first()
    if mark is None:
        try:
            with db.session.begin_nested():
                mark = BoostMark(user_id=user_id, quiz_mark=0, step_mark=0, signal_mark=0)
                db.session.add(mark)
        except IntegrityError:  # another request made it meanwhile
            mark = db.session.get_one(BoostMark, user_id)
    return _fold_from(user_id, (mark.quiz_mark, mark.step_mark, mark.signal_mark), now)


def _fold_from(
    user_id: int, was: tuple[int, int, int], now: datetime | None, checks: bool = True, steps: bool = True
) -> int:
    """The fold from the marks `was` (quiz, step, signal); `checks`, `steps`: whether there may
    be any past them (False: none, not read)."""
    quiz_was, step_was, signal_was = was
    checks_met, quiz_mark = _checks_met(user_id, quiz_was) if checks else ([], quiz_was)
    steps_met, step_mark, signal_mark = (
        _scenario_steps_met(user_id, step_was, signal_was) if steps else ([], step_was, signal_was)
    )
    if (quiz_mark, step_mark, signal_mark) == was:
        return 0
    moved = db.session.execute(
        _MOVE_MARKS,
        {
            "owner": user_id,
            "quiz_was": quiz_was,
            "step_was": step_was,
            "signal_was": signal_was,
            "quiz_now": quiz_mark,
            "step_now": step_mark,
            "signal_now": signal_mark,
        },
    )
    if cast(CursorResult[Any], moved).rowcount != 1:
        return 0
    loaded = db.session.identity_map.get(identity_key(BoostMark, user_id))
    if loaded is not None:  # the session's copy says what the table says
        for name, value in (("quiz_mark", quiz_mark), ("step_mark", step_mark), ("signal_mark", signal_mark)):
            set_committed_value(loaded, name, value)
    met = sorted(checks_met + steps_met, key=lambda m: m.when)
    slugs = sorted({m.slug for m in met})
    items = {
        (i.kind, i.slug, i.ref): i
        for i in db.session.scalars(_ITEMS_OF, {"user_id": user_id, "slugs": slugs})
    }
    touched: set[BoostItem] = set()
    for m in met:
        item = items.get((m.kind, m.slug, m.ref))
        if item is None:
            item = BoostItem(
                user_id=user_id,
                kind=m.kind,
                slug=m.slug,
                ref=m.ref,
                answer_key=m.answer_key,
                version_id=m.version_id,
                phase=m.phase,
                state=int(State.Learning),
                step=0,
                due=m.when,
                reviews=0,
                boosts=0,
                created_at=now or utcnow(),
            )
            db.session.add(item)
            items[(m.kind, m.slug, m.ref)] = item
        meet(item, m.answer_key, m.version_id, m.correct, m.when, m.phase)
        touched.add(item)
    # Each item met writes its whole memory: the ORM sends one UPDATE per distinct list of
    # changed columns, so without this a fold cost one to three statements by which figures
    # happened to move; now one (executemany), whatever the answers were.
    for item in touched:
        if item.id is not None:  # a new one is inserted whole anyway
            for name in MEMORY_COLUMNS:
                flag_modified(item, name)
    db.session.flush()
    return len(met)
