"""A manager sees and assigns only within the teams they manage (an admin sees all): every way
across, by changing an id in a URL, a form or an export, is answered 404 or refused, and nothing
is written (Moodle's `notyourattempt`, Open edX's staff-endpoint loop)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, CoachingComment
from tests.helpers import login, play, publish_course, team_with_manager


@pytest.fixture
def two_teams(app, client, factory):
    publish_course(app)
    mine = team_with_manager(factory, trainees=1, name="North")
    theirs = team_with_manager(factory, trainees=1, name="South")
    (_, _, (my_rep,)), (other_manager, other_team, (stranger,)) = mine, theirs
    attempt = play(app, stranger.id, "ranking-the-pipeline")
    with app.app_context():
        from app.models import User
        from app.services.assignments import assigning

        boss = db.session.get(User, other_manager.id)
        theirs_assignment, _ = assigning.assign(
            boss, "module", "pao-action-plans", team_id=other_team, due_date=date(2026, 12, 1)
        )
        own_assignment, _ = assigning.assign(
            boss, "module", "pao-action-plans", trainee_id=stranger.id, due_date=date(2026, 12, 9)
        )
        db.session.commit()
        ids = theirs_assignment.id, own_assignment.id
    login(client, mine[0].email)
    return {
        "my_rep": my_rep,
        "my_team": mine[1],
        "stranger": stranger,
        "other_team": other_team,
        "attempt": attempt,
        "assignments": ids,
    }


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Assignment)),
            db.session.scalar(select(func.count()).select_from(CoachingComment)),
            tuple(
                db.session.execute(
                    select(
                        Assignment.id,
                        Assignment.due_date,
                        Assignment.due_days_after_hire,
                        Assignment.cancelled_at,
                    ).order_by(Assignment.id)
                ).all()
            ),
        )


def test_pages_of_another_team_are_not_found(client, two_teams):
    s = two_teams
    for path in (
        f"/manage/trainees/{s['stranger'].id}",
        f"/manage/attempts/{s['attempt']}",
        f"/manage/?team={s['other_team']}",
        f"/manage/assignments?team={s['other_team']}",
        f"/manage/analytics?team={s['other_team']}",
        f"/manage/export/progress.csv?team={s['other_team']}",
        f"/manage/export/attempts.csv?team={s['other_team']}",
        "/manage/?team=abc",
        "/manage/?team=-1",
    ):
        assert client.get(path).status_code == 404, path


def test_own_pages_never_show_another_team(client, two_teams):
    s = two_teams
    for path in (
        "/manage/",
        "/manage/assignments",
        "/manage/analytics",
        "/manage/export/progress.csv",
        "/manage/export/attempts.csv",
        f"/manage/trainees/{s['my_rep'].id}",
    ):
        body = client.get(path).get_data().decode("utf-8-sig")
        assert s["stranger"].name not in body and s["stranger"].email not in body, path
        assert s["my_rep"].name in body or path.endswith("attempts.csv") or "analytics" in path, path


@pytest.mark.parametrize(
    "data",
    [
        {
            "target": "module:pao-action-plans",
            "assignee": "team:{other_team}",
            "due_mode": "days",
            "due_days": "5",
        },
        {
            "target": "module:pao-action-plans",
            "assignee": "user:{stranger}",
            "due_mode": "days",
            "due_days": "5",
        },
    ],
)
def test_assigning_across_is_refused_and_writes_nothing(app, client, two_teams, data):
    s = two_teams
    before = _counts(app)
    data = {k: v.format(other_team=s["other_team"], stranger=s["stranger"].id) for k, v in data.items()}
    assert client.post("/manage/assignments", data=data).status_code == 404
    assert client.post(f"/manage/assignments?team={s['other_team']}", data=data).status_code == 404
    assert _counts(app) == before


def test_changing_cancelling_commenting_across_writes_nothing(app, client, two_teams):
    s = two_teams
    before = _counts(app)
    for assignment_id in s["assignments"]:
        assert (
            client.post(
                f"/manage/assignments/{assignment_id}", data={"due_mode": "date", "due_date": "2030-01-01"}
            ).status_code
            == 404
        )
        assert client.post(f"/manage/assignments/{assignment_id}/cancel").status_code == 404
    assert client.post(f"/manage/attempts/{s['attempt']}/comments", data={"body": "hi"}).status_code == 404
    assert client.post("/manage/attempts/999999/comments", data={"body": "hi"}).status_code == 404
    assert _counts(app) == before


def test_recording_an_observed_role_play_across_teams_writes_nothing(app, client, two_teams):
    """The observation form (certificates blueprint) uses the same scope rule
    (manager_scope.trainee_in_scope): another team's trainee is not found, nothing is written."""
    from app.models import ObservedRolePlay

    s = two_teams
    url = f"/manage/trainees/{s['stranger'].id}/observations/negotiation"
    data = {
        "obs-negotiation-submission": "t1",
        "obs-negotiation-observed_on": "2026-12-01",
        **{f"obs-negotiation-level-{c}": "3" for c in ("preparation", "exchange", "walk-away", "close")},
    }
    assert client.get(url).status_code == 404
    assert client.post(url, data=data).status_code == 404
    assert client.get(f"/manage/trainees/{s['my_rep'].id}/observations/negotiation").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ObservedRolePlay)) == 0


