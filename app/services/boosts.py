"""Reinforcement ("boosts"): every knowledge-check question and every phase-reading and
signal-picking step of a role-play a rep has met is an item with a memory, scheduled by FSRS,
and comes back as a short boost when the memory is due to fade. This module is today's boost
and answering it; an item's memory is boosts_memory.py, what a rep has met boosts_met.py, how
an item is asked boosts_shown.py.

A boost answer is a record: unique per item and sequence number (a double click, a replay or a
second tab records one answer and shows its feedback), pinned to the content version shown. A
new version keeps the item's memory unless it changes the right answer. Every function takes
`now` (naive UTC, models' utcnow by default): tests move the clock, nothing sleeps."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, bindparam, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm.attributes import set_committed_value

from app.content import engine, recall
from app.extensions import db
from app.models import BoostAnswer, BoostItem, User
from app.models.base import utcnow
from app.services.boosts_memory import PHASE, SIGNALS, day_bounds, meet
from app.services.boosts_shown import Shown, show
from app.services.learning.refusals import NotFound, Refused

ROUND = 5  # items in a round at most: about two minutes
ROUND_MIN = 3  # a round tops up with items due soon when fewer are due today


class StaleAnswer(Exception):
    """This item's next answer is not the one posted (answered in another tab meanwhile)."""


# --- today's boost -------------------------------------------------------------------------------


@dataclass
class Today:
    due: int  # items due by the end of today
    done: int  # boost answers given today
    right: int  # of which right
    position: int  # of the next item in this round (1-based)
    size: int  # items in this round

    @property
    def round_done(self) -> bool:
        return self.position > self.size


def _due_filter(user_id: int, end: datetime) -> tuple[ColumnElement[bool], ...]:
    return (BoostItem.user_id == user_id, BoostItem.retired_at.is_(None), BoostItem.due < end)


# Every dashboard asks for today's boost: its two counts are built once, not per request
# (building and keying a statement cost more CPU than running it).
_DUE_COUNT = (
    select(func.count())
    .select_from(BoostItem)
    .where(
        BoostItem.user_id == bindparam("user_id"),
        BoostItem.retired_at.is_(None),
        BoostItem.due < bindparam("end"),
    )
)
_ANSWERED_BETWEEN = select(
    func.count(), func.coalesce(func.sum(db.case((BoostAnswer.correct, 1), else_=0)), 0)
).where(
    BoostAnswer.user_id == bindparam("user_id"),
    BoostAnswer.created_at >= bindparam("start"),
    BoostAnswer.created_at < bindparam("end"),
)


# today()'s three figures in one statement: the answers of the day, right ones, items due
_TODAY = _ANSWERED_BETWEEN.add_columns(_DUE_COUNT.scalar_subquery())


def due_count(user: User, now: datetime | None = None) -> int:
    _start, end = day_bounds(now or utcnow())
    return db.session.scalar(_DUE_COUNT, {"user_id": user.id, "end": end}) or 0


def today(user: User, now: datetime | None = None) -> Today:
    now = now or utcnow()
    start, end = day_bounds(now)
    done, right, due = db.session.execute(_TODAY, {"user_id": user.id, "start": start, "end": end}).one()
    due = due or 0
    in_round = done % ROUND
    size = min(ROUND, in_round + due)
    if size < ROUND_MIN and (in_round or due):
        size = min(ROUND_MIN, in_round + due + _early_count(user.id, start, end, ROUND_MIN))
    return Today(due, done, int(right or 0), in_round + 1, size)


def _early_query(user_id: int, start: datetime, end: datetime) -> Select[tuple[BoostItem]]:
    """Items not due today and not met today, soonest first: a round of one or two due items
    is topped up with them (answering a little early costs FSRS nothing)."""
    return select(BoostItem).where(
        BoostItem.user_id == user_id,
        BoostItem.retired_at.is_(None),
        BoostItem.due >= end,
        (BoostItem.last_review.is_(None)) | (BoostItem.last_review < start),
    )


def _early_count(user_id: int, start: datetime, end: datetime, limit: int) -> int:
    return len(db.session.scalars(_early_query(user_id, start, end).limit(limit)).all())


def next_item(
    user: User, now: datetime | None = None, language: str | None = None
) -> tuple[Shown | None, Today]:
    """The next item of today's boost and its Shown, or (None, today) when the round is over.
    Due items first, the longest overdue first (items answered wrong are due soonest); an item
    whose question or node the content dropped is retired on the way."""
    now = now or utcnow()
    start, end = day_bounds(now)
    state = today(user, now)
    if state.round_done:
        return None, state
    queries = [select(BoostItem).where(*_due_filter(user.id, end))]
    if state.due == 0:
        queries.append(_early_query(user.id, start, end))
    for query in queries:
        for item in db.session.scalars(query.order_by(BoostItem.due, BoostItem.id).limit(ROUND * 4)):
            shown = show(item, language=language)
            if shown is not None:
                return shown, state
            item.retired_at = now
    return None, state


