"""Signal picking on the trainee's side: a pick is recorded once with a row per observation
(attempt_signals), an empty pick writes nothing, a resubmitted pick is stale; the team's and a
trainee's signal-level results; "try again from this step" (services/replays.py) and why a
replay is practice that never counts as a pass."""

import pytest
from sqlalchemy import event, func, select

from app.content import engine, playtest
from app.extensions import db
from app.models import AttemptSignal, AttemptStep, ScenarioAttempt
from app.services import (
    demo_activity,
    progress,
    replays,
    signal_picks,
    team_analytics,
)
from app.services.assignments import effective
from app.services.learning import refusals, role_play_steps, role_plays
from tests.helpers import publish_course, team_with_manager

SLUG = "signals-at-the-trade-fair"
TO_PICK = [1, 2, 1, 2, 3, 2, 2]  # booth reads and plans that reach `discovery-signals`
RIGHT, DISTRACTORS = [0, 1, 2, 3], [4, 5, 6]


@pytest.fixture
def ctx(app):
    publish_course(app)
    with app.app_context():
        yield


def _to_pick(user):
    attempt, _ = role_plays.start_attempt(user, SLUG)
    for number in TO_PICK:
        attempt = role_play_steps.take_step(user, attempt.id, attempt.step_count + 1, number).attempt
    assert attempt.current_node == "discovery-signals"
    db.session.commit()
    return attempt


def _count(model, **where):
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def test_a_pick_records_its_step_and_a_verdict_per_observation(ctx, factory):
    user = factory.user()
    attempt = _to_pick(user)
    seq = attempt.step_count + 1
    taken = role_play_steps.take_step(user, attempt.id, seq, items=[0, 1, 4])
    db.session.commit()
    step = taken.step
    assert (step.node, step.choice, step.rating) == ("discovery-signals", 2, "ok")  # the third reading
    assert step.phase is None and step.phase_claimed is None  # signal picks are analysed by observation
    assert step.effects["picks"] == [0, 1, 4]
    assert step.effects["verdicts"] == [
        "spotted",
        "spotted",
        "missed",
        "missed",
        "mistaken",
        "avoided",
        "avoided",
    ]
    rows = db.session.scalars(
        select(AttemptSignal).where(AttemptSignal.step_id == step.id).order_by(AttemptSignal.item)
    ).all()
    assert [(r.item, r.verdict, r.phase_signal, r.reading) for r in rows][:5] == [
        (0, "spotted", "discovery/3", "discovery"),
        (1, "spotted", "discovery/1", "discovery"),
        (2, "missed", "discovery/2", "discovery"),
        (3, "missed", "discovery/4", "discovery"),
        (4, "mistaken", "awareness/1", "discovery"),
    ]
    assert rows[5].phase_signal is None and rows[5].label.startswith("Nadia writes that the project")
    assert taken.attempt.current_node == "discovery-pao"


def test_an_empty_pick_writes_nothing_and_a_resubmitted_pick_is_stale(ctx, factory):
    user = factory.user()
    attempt = _to_pick(user)
    seq = attempt.step_count + 1
    with pytest.raises(role_play_steps.NothingPicked):
        role_play_steps.take_step(user, attempt.id, seq, items=[])
    db.session.rollback()
    assert _count(AttemptStep, attempt_id=attempt.id) == seq - 1 and _count(AttemptSignal) == 0
    with pytest.raises(refusals.Refused):  # an item the node does not have
        role_play_steps.take_step(user, attempt.id, seq, items=[0, 99])
    role_play_steps.take_step(user, attempt.id, seq, items=RIGHT)
    db.session.commit()
    with pytest.raises(role_play_steps.StaleStep):  # a double click, a reload, a second tab
        role_play_steps.take_step(user, attempt.id, seq, items=DISTRACTORS)
    db.session.rollback()
    assert _count(AttemptSignal) == 7 and _count(AttemptStep, attempt_id=attempt.id) == seq
    with pytest.raises(refusals.Refused):  # a choice number where signals are asked
        attempt2 = _to_pick(factory.user())
        role_play_steps.take_step(attempt2.user, attempt2.id, attempt2.step_count + 1, 1)


def test_the_shown_order_is_a_shuffle_kept_for_the_attempt(ctx, factory):
    user = factory.user()
    attempt = _to_pick(user)
    node = role_plays.scenario_of(attempt).node("discovery-signals")
    first = [i for i, _item in signal_picks.shown(attempt, node)]
    assert sorted(first) == list(range(7)) and first == [i for i, _ in signal_picks.shown(attempt, node)]


def test_team_signal_readings_name_the_course_signal_in_few_statements(ctx, factory):
    _manager, team_id, people = team_with_manager(factory, trainees=3)
    for person, items in zip(people, ([0, 4], [0, 1, 4, 5], [0, 1, 2, 3]), strict=True):
        attempt = _to_pick(person)
        role_play_steps.take_step(person, attempt.id, attempt.step_count + 1, items=items)
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = team_analytics.signal_readings({team_id})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 3
    by_key = {r["key"]: r for r in rows}
    cost = by_key["awareness/1"]  # the distractor two of three took for a signal
    assert (cost["right"], cost["seen"], cost["wrong"], cost["percent_wrong"]) == (False, 3, 2, 67)
    assert cost["label"].startswith("Names the problem in their own words") and cost["example"].startswith(
        "Julien quotes"
    )
    assert (
        cost["signal_of"] == "Need recognised"
        and cost["reading"] == "Defining the need and exploring solutions"
    )
    price = by_key["discovery/2"]  # a right signal two of three missed
    assert (price["right"], price["seen"], price["wrong"]) == (True, 3, 2)
    assert rows[0]["wrong"] >= rows[-1]["wrong"]
    mine = team_analytics.signal_readings({team_id}, trainee_id=people[2].id)  # one trainee's drill-down
    assert sum(r["wrong"] for r in mine) == 0 and sum(r["seen"] for r in mine) == 7


