"""The bell, the list, preferences and the unsubscribe link."""

from sqlalchemy import select

from app.extensions import db
from app.models import MailOptOut, Notification, User
from app.services import notifications


def _notify(app, user_id, key, kind="comment"):
    with app.app_context():
        user = db.session.get(User, user_id)
        notifications.notify(
            user,
            kind,
            key,
            f"Title {key}",
            ("learn.comments", {}),
            template="comment",
            subject="S",
            body="b",
            by=user,
            scenario="x",
            finished=False,
        )
        db.session.commit()


def test_the_bell_counts_unread_and_opening_one_marks_it_read(app, client, login_as):
    trainee = login_as("trainee")
    assert 'data-unread="0"' in client.get("/learn/").get_data(as_text=True)
    _notify(app, trainee.id, "a")
    _notify(app, trainee.id, "b")
    _notify(app, trainee.id, "b")  # the same event: once
    page = client.get("/learn/").get_data(as_text=True)
    assert 'data-unread="2"' in page and "Notifications, 2 unread" in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Title a" in listing and "Title b" in listing
    with app.app_context():
        first = db.session.scalar(select(Notification.id).order_by(Notification.id))
    opened = client.get(f"/notifications/{first}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/learn/comments"
    client.get(f"/notifications/{first}")  # again: still one read
    assert 'data-unread="1"' in client.get("/notifications").get_data(as_text=True)
    client.post("/notifications/read")
    assert 'data-unread="0"' in client.get("/notifications").get_data(as_text=True)


def test_someone_elses_notification_is_not_found(app, client, login_as, factory):
    other = factory.user()
    _notify(app, other.id, "theirs")
    login_as("trainee")
    with app.app_context():
        theirs = db.session.scalar(select(Notification.id))
    assert client.get(f"/notifications/{theirs}").status_code == 404


def test_preferences_turn_kinds_of_mail_off_and_on(app, client, login_as):
    trainee = login_as("trainee")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'data-kind="due-soon"' in page and 'data-kind="team-digest"' not in page
    kept = ["assignment", "comment", "stage-completed", "overdue", "boosts-due", "certificate-expiring"]
    client.post("/notifications/preferences", data={"mail": kept + ["team-digest"]})
    with app.app_context():
        off = set(db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == trainee.id)))
    assert off == {"due-soon"}  # a kind not theirs is ignored
    client.post("/notifications/preferences", data={"mail": kept + ["due-soon"]})
    with app.app_context():
        assert db.session.scalar(select(MailOptOut.id)) is None


def test_the_unsubscribe_link_works_without_logging_in(app, client, factory):
    trainee = factory.user()
    with app.app_context():
        link = notifications.unsubscribe_link(trainee.id, "overdue")
    path = "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and "Turn them off" in page.get_data(as_text=True)
    done = client.post(path)
    assert done.status_code == 200 and "turned off" in done.get_data(as_text=True)
    client.post(path)  # twice: nothing more
    with app.app_context():
        assert list(db.session.scalars(select(MailOptOut.kind))) == ["overdue"]
    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.post("/mail/unsubscribe/forged").status_code == 404