# --- answering ------------------------------------------------------------------------------------


def own_item(user: User, item_id: int) -> BoostItem:
    item = db.session.get(BoostItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(item_id)
    return item


def answer_of(item: BoostItem, seq: int) -> BoostAnswer | None:
    return db.session.scalar(
        select(BoostAnswer).where(BoostAnswer.item_id == item.id, BoostAnswer.seq == seq)
    )


def check_given(shown: Shown, given: Sequence[str]) -> list[int] | list[str]:
    """The answer as the item's numbers ([answer numbers], [phase id] or the observations
    ticked, 0-based in source order); Refused when empty or not among those shown (nothing is
    written)."""
    if shown.question is not None:
        numbers = sorted({int(v) for v in given if str(v).isdigit()})
        if not numbers or not set(numbers) <= set(shown.order):
            raise Refused(_("Choose at least one answer.") if shown.several else _("Choose an answer."))
        if not shown.several and len(numbers) > 1:
            raise Refused(_("Choose one answer."))
        return numbers
    if shown.item.kind == SIGNALS:
        picks = sorted({int(v) for v in given if str(v).isdigit()})
        if not picks or not set(picks) <= set(range(len(shown.graded_on[1].signals))):
            raise Refused(
                _("Tick at least one observation: the ones that support the reading. Nothing was recorded.")
            )
        return picks
    phases = [v for v in given if v in dict(shown.phases)]
    if len(phases) != 1:
        raise Refused(_("Choose the phase the prospect is in."))
    return phases


def is_right(shown: Shown, numbers: list[int] | list[str]) -> bool:
    """A signal pick is graded as the role-play grades it (recall.read_signals); a question or a
    phase is right when exactly the right answers are given."""
    if shown.item.kind == SIGNALS:
        try:
            picks = cast(list[int], numbers)  # check_given's picks for a signal item: numbers
            return recall.read_signals(*shown.graded_on, picks)[2]
        except engine.EngineError:
            raise Refused(
                _(
                    "This role-play has a problem in its content at this point; "
                    "please tell your trainer. Nothing was recorded."
                )
            ) from None
    return sorted(numbers) == sorted(shown.right())


def answer(
    user: User,
    item_id: int,
    seq: int,
    version_id: int | None,
    given: Sequence[str],
    now: datetime | None = None,
) -> tuple[BoostAnswer, bool]:
    """Record boost answer `seq` of an item, graded on the version the form showed. Returns
    (answer, created): a replayed or second-tab post of the same `seq` returns the first answer.
    Raises NotFound, StaleAnswer (another answer came first: show the next item), Refused."""
    now = now or utcnow()
    item = own_item(user, item_id)
    if seq <= item.boosts:
        existing = answer_of(item, seq)
        if existing is None:
            raise StaleAnswer(item_id)
        return existing, False
    if seq != item.boosts + 1:
        raise StaleAnswer(item_id)
    shown = show(item, version_id)
    if shown is None:
        raise Refused(_("This question is no longer part of the course, so it is not asked any more."))
    numbers = check_given(shown, given)
    correct = is_right(shown, numbers)
    moved = db.session.execute(
        update(BoostItem)
        .where(BoostItem.id == item.id, BoostItem.boosts == seq - 1)
        .values(boosts=seq)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], moved).rowcount != 1:  # another tab's answer got there first
        db.session.expire(item)
        existing = answer_of(item, seq)
        if existing is None:
            raise StaleAnswer(item_id)
        return existing, False
    set_committed_value(item, "boosts", seq)
    phase = shown.graded_on[1].reading if item.kind == SIGNALS else None
    meet(item, shown.answer_key, shown.version.id, correct, now, phase)
    record = BoostAnswer(
        user_id=user.id,
        item_id=item.id,
        seq=seq,
        version_id=shown.version.id,
        kind=item.kind,
        phase=item.phase if item.kind in (PHASE, SIGNALS) else None,
        given=numbers,
        correct=correct,
        rating=item.last_rating,
        due_after=item.due,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record, True


def own_answer(user: User, answer_id: int) -> BoostAnswer:
    record = db.session.get(BoostAnswer, answer_id)
    if record is None or record.user_id != user.id:
        raise NotFound(answer_id)
    return record


def shown_for(record: BoostAnswer, language: str | None = None) -> Shown | None:
    """The item as the answer's version showed it (pinned), for its feedback page."""
    return show(record.item, record.version_id, record.seq, language)
