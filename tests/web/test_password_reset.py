"""Password reset: /forgot-password answers the same whether or not the account exists and is
rate-limited; the link works once, for PASSWORD_RESET_MINUTES, and dies when the password
changes; success ends every other session and logs in; an admin can send the link; every step
is in the security log."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, OutboxMessage, User, UserSession
from app.models.base import utcnow
from app.services import password_reset
from tests.helpers import csrf_token_from, login

NEW = "Seven lanterns over Lyon"


def _ask(client, email):
    return client.post("/forgot-password", data={"email": email})


def _link(app, email):
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.text_body)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"https?://\S+/reset-password/\S+", body).group(0)


def _path(link):
    return "/" + link.split("/", 3)[3]


def _kinds(app):
    with app.app_context():
        return [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, client, factory):
    person = factory.user(name="Rita Reset")
    known, unknown = _ask(client, person.email), _ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/forgot-password?sent=1"
    page = client.get("/forgot-password?sent=1").get_data(as_text=True)
    assert "If an account uses that address" in page
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.to_address == person.email and message.kind == "password-reset"
        assert "Hello Rita Reset," in message.text_body and "60 minutes" in message.text_body
    assert _kinds(app) == ["password-reset-asked", "password-reset-asked-unknown"]


def test_an_empty_or_malformed_email_is_answered_beside_the_field(app, client):
    page = _ask(client, "").get_data(as_text=True)
    assert "Enter the email address of your account." in page
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_asking_is_rate_limited(make_app, factory):
    app = make_app(RATELIMIT_ENABLED=True, RESET_LIMIT="2 per 15 minutes", RATELIMIT_KEY_PREFIX="reset-test-")
    client = app.test_client()
    person = factory.user()
    assert [_ask(client, person.email).status_code for _ in range(3)] == [302, 302, 429]
    assert "Too many links asked for" in _ask(client, person.email).get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 2
    assert "password-reset-limited" in _kinds(app)


def test_the_link_resets_once_ends_other_sessions_and_logs_in(app, client, factory):
    person = factory.user()
    elsewhere = app.test_client()
    login(elsewhere, person.email)
    _ask(client, person.email)
    path = _path(_link(app, person.email))
    page = client.get(path)
    assert page.status_code == 200 and person.email in page.get_data(as_text=True)
    weak = client.post(path, data={"new_password": "password1", "confirm": "password1"})
    assert "too common" in weak.get_data(as_text=True)
    differ = client.post(path, data={"new_password": NEW, "confirm": NEW + "x"})
    assert "The two passwords differ." in differ.get_data(as_text=True)
    done = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/learn/"
    assert client.get("/learn/").status_code == 200  # logged in here
    assert elsewhere.get("/learn/").status_code == 302  # and out everywhere else
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.check_password(NEW)
        assert (
            db.session.scalar(
                select(db.func.count()).select_from(UserSession).where(UserSession.user_id == person.id)
            )
            == 1
        )
    again = app.test_client().get(path)
    assert again.status_code == 410 and "has been used" in again.get_data(as_text=True)
    assert "password-reset-done" in _kinds(app) and "password-reset-link-refused" in _kinds(app)


def test_a_link_expires_and_dies_when_the_password_changes(app, factory):
    person = factory.user()
    with app.app_context(), app.test_request_context():
        user = db.session.get(User, person.id)
        issued = utcnow()
        token = password_reset.make_token(user, issued)
        assert password_reset.user_for_token(token, issued + timedelta(minutes=59)).id == person.id
        with pytest.raises(password_reset.ResetLinkError, match="expired"):
            password_reset.user_for_token(token, issued + timedelta(minutes=61))
        user.set_password("another long phrase here")
        with pytest.raises(password_reset.ResetLinkError, match="has been used"):
            password_reset.user_for_token(token, issued)
        for forged in ("", "x", token[:-2] + "aa"):
            with pytest.raises(password_reset.ResetLinkError, match="not a password-reset link"):
                password_reset.user_for_token(forged, issued)


def test_a_deactivated_account_gets_no_link_and_its_links_die(app, client, factory):
    person = factory.user(active=False)
    assert _ask(client, person.email).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_an_admin_sends_a_reset_link_from_the_users_page(make_app, factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    admin, person = factory.user(role="admin"), factory.user(name="Forgetful Fred")
    login(client, admin.email)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Send a password-reset link" in page
    token = csrf_token_from(client, f"/admin/users/{person.id}")
    answer = client.post(
        f"/admin/users/{person.id}/password-reset", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"A password-reset link is on its way to {person.email}" in answer.get_data(as_text=True)
    assert client.post(f"/admin/users/{person.id}/password-reset", data={}).status_code == 400
    fresh = app.test_client()
    assert fresh.get(_path(_link(app, person.email))).status_code == 200
    assert "password-reset-sent-by-admin" in _kinds(app)


def test_the_login_page_links_to_forgot_password(client):
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)


def test_a_forged_host_never_reaches_the_mail(app, client, factory):
    person = factory.user()
    client.post("/forgot-password", data={"email": person.email}, headers={"Host": "evil.example"})
    assert _link(app, person.email).startswith(app.config["SITE_URL"])


def test_with_a_mail_server_the_link_leaves_once_the_page_has_answered(mail_app, smtp_server, factory):
    """The reset mail does not wait for `flask mail send`: it leaves when the answer is closed, and
    a later `flask mail send` does not send it again."""
    from app import jobs

    person = factory.user(email="lea@example.com", name="Léa Martin")
    client = mail_app.test_client()
    answer = _ask(client, person.email)
    assert answer.status_code == 302
    assert smtp_server.to("lea@example.com") == []  # nothing sent before the answer is done
    answer.close()
    [message] = smtp_server.to("lea@example.com")
    assert "/reset-password/" in smtp_server.text(message)
    with mail_app.app_context():
        assert jobs.send_mail().sent == 0
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["sent"]


def test_without_the_setting_the_mail_waits_for_flask_mail_send(make_app, smtp_server, factory):
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_TIMEOUT=5,
        SITE_URL="http://petitspas.test",
        MAIL_SEND_AFTER_REQUEST=False,
    )
    person = factory.user(email="lea@example.com", name="Léa Martin")
    _ask(app.test_client(), person.email).close()
    assert smtp_server.messages == []
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["queued"]
