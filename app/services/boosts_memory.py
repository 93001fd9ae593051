"""Reinforcement ("boosts"), an item's memory: the FSRS scheduler (the `fsrs` package) moves
it on with each answer the rep gives, in a check, a role-play or a boost, and the organisation's
day decides what is due "today". Every function takes the moment (naive UTC): tests move the
clock, nothing sleeps.

Scheduler settings: no same-day learning steps (a rep meets an item again on another day, not
ten minutes later), no fuzz (the same answers give the same dates, which tests and managers can
check), 90% desired retention. With FSRS's default weights a first wrong or hard answer comes
back the next day, a first right one two days later, then about 11 and 46 days."""

from datetime import UTC, datetime, time, timedelta
from typing import overload

from fsrs import Card, Rating, Scheduler, State

from app import formats
from app.content import recall
from app.models import BoostItem

SCHEDULER = Scheduler(desired_retention=0.9, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
# What an item is: a knowledge-check question, a phase-reading step, a signal-picking step.
QUESTION, PHASE, SIGNALS = "question", "phase", "signals"


# --- the clock ------------------------------------------------------------------------------


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The organisation's today as naive UTC times [start, end): what is due "today" is due
    before its end, so an item due at 17:00 is offered at 9:00 the same day."""
    local = formats.local(now)
    start = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    return _naive(start), _naive(start + timedelta(days=1))


# --- one item's memory ------------------------------------------------------------------------


def _card(item: BoostItem) -> Card:
    return Card(
        card_id=item.id or 0,
        state=State(item.state),
        step=item.step,
        stability=item.stability,
        difficulty=item.difficulty,
        due=_aware(item.due),
        last_review=_aware(item.last_review),
    )


# What review() moves: it sets every one of them, whatever the answer
MEMORY_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "last_rating", "reviews")


def review(item: BoostItem, rating: int, when: datetime) -> None:
    """Move the item's memory on by one answer graded `rating` at `when` (naive UTC)."""
    if item.last_review is not None and when < item.last_review:
        when = item.last_review  # folded late: never before the answer it follows
    card, _log = SCHEDULER.review_card(_card(item), Rating(rating), _aware(when))
    item.state, item.step = int(card.state), card.step
    item.stability, item.difficulty = card.stability, card.difficulty
    assert card.last_review is not None  # review_card sets it to the review's moment
    item.due, item.last_review = _naive(card.due), _naive(card.last_review)
    item.last_rating = rating
    item.reviews = (item.reviews or 0) + 1


def forget(item: BoostItem, answer_key: str) -> None:
    """A new version changed the right answer: what the rep remembered is the old one."""
    item.answer_key = answer_key
    item.state, item.step, item.stability, item.difficulty = int(State.Learning), 0, None, None
    item.last_review = item.last_rating = None
    item.reviews = 0


def meet(
    item: BoostItem, answer_key: str, version_id: int, correct: bool, when: datetime, phase: str | None = None
) -> None:
    """One answer to the item, from `version_id`: its phase follows the content (`phase`)."""
    if item.answer_key != answer_key:
        forget(item, answer_key)
        if item.kind == PHASE:
            item.phase = answer_key
    if phase is not None and item.kind == SIGNALS:
        item.phase = phase
    if version_id > (item.version_id or 0):
        item.version_id = version_id
    review(item, recall.grade(correct, item.last_rating), when)
