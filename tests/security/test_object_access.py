"""Object-level access on the trainee side (Moodle's `notyourattempt`): trainee A cannot read or
write trainee B's attempt, steps or knowledge-check result by changing an id in the URL — the
answer is 404 and nothing is written. The refusal is in the audit log."""

import pytest

from app.extensions import db
from app.models import AuditEvent, ScenarioAttempt
from tests.helpers import login
from tests.security.world import SCENARIO, play, publish_course, snapshot, start, study


@pytest.fixture
def two_trainees(app, client, factory):
    publish_course(app)
    victim, intruder = factory.user(), factory.user()
    finished = play(app, victim.id, SCENARIO)
    in_progress = play(app, victim.id, SCENARIO, finish=False)
    with app.app_context():
        from app.models import QuizAttempt
        from app.services import publishing

        module = next(
            slug
            for slug, v in publishing.published_all("module").items()
            if SCENARIO in publishing.value_of(v).scenarios
        )
        db.session.remove()
    study(app, victim.id, module, quiz_percent=100)
    with app.app_context():
        quiz = db.session.query(QuizAttempt).filter_by(user_id=victim.id).one()
        ids = quiz.id
    login(client, intruder.email)
    return {
        "victim": victim,
        "intruder": intruder,
        "finished": finished,
        "open": in_progress,
        "quiz": ids,
        "module": module,
    }


def test_another_trainees_attempt_pages_are_not_found(app, client, two_trainees):
    s = two_trainees
    for path in (
        f"/learn/attempts/{s['finished']}",
        f"/learn/attempts/{s['open']}",
        f"/learn/attempts/{s['finished']}/steps/1",
        f"/learn/attempts/{s['open']}/steps/1",
        f"/learn/modules/{s['module']}/check/{s['quiz']}",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert s["victim"].name not in answer.get_data(as_text=True)


def test_another_trainees_attempt_cannot_be_stepped(app, client, two_trainees):
    s = two_trainees
    before = snapshot(app)
    with app.app_context():
        seq = db.session.get(ScenarioAttempt, s["open"]).step_count + 1
    for attempt in (s["open"], s["finished"], 999999):
        for data in ({"seq": seq, "choice": 1}, {"seq": seq}, {"seq": 1, "choice": 1}, {}):
            assert client.post(f"/learn/attempts/{attempt}/step", data=data).status_code == 404, (
                attempt,
                data,
            )
    assert snapshot(app) == before


def test_refused_object_access_is_audited(app, client, two_trainees):
    s = two_trainees
    client.get(f"/learn/attempts/{s['open']}")
    client.post(f"/learn/attempts/{s['open']}/step", data={"seq": 1, "choice": 1})
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(kind="access-refused").all()
        paths = {e.path for e in events if e.user_id == s["intruder"].id}
    assert f"/learn/attempts/{s['open']}" in paths and f"/learn/attempts/{s['open']}/step" in paths


def test_own_attempt_still_works_and_is_not_audited(app, client, two_trainees):
    attempt = start(client)
    assert client.get(f"/learn/attempts/{attempt}").status_code == 200
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(kind="access-refused").count() == 0


def test_a_manager_cannot_use_the_trainee_player_on_a_team_members_attempt(app, factory, two_trainees):
    """The learn blueprint is for trainees: a manager gets 403 there, whatever the id."""
    manager = factory.user(role="manager")
    other = app.test_client()
    login(other, manager.email)
    assert other.get(f"/learn/attempts/{two_trainees['open']}").status_code == 403
    assert (
        other.post(f"/learn/attempts/{two_trainees['open']}/step", data={"seq": 1, "choice": 1}).status_code
        == 403
    )


def test_a_finished_attempt_accepts_no_step(app, factory):
    """Own attempt, but finished: any step posted is refused with a message, nothing written."""
    publish_course(app)
    person = factory.user()
    finished = play(app, person.id, SCENARIO)
    client = app.test_client()
    login(client, person.email)
    with app.app_context():
        count = db.session.get(ScenarioAttempt, finished).step_count
    before = snapshot(app)
    for data in ({"seq": count + 1, "choice": 1}, {"seq": count + 1}, {"seq": count + 5, "choice": 2}):
        answer = client.post(f"/learn/attempts/{finished}/step", data=data)
        assert answer.status_code == 303, data
    assert snapshot(app) == before
