"""Challenge mode in the learning records: attempts record their mode, one open attempt per
scenario and mode, start over keeps the mode, a challenge pass is stored as such."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt, User
from app.services.learning import refusals, role_play_steps, role_plays
from tests.helpers import path_by_rating, race, take_steps, user_row


def test_practice_and_challenge_are_open_side_by_side(app, course, factory, ctx):
    user = user_row(factory.user())
    practice, created = role_plays.start_attempt(user, "ranking-the-pipeline")
    assert created and practice.mode == "practice"
    challenge, created = role_plays.start_attempt(user, "ranking-the-pipeline", "challenge")
    db.session.commit()
    assert created and challenge.mode == "challenge" and challenge.id != practice.id
    # each mode resumes its own, never the other
    assert role_plays.start_attempt(user, "ranking-the-pipeline", "challenge") == (challenge, False)
    assert role_plays.start_attempt(user, "ranking-the-pipeline") == (practice, False)
    assert role_plays.open_attempt(user, "ranking-the-pipeline", "challenge") == challenge


def test_an_unknown_mode_is_refused_and_nothing_written(app, course, factory, ctx):
    user = user_row(factory.user())
    with pytest.raises(refusals.Refused, match="practice or challenge"):
        role_plays.start_attempt(user, "ranking-the-pipeline", "exam")
    assert db.session.scalar(select(func.count()).select_from(ScenarioAttempt)) == 0


def test_start_over_keeps_the_mode(app, course, factory, ctx):
    user = user_row(factory.user())
    challenge, _ = role_plays.start_attempt(user, "ranking-the-pipeline", "challenge")
    db.session.commit()
    role_play_steps.take_step(user, challenge.id, 1, path_by_rating()[0])
    db.session.commit()
    fresh = role_plays.start_over(user, challenge.id)
    db.session.commit()
    assert fresh.mode == "challenge" and fresh.id != challenge.id
    assert role_plays.open_attempt(user, "ranking-the-pipeline") is None  # no practice opened


def test_a_challenge_pass_is_stored_as_one(app, course, factory, ctx):
    user = user_row(factory.user())
    challenge, _ = role_plays.start_attempt(user, "ranking-the-pipeline", "challenge")
    db.session.commit()
    assert not role_plays.reveals_steps(challenge)
    finished = take_steps(user, challenge.id, path_by_rating())
    assert finished.status == "finished" and finished.passed and finished.mode == "challenge"
    assert role_plays.reveals_steps(finished)  # the debrief reveals every step
    # the steps carry their ratings and feedback as in practice: only the pages hold them back
    ratings = db.session.scalars(
        select(AttemptStep.rating).where(
            AttemptStep.attempt_id == challenge.id, AttemptStep.choice.is_not(None)
        )
    ).all()
    assert ratings and all(ratings)
    assert role_plays.best_scores(user)["ranking-the-pipeline"]["passed"]


def test_concurrent_challenge_starts_open_one(app, course, factory):
    person = factory.user()
    outcomes, errors = race(
        app,
        6,
        lambda: (
            role_plays.start_attempt(db.session.get(User, person.id), "ranking-the-pipeline", "challenge")[
                0
            ].id
        ),
    )
    assert not errors, errors
    assert len(set(outcomes)) == 1
    with app.app_context():
        assert db.session.scalar(select(ScenarioAttempt.mode)) == "challenge"
