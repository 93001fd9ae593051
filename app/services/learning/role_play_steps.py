"""The steps of a role-play: recording one (a compare-and-set on the attempt, a unique
(attempt, seq)), and reading them back."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.content import engine
from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt, User
from app.models.base import utcnow
from app.services import signal_picks
from app.services.learning.refusals import NotFound, Refused
from app.services.learning.role_plays import STARTED_OVER, own_attempt, read_again, scenario_of


class StaleStep(Exception):
    """The step was already taken (double click, replay, second tab, back button)."""

    def __init__(self, attempt: ScenarioAttempt, seq: int) -> None:
        super().__init__(f"step {seq} of attempt {attempt.id} is already recorded")
        self.attempt_id = attempt.id
        self.seq = seq
        self.attempt = attempt  # as it is now: what the answer shows


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

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__("Some figures could not be read. Nothing was recorded.")
        self.errors = errors


class NothingPicked(Refused):
    """A signal-picking step submitted with no observation ticked: said beside the list."""


def take_step(
    user: User,
    attempt_id: int,
    seq: int,
    choice: int | None = None,
    figures: dict[str, Any] | None = None,
    items: Iterable[int] | None = None,
) -> RecordedStep:
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
    values: dict[str, Any] = dict(state=new, current_node=new["node"], step_count=seq, updated_at=now)
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
        raise StaleStep(read_again(attempt), seq)
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
    key = conn.execute(_INSERT_STEP, row).inserted_primary_key
    if key is None:  # an INSERT of one row always gives its key back
        raise RuntimeError(f"step {seq} of attempt {attempt.id} was not inserted")
    step_id = key[0]
    if outcome.verdicts is not None:
        picked_on = scenario.node(outcome.node)
        if picked_on is None:  # the engine has just graded a pick on it
            raise RuntimeError(f"no node {outcome.node} in {scenario.id}")
        signal_picks.record(conn, step_id, picked_on, outcome.verdicts)
    for name, value in values.items():  # the row as written, without reading it back
        set_committed_value(attempt, name, value)
    return RecordedStep(attempt, AttemptStep(id=step_id, **row))


# Built once: the feedback page and the debrief read them on every view.
_STEP = select(AttemptStep).where(
    AttemptStep.attempt_id == bindparam("attempt_id"), AttemptStep.seq == bindparam("seq")
)
_STEPS = (
    select(AttemptStep).where(AttemptStep.attempt_id == bindparam("attempt_id")).order_by(AttemptStep.seq)
)


def step_of(attempt: ScenarioAttempt, seq: int) -> AttemptStep:
    step = db.session.scalar(_STEP, {"attempt_id": attempt.id, "seq": seq})
    if step is None:
        raise NotFound(seq)
    return step


def steps_of(attempt: ScenarioAttempt) -> Sequence[AttemptStep]:
    return db.session.scalars(_STEPS, {"attempt_id": attempt.id}).all()