def test_the_analytics_statements_do_not_grow_with_attempts(ctx, factory):
    _manager, team_id, people = team_with_manager(factory, trainees=2)

    def statements():
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            team_analytics.signal_readings({team_id})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    attempt = _to_pick(people[0])
    role_play_steps.take_step(people[0], attempt.id, attempt.step_count + 1, items=[0])
    db.session.commit()
    few = statements()
    for person in people * 4:
        attempt = role_plays.open_attempt(person, SLUG) or _to_pick(person)
        if attempt.current_node != "discovery-signals":
            continue
        role_play_steps.take_step(person, attempt.id, attempt.step_count + 1, items=[1, 5])
        db.session.commit()
    assert statements() == few


# --- try again from this step -----------------------------------------------------------------


def _finished_worst(user):
    attempt = demo_activity.record_play(user.id, "ranking-the-pipeline", pick=playtest.lowest_pick)
    db.session.commit()
    assert attempt.status == "finished" and not attempt.passed
    return attempt


def test_try_again_starts_a_practice_replay_at_that_step_once(ctx, factory):
    user = factory.user()
    source = _finished_worst(user)
    scenario = role_plays.scenario_of(source)
    points = replays.retry_points(scenario, source, replays.path_of(source))
    seq = sorted(points)[1]
    replay = replays.start_from_step(user, source.id, seq)
    db.session.commit()
    assert replay.created and replay.attempt.mode == role_plays.PRACTICE
    assert (replay.attempt.replayed_from_id, replay.attempt.replayed_from_seq) == (source.id, seq)
    assert replay.attempt.step_count == seq - 1
    step = role_play_steps.step_of(source, seq)
    assert replay.attempt.current_node == step.node  # the scene of the weak step, as it was
    again = replays.start_from_step(user, source.id, seq)  # a double click, a second tab
    assert not again.created and again.attempt.id == replay.attempt.id
    assert _count(ScenarioAttempt, user_id=user.id) == 2
    assert _count(AttemptStep, attempt_id=replay.attempt.id) == 0  # the earlier steps are not copied
    with pytest.raises(refusals.Refused):
        replays.start_from_step(user, replay.attempt.id, seq)  # not finished yet
    with pytest.raises(refusals.Refused):
        replays.start_from_step(user, source.id, 999)
    with pytest.raises(refusals.NotFound):
        replays.start_from_step(factory.user(), source.id, seq)


def test_a_replay_played_to_a_pass_is_practice_not_a_pass(ctx, factory):
    user = factory.user()
    source = _finished_worst(user)
    replay = replays.start_from_step(user, source.id, 1).attempt
    scenario = role_plays.scenario_of(replay)
    while replay.status == "in_progress":
        state = replay.state
        number = (
            None
            if engine.needs_continue(scenario, state)
            else playtest.best_pick(engine.offered_choices(scenario, state)) + 1
        )
        replay = role_play_steps.take_step(user, replay.id, replay.step_count + 1, number).attempt
    db.session.commit()
    assert replay.passed  # its own debrief says it went well
    assert role_plays.best_scores(user)["ranking-the-pipeline"]["passed"] is False
    assert not effective.has_passed(user.id, "ranking-the-pipeline")
    fold = progress.progress_of(user.id)
    assert "ranking-the-pipeline" not in fold.fold.scenarios_passed
    path = replays.path_of(replay)
    assert [s.seq for s in path] == list(range(1, replay.step_count + 1))
    assert (
        path[0].attempt_id == source.id if replay.replayed_from_seq > 1 else path[0].attempt_id == replay.id
    )


def test_a_replay_of_a_replay_joins_the_whole_conversation(ctx, factory):
    user = factory.user()
    source = _finished_worst(user)
    scenario = role_plays.scenario_of(source)
    start = sorted(replays.retry_points(scenario, source, replays.path_of(source)))[1]
    first = replays.start_from_step(user, source.id, start).attempt
    while first.status == "in_progress":
        state = first.state
        number = (
            None
            if engine.needs_continue(scenario, state)
            else playtest.lowest_pick(engine.offered_choices(scenario, state)) + 1
        )
        first = role_play_steps.take_step(user, first.id, first.step_count + 1, number).attempt
    db.session.commit()
    path = replays.path_of(first)
    assert [s.seq for s in path] == list(range(1, first.step_count + 1))
    assert {s.attempt_id for s in path if s.seq < start} == {source.id}
    assert {s.attempt_id for s in path if s.seq >= start} == {first.id}
    points = replays.retry_points(scenario, first, path)
    assert points and min(points) >= start  # its own steps only: the earlier ones are another attempt's
    later = max(points)
    second = replays.start_from_step(user, first.id, later).attempt
    assert second.replayed_from_id == first.id and second.step_count == later - 1
    assert [s.seq for s in replays.path_of(second)] == list(range(1, later))


def test_try_again_closes_a_practice_run_in_progress(ctx, factory):
    user = factory.user()
    source = _finished_worst(user)
    running, _ = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()
    replay = replays.start_from_step(user, source.id, 1)
    db.session.commit()
    assert replay.closed.id == running.id
    assert db.session.get(ScenarioAttempt, running.id).status == "abandoned"
    assert role_plays.open_attempt(user, "ranking-the-pipeline").id == replay.attempt.id
