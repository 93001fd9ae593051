"""Challenge mode in the trainee's pages: chosen on the scenario page, played with the
prospect's reactions only, everything revealed in the debrief."""

import re

import pytest

from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt
from tests.helpers import count, publish_course, seq_of, win_path

SLUG = "ranking-the-pipeline"


@pytest.fixture
def trainee(course, login_as):
    return login_as("trainee")


def start(client, mode):
    response = client.post(f"/learn/scenarios/{SLUG}/start", data={"mode": mode})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return int(re.search(r"/learn/attempts/(\d+)$", response.headers["Content-Location"]).group(1))


def play_through(client, attempt_id, numbers):
    """Post each choice (Continue where the prospect reacts); returns the answers to the choices."""
    answers = []
    for number in numbers:
        page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
        while "data-continue" in page and "data-choice" not in page:
            client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page)})
            page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
        answers.append(
            client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page), "choice": number})
        )
    return answers


def test_the_scenario_page_offers_both_modes(client, trainee):
    page = client.get(f"/learn/scenarios/{SLUG}").get_data(as_text=True)
    assert 'data-mode="practice"' in page and 'data-mode="challenge"' in page
    assert 'name="mode" value="challenge"' in page and "Take the challenge" in page


def test_a_challenge_shows_no_rating_score_or_feedback_until_its_debrief(app, client, trainee):
    attempt_id = start(client, "challenge")
    player = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-challenge" in player and "Your scores" not in player and 'data-choice="1"' in player
    numbers = win_path(app)
    first = play_through(client, attempt_id, numbers[:1])[0]
    # the answer to a choice is the next scene, not its feedback, with the player's address
    assert first.status_code == 200
    assert first.headers["Content-Location"].endswith(f"/learn/attempts/{attempt_id}")
    scene = first.get_data(as_text=True)
    assert "data-feedback" not in scene and 'name="seq" value="2"' in scene
    with app.app_context():
        step = db.session.get(ScenarioAttempt, attempt_id).step_count
    again = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": step, "choice": 1})
    assert again.status_code == 303 and "data-feedback" not in again.get_data(as_text=True)  # a double click
    hidden = client.get(f"/learn/attempts/{attempt_id}/steps/{step}")
    assert hidden.status_code == 303  # no peeking at the feedback by its address
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    for words in (
        "Best answer",
        "Good answer",
        "Partly right",
        "Weak answer",
        "What it changed",
        "Your scores",
    ):
        assert words not in page
    last = play_through(client, attempt_id, numbers[1:])[-1]
    # the ending goes straight to the debrief
    assert last.status_code == 200 and "data-debrief" in last.get_data(as_text=True)
    debrief = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-debrief" in debrief and "Challenge passed" in debrief and 'data-mode="challenge"' in debrief
    assert "Best answer" in debrief and "Your conversation, step by step" in debrief
    assert 'name="mode" value="challenge"' in debrief and "Take the challenge again" in debrief
    with app.app_context():
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        assert attempt.mode == "challenge" and attempt.passed
        step_feedback = db.session.query(AttemptStep).filter_by(attempt_id=attempt_id).first()
        assert step_feedback.rating
    # once it has ended, each step's own page is open too
    assert client.get(f"/learn/attempts/{attempt_id}/steps/{step}").status_code == 200
    listing = client.get(f"/learn/scenarios/{SLUG}").get_data(as_text=True)
    assert "Challenge" in listing.split("Your past attempts", 1)[1]


def test_practice_still_shows_feedback_beside_an_open_challenge(app, client, trainee):
    challenge = start(client, "challenge")
    practice = start(client, "practice")
    assert practice != challenge and start(client, "challenge") == challenge
    page = client.get(f"/learn/scenarios/{SLUG}").get_data(as_text=True)
    assert "Resume the role-play" in page and "Resume the challenge" in page
    answer = play_through(client, practice, win_path(app)[:1])[0]
    assert answer.status_code == 200 and "data-feedback" in answer.get_data(as_text=True)


def test_start_over_of_a_challenge_stays_a_challenge(app, client, trainee):
    attempt_id = start(client, "challenge")
    play_through(client, attempt_id, win_path(app)[:1])
    response = client.post(f"/learn/attempts/{attempt_id}/start-over")
    fresh = int(re.search(r"/learn/attempts/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        assert db.session.get(ScenarioAttempt, fresh).mode == "challenge"
    # the closed challenge's old address leads to the open challenge
    old = client.get(f"/learn/attempts/{attempt_id}")
    assert old.headers["Location"].endswith(f"/learn/attempts/{fresh}")


def test_an_unknown_mode_is_refused_with_a_message(app, client, trainee):
    response = client.post(f"/learn/scenarios/{SLUG}/start", data={"mode": "exam"}, follow_redirects=True)
    assert "Choose practice or challenge" in response.get_data(as_text=True)
    assert count(app, ScenarioAttempt) == 0
    start(client, "")  # no mode: practice, as before
    with app.app_context():
        assert db.session.query(ScenarioAttempt).one().mode == "practice"


def test_managers_see_the_mode_in_attempts_drill_down_and_csv(app, client, factory):
    from sqlalchemy import update

    from tests.helpers import login, play, team_with_manager

    publish_course(app)
    manager, _team_id, (rep,) = team_with_manager(factory, trainees=1)
    practice = play(app, rep.id, SLUG)
    challenge = play(app, rep.id, SLUG)
    with app.app_context():
        db.session.execute(
            update(ScenarioAttempt).where(ScenarioAttempt.id == challenge).values(mode="challenge")
        )
        db.session.commit()
    login(client, manager.email)
    listing = client.get(f"/manage/trainees/{rep.id}").get_data(as_text=True)
    assert listing.count('data-mode="challenge"') == 1 and listing.count('data-mode="practice"') == 1
    assert 'data-mode="challenge">Challenge<' in listing
    assert "Challenge:" in client.get(f"/manage/attempts/{challenge}").get_data(as_text=True)
    assert "Practice:" in client.get(f"/manage/attempts/{practice}").get_data(as_text=True)
    csv = client.get("/manage/export/attempts.csv")
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].rstrip().endswith(",mode")
    assert sorted(line.rstrip().rsplit(",", 1)[1] for line in lines[1:]) == ["challenge", "practice"]
