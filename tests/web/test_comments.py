"""Coaching comments end to end with the test client: the manager writes, edits and deletes their
own; the trainee sees a notice until they read it, on the debrief or the comments page; nobody
else can change a comment."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CoachingComment
from tests.helpers import login, play, publish_course, team_with_manager


@pytest.fixture
def world(app, factory):
    publish_course(app)
    manager, team_id, (rep,) = team_with_manager(factory, trainees=1)
    finished = play(app, rep.id, "ranking-the-pipeline")
    return manager, rep, finished


def _notice(client):
    found = re.search(r'data-unread-comments="(\d+)"', client.get("/learn/").get_data(as_text=True))
    return int(found.group(1)) if found else 0


def _comments(app):
    with app.app_context():
        return [
            (c.body, c.read_at is not None, c.edited_at is not None)
            for c in db.session.scalars(select(CoachingComment).order_by(CoachingComment.id))
        ]


def test_trainee_sees_the_comment_on_the_debrief_and_the_notice_goes(app, world):
    manager, rep, attempt_id = world
    boss, trainee = app.test_client(), app.test_client()
    login(boss, manager.email)
    login(trainee, rep.email)
    assert _notice(trainee) == 0
    sent = boss.post(
        f"/manage/attempts/{attempt_id}/comments",
        data={"body": "Rank by fit <first>."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "sees it on the debrief of this attempt" in sent
    assert _notice(trainee) == 1 and _notice(trainee) == 1  # looking at the dashboard reads nothing
    debrief = trainee.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert (
        "From your manager" in debrief and "Rank by fit &lt;first&gt;." in debrief and manager.name in debrief
    )
    assert _notice(trainee) == 0 and _comments(app) == [("Rank by fit <first>.", True, False)]
    assert "read by" in boss.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)


def test_edit_makes_it_new_again_and_delete_removes_it(app, world):
    manager, rep, attempt_id = world
    boss, trainee = app.test_client(), app.test_client()
    login(boss, manager.email)
    login(trainee, rep.email)
    boss.post(f"/manage/attempts/{attempt_id}/comments", data={"body": "First go."})
    [(comment_id,)] = _ids(app)
    trainee.get("/learn/comments")
    assert _notice(trainee) == 0
    # an empty edit is refused beside the field, the text kept
    refused = boss.post(f"/manage/comments/{comment_id}", data={f"c{comment_id}-body": "  "})
    assert refused.status_code == 400 and "Write a comment first." in refused.get_data(as_text=True)
    assert _comments(app) == [("First go.", True, False)]
    for _ in range(2):  # a resubmitted form writes nothing more
        assert (
            boss.post(
                f"/manage/comments/{comment_id}", data={f"c{comment_id}-body": "Second go."}
            ).status_code
            == 302
        )
    assert _comments(app) == [("Second go.", False, True)]
    assert _notice(trainee) == 1
    page = trainee.get("/learn/comments").get_data(as_text=True)
    assert "Second go." in page and "edited" in page and "New" in page
    assert _notice(trainee) == 0
    assert boss.post(f"/manage/comments/{comment_id}/delete").status_code == 302
    assert _comments(app) == []
    assert boss.post(f"/manage/comments/{comment_id}/delete").status_code == 404  # second click
    assert "No comment yet" in trainee.get("/learn/comments").get_data(as_text=True)


def test_only_the_author_changes_a_comment(app, world, factory):
    manager, rep, attempt_id = world
    boss = app.test_client()
    login(boss, manager.email)
    boss.post(f"/manage/attempts/{attempt_id}/comments", data={"body": "Mine."})
    [(comment_id,)] = _ids(app)
    other_manager = factory.user(role="manager")
    factory.team(manager=other_manager)
    admin = factory.user(role="admin")
    for person in (other_manager, admin, rep):
        client = app.test_client()
        login(client, person.email)
        assert client.post(
            f"/manage/comments/{comment_id}", data={f"c{comment_id}-body": "Theirs."}
        ).status_code in (403, 404)
        assert client.post(f"/manage/comments/{comment_id}/delete").status_code in (403, 404)
    assert _comments(app) == [("Mine.", False, False)]
    # the admin sees the comment but is offered no button to change it
    client = app.test_client()
    login(client, admin.email)
    page = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "Mine." in page and f"/manage/comments/{comment_id}" not in page


def test_where_the_trainee_sees_it_is_true_for_every_status(app, world):
    manager, rep, _ = world
    from sqlalchemy import update

    from app.models import ScenarioAttempt

    open_id = play(app, rep.id, "ranking-the-pipeline", finish=False)
    boss, trainee = app.test_client(), app.test_client()
    login(boss, manager.email)
    login(trainee, rep.email)
    page = boss.get(f"/manage/attempts/{open_id}").get_data(as_text=True)
    assert "coaching comments page" in page and "once they finish" in page
    boss.post(f"/manage/attempts/{open_id}/comments", data={"body": "Keep going."})
    with app.app_context():
        db.session.execute(
            update(ScenarioAttempt).where(ScenarioAttempt.id == open_id).values(status="abandoned")
        )
        db.session.commit()
    assert "has no debrief" in boss.get(f"/manage/attempts/{open_id}").get_data(as_text=True)
    assert _notice(trainee) == 1
    page = trainee.get("/learn/comments").get_data(as_text=True)
    assert "Keep going." in page and "You started this role-play over" in page
    assert _notice(trainee) == 0


def _ids(app):
    with app.app_context():
        return db.session.execute(select(CoachingComment.id)).all()


def test_comment_counts_are_stored_once(app, world):
    manager, _, attempt_id = world
    boss = app.test_client()
    login(boss, manager.email)
    for _ in range(2):
        boss.post(f"/manage/attempts/{attempt_id}/comments", data={"body": "Once."})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CoachingComment)) == 1