def test_a_trainee_moved_to_another_team_leaves_the_manager_scope(app, client, two_teams):
    s = two_teams
    assert client.get(f"/manage/trainees/{s['my_rep'].id}").status_code == 200
    with app.app_context():
        from app.models import User

        db.session.get(User, s["my_rep"].id).team_id = s["other_team"]
        db.session.commit()
    assert client.get(f"/manage/trainees/{s['my_rep'].id}").status_code == 404


def test_only_trainees_are_in_scope(app, client, factory, two_teams):
    colleague = factory.user(role="manager", team=two_teams["my_team"])
    assert client.get(f"/manage/trainees/{colleague.id}").status_code == 404


def test_an_admin_sees_every_team(app, factory, two_teams):
    s = two_teams
    admin = factory.user(role="admin")
    client = app.test_client()
    login(client, admin.email)
    assert client.get(f"/manage/trainees/{s['stranger'].id}").status_code == 200
    assert client.get(f"/manage/attempts/{s['attempt']}").status_code == 200
    body = client.get("/manage/").get_data(as_text=True)
    assert s["stranger"].name in body and s["my_rep"].name in body
    assert client.get(f"/manage/?team={s['other_team']}").status_code == 200


def test_a_manager_without_a_team_sees_an_empty_workspace(app, client, factory):
    publish_course(app)
    login(client, factory.user(role="manager").email)
    page = client.get("/manage/").get_data(as_text=True)
    assert "You do not manage a team yet" in page
    for path in (
        "/manage/analytics",
        "/manage/assignments",
        "/manage/export/progress.csv",
        "/manage/export/attempts.csv",
    ):
        assert client.get(path).status_code == 200


def test_state_changes_refuse_get_and_need_csrf(make_app, factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    publish_course(app)
    manager, team, (rep,) = team_with_manager(factory, trainees=1)
    attempt = play(app, rep.id, "ranking-the-pipeline")
    login(client, manager.email)
    before = _counts(app)
    assert client.get(f"/manage/attempts/{attempt}/comments").status_code == 405
    assert client.post(f"/manage/attempts/{attempt}/comments", data={"body": "hi"}).status_code == 400
    assert (
        client.post(
            "/manage/assignments",
            data={
                "target": "module:pao-action-plans",
                "assignee": f"team:{team}",
                "due_mode": "days",
                "due_days": "3",
            },
        ).status_code
        == 400
    )
    assert _counts(app) == before


def test_reaching_across_teams_is_audited(app, client, two_teams):
    s = two_teams
    client.get(f"/manage/attempts/{s['attempt']}")
    client.get(f"/manage/export/attempts.csv?team={s['other_team']}")
    with app.app_context():
        from app.models import AuditEvent

        paths = {e.path for e in db.session.query(AuditEvent).filter_by(kind="access-refused")}
    assert {f"/manage/attempts/{s['attempt']}", "/manage/export/attempts.csv"} <= paths
