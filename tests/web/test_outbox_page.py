"""The admin's Outbox page: every mail with its status; in development (no MAIL_SERVER) the place
where a newcomer reads a password-reset mail and follows its link."""

from sqlalchemy import event

from app.extensions import db
from app.models import User
from app.services import mail


def _queue(app, user_id, key):
    with app.app_context():
        user = db.session.get(User, user_id)
        mail.queue(
            user,
            "password-reset",
            key,
            "password_reset",
            f"Reset {key}",
            link="http://127.0.0.1:5000/reset-password/abc",
            minutes=60,
        )
        db.session.commit()


def test_admin_reads_a_queued_mail_and_its_links(app, client, login_as, factory):
    login_as("admin")
    trainee = factory.user(name="Tess <b>")
    _queue(app, trainee.id, "one")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "No mail server is set" in page and "Reset one" in page and "Tess &lt;b&gt;" in page
    assert 'data-status="queued"' in page
    with app.app_context():
        message_id = db.session.scalar(db.select(mail.OutboxMessage.id))
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert 'href="http://127.0.0.1:5000/reset-password/abc"' in page and "Hello Tess &lt;b&gt;," in page


def test_outbox_is_for_admins_only(client, login_as):
    login_as("manager")
    assert client.get("/admin/outbox").status_code == 403


def test_outbox_page_statements_do_not_grow_with_messages(app, client, login_as, factory):
    login_as("admin")

    def statements():
        seen = []
        with app.app_context():
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert client.get("/admin/outbox").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    _queue(app, factory.user().id, "a")
    few = statements()
    for n in range(8):
        _queue(app, factory.user().id, f"b{n}")
    assert statements() == few
