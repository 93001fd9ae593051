"""Try again from this step: a new practice attempt that starts where a finished attempt took a
weak step, with the conversation up to there as it was played.

A trainer's view decides how a replay counts: it is practice on one moment of the
conversation, not a pass of the scenario from the start, so it never counts toward completing
the role-play, an assignment or a certificate (models.learning.counts_as_pass); its steps are
real choices and count in the analytics like any other. The earlier steps are not copied (the
rep did not choose them again): the replay records where it starts (`replayed_from_id`,
`replayed_from_seq`), and `path_of` joins the two when the whole conversation is needed (the
debrief's hindsight, a replay of a replay)."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.content import hindsight
from app.content.model import Scenario
from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt, User
from app.models.base import utcnow
from app.services.learning import refusals, role_play_steps, role_plays

MAX_CHAIN = 50  # replays of replays followed back at most this far


def path_of(
    attempt: ScenarioAttempt, depth: int = 0, steps: Sequence[AttemptStep] | None = None
) -> list[AttemptStep]:
    """Every step of the conversation an attempt stands for, in order: for a replay, the steps
    of the attempt it replays up to where it starts, then its own (`steps`: those, when the
    caller has just read them)."""
    own = list(role_play_steps.steps_of(attempt) if steps is None else steps)
    if attempt.replayed_from_id is None or not attempt.replayed_from_seq or depth >= MAX_CHAIN:
        return own
    source = db.session.get(ScenarioAttempt, attempt.replayed_from_id)
    if source is None or source.user_id != attempt.user_id:
        return own
    return [s for s in path_of(source, depth + 1) if s.seq < attempt.replayed_from_seq] + own


@dataclass(frozen=True)
class Replay:
    attempt: ScenarioAttempt
    created: bool
    closed: ScenarioAttempt | None = None  # a practice run in progress it had to close


def retry_points(
    scenario: Scenario,
    attempt: ScenarioAttempt,
    path: Sequence[AttemptStep],
    replayed: Sequence[hindsight.Replayed] | None = None,
) -> dict[int, bool]:
    """{seq: True} for the steps of a finished attempt that did not pass where trying again
    makes sense: a choice (or a signal pick's reading) rated ok or poor, where the replay of
    the recorded path still reaches it (`replayed`: hindsight.replay of the path, when the
    caller has it)."""
    if attempt.status != "finished" or attempt.passed:
        return {}
    reached = {r.seq for r in (hindsight.replay(scenario, path) if replayed is None else replayed)}
    start = attempt.replayed_from_seq or 1
    return {
        s.seq: True
        for s in path
        if s.seq >= start
        and s.seq in reached
        and s.choice is not None
        and (s.rating or "ok") in hindsight.WEAK
    }


def start_from_step(user: User, attempt_id: int, seq: int) -> Replay:
    """A practice attempt that starts at step `seq` of the trainee's finished attempt, in the
    state the recorded choices before it led to. Safe to repeat: a double click, a reload or a
    second tab finds the replay already open. A practice run of the same role-play in progress
    is closed (status "abandoned", its steps kept), as Start over does: one open practice run
    at a time."""
    source = role_plays.own_attempt(user, attempt_id)
    if source.status != "finished":
        raise refusals.Refused(
            _("Finish this role-play first; then you can try again from any step of its debrief.")
        )
    existing = role_plays.open_attempt(user, source.scenario_slug, role_plays.PRACTICE)
    if existing is not None and existing.replayed_from_id == source.id and existing.replayed_from_seq == seq:
        return Replay(existing, False)
    scenario = role_plays.scenario_of(source)
    path = path_of(source)
    before = next((r for r in hindsight.replay(scenario, path) if r.seq == seq), None)
    if before is None or not any(s.seq == seq and s.choice is not None for s in path):
        raise refusals.Refused(
            _(
                "That step cannot be replayed: this role-play has no such step, "
                "or it has changed since you played it."
            )
        )
    now = utcnow()
    replay = ScenarioAttempt(
        user_id=user.id,
        scenario_slug=source.scenario_slug,
        version_id=source.version_id,
        mode=role_plays.PRACTICE,
        language=source.language,
        translation_id=source.translation_id,
        status="in_progress",
        current_node=before.state["node"],
        state=before.state,
        step_count=seq - 1,
        started_at=now,
        updated_at=now,
        replayed_from_id=source.id,
        replayed_from_seq=seq,
    )
    try:
        with db.session.begin_nested():
            if existing is not None:
                db.session.execute(
                    update(ScenarioAttempt)
                    .where(ScenarioAttempt.id == existing.id, ScenarioAttempt.status == "in_progress")
                    .values(status="abandoned", finished_at=now)
                    .execution_options(synchronize_session=False)
                )
            db.session.add(replay)
    except IntegrityError:
        # Another request opened a practice run first: the same replay (a double click) is it.
        again = role_plays.open_attempt(user, source.scenario_slug, role_plays.PRACTICE)
        if again is not None and again.replayed_from_id == source.id and again.replayed_from_seq == seq:
            return Replay(again, False)
        raise refusals.Refused(
            _(
                "You have just started another practice run of this role-play; "
                "finish it or start it over first."
            )
        ) from None
    return Replay(replay, True, existing)
