"""Fields a user may not set are ignored when posted: a trainee or a manager who adds role,
team, score, completion, percent, passed or user_id fields to a form they may post changes none
of those (mass assignment)."""

import re

import pytest

from app.extensions import db
from app.models import Assignment, CoachingComment, QuizAttempt, ScenarioAttempt, Team, User
from tests.helpers import PASSWORD, login
from tests.security.world import SCENARIO, build_world, seq_of, start


def forged(world, **more):
    """What an attacker would add to any form."""
    other = world["admin"].id
    return {
        "role": "admin",
        "team_id": str(world["team"] + 1000),
        "team": "1",
        "user_id": str(other),
        "author_id": str(other),
        "assigned_by_id": str(other),
        "score": "100",
        "scores": "100",
        "percent": "100",
        "passed": "y",
        "completion": "100",
        "complete": "y",
        "status": "finished",
        "step_count": "0",
        "outcome": "win",
        "active": "y",
        "session_version": "0",
        "relationship": "10",
        **more,
    }


@pytest.fixture
def world(app, factory):
    return build_world(app, factory)


def _person(app, user_id):
    with app.app_context():
        u = db.session.get(User, user_id)
        return (u.role, u.team_id, u.active, u.email, u.name)


def test_trainee_account_and_login_forms_ignore_role_and_team(app, client, world):
    trainee = world["trainee"]
    before = _person(app, trainee.id)
    login(client, trainee.email, **forged(world))
    assert (
        client.post(
            "/account",
            data={
                "current_password": PASSWORD,
                "new_password": "another long phrase",
                "confirm": "another long phrase",
                **forged(world),
            },
        ).status_code
        == 302
    )
    assert _person(app, trainee.id) == before
    assert client.get("/manage/").status_code == 403 and client.get("/admin/").status_code == 403


def test_trainee_step_and_start_ignore_score_percent_passed_and_owner(app, client, world):
    trainee, admin = world["trainee"], world["admin"]
    login(client, trainee.email)
    with app.app_context():
        db.session.query(ScenarioAttempt).filter_by(id=world["open"]).delete()
        db.session.commit()
    attempt_id = start(client)
    with app.app_context():
        assert db.session.get(ScenarioAttempt, attempt_id).user_id == trainee.id
    client.post(f"/learn/scenarios/{SCENARIO}/start", data=forged(world, version_id="1"))
    html = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    seq = seq_of(html)
    answer = client.post(
        f"/learn/attempts/{attempt_id}/step", data={"seq": seq, "choice": "1", **forged(world)}
    )
    assert answer.status_code == 200
    with app.app_context():
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        assert attempt.user_id == trainee.id and attempt.step_count == seq
        if attempt.status == "in_progress":
            assert attempt.percent is None and attempt.passed is None and attempt.outcome is None
        mine = db.session.query(ScenarioAttempt).filter_by(user_id=admin.id).count()
        assert mine == 0
        assert (
            db.session.query(ScenarioAttempt).filter_by(user_id=trainee.id, status="in_progress").count() == 1
        )


def test_a_forged_scenario_step_scores_as_the_same_step_without_the_forged_fields(app, factory, world):
    """Two trainees make the same choice; one adds score fields: both records are identical."""
    other = factory.user(team=world["team"])
    results = []
    for person, extra in ((world["trainee"], forged(world)), (other, {})):
        client = app.test_client()
        login(client, person.email)
        with app.app_context():
            db.session.query(ScenarioAttempt).filter_by(user_id=person.id, status="in_progress").delete()
            db.session.commit()
        attempt_id = start(client)
        client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": "1", "choice": "1", **extra})
        with app.app_context():
            a = db.session.get(ScenarioAttempt, attempt_id)
            results.append((a.step_count, a.status, a.percent, a.passed, a.state["scores"], a.current_node))
    assert results[0] == results[1]


def test_knowledge_check_ignores_percent_and_passed(app, client, world):
    from app.services import publishing

    trainee = world["trainee"]
    login(client, trainee.email)
    module = world["module"]
    with app.app_context():
        quiz = publishing.value_of(publishing.published("module", module)).quiz
    page = client.get(f"/learn/modules/{module}/check").get_data(as_text=True)
    submission = re.search(r'name="submission"[^>]*value="([^"]+)"', page).group(1)
    version_id = re.search(r'name="version_id"[^>]*value="([^"]*)"', page).group(1)
    wrong = {}
    for number, question in enumerate(quiz, 1):
        wrong_answer = next(i for i, a in enumerate(question.answers, 1) if not a.correct)
        wrong[f"q{number}"] = str(wrong_answer)
    answer = client.post(
        f"/learn/modules/{module}/check",
        data={"submission": submission, "version_id": version_id, **wrong, **forged(world)},
    )
    assert answer.status_code == 303
    with app.app_context():
        recorded = db.session.query(QuizAttempt).filter_by(submission=submission).one()
        assert recorded.user_id == trainee.id and recorded.percent == 0 and recorded.passed is False


def test_manager_forms_ignore_author_owner_and_team_fields(app, client, world):
    manager, admin = world["manager"], world["admin"]
    login(client, manager.email)
    teams_before = _teams(app)
    people_before = [_person(app, p.id) for p in (manager, world["trainee"])]
    assert client.post(
        f"/manage/attempts/{world['finished']}/comments",
        data={"body": "Good opening.", **forged(world, attempt_id="1")},
    ).status_code in (302, 303)
    assert client.post(
        "/manage/assignments",
        data={
            "target": f"module:{world['module']}",
            "assignee": f"user:{world['trainee'].id}",
            "due_mode": "days",
            "due_days": "5",
            **forged(world),
        },
    ).status_code in (302, 303)
    assert client.post(
        f"/manage/assignments/{world['assignment']}",
        data={
            "due_mode": "date",
            "due_date": "2030-01-01",
            **forged(world, target_slug="other", cancelled_at="x"),
        },
    ).status_code in (302, 303)
    with app.app_context():
        comment = db.session.query(CoachingComment).filter_by(body="Good opening.").one()
        assert comment.author_id == manager.id and comment.attempt_id == world["finished"]
        assignments = db.session.query(Assignment).all()
        assert all(a.assigned_by_id == manager.id for a in assignments)
        assert all(a.team_id in (None, world["team"]) for a in assignments)
        assert all(a.user_id in (None, world["trainee"].id) for a in assignments)
        assert all(a.target_slug == world["module"] and a.cancelled_at is None for a in assignments)
    assert _teams(app) == teams_before
    assert [_person(app, p.id) for p in (manager, world["trainee"])] == people_before
    assert _person(app, admin.id)[0] == "admin"


def _teams(app):
    with app.app_context():
        return sorted((t.id, t.name, t.manager_id) for t in db.session.query(Team))
