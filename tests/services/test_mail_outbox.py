"""The outbox: mails queued in the event's transaction, sent by `flask mail send` through a real
SMTP server (aiosmtpd), never lost when the server is down, never sent twice."""

import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.models import OutboxMessage, User
from app.models.base import utcnow
from app.services import mail


def _queue(app, person, key="k1", template="password_reset", kind="password-reset"):
    with app.app_context():
        user = db.session.get(User, person.id)
        queued = mail.queue(
            user, kind, key, template, f"Subject {key}", link="http://petitspas.test/x", minutes=60
        )
        db.session.commit()
        return queued


def _send(app, now=None):
    with app.app_context():
        return jobs.send_mail(now=now)


def _rows(app):
    with app.app_context():
        return [
            (m.status, m.attempts, m.last_error)
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_a_queued_mail_is_sent_once_as_text_and_html(mail_app, smtp_server):
    factory_user = _user(mail_app, "ana@example.com", "Ana Lopez")
    assert _queue(mail_app, factory_user) is True
    assert _queue(mail_app, factory_user) is False  # the same event again: nothing new
    report = _send(mail_app)
    assert report.sent == 1 and str(report).startswith("1 sent")
    assert _send(mail_app).sent == 0  # a second run sends nothing
    [message] = smtp_server.messages
    assert message["To"] == "Ana Lopez <ana@example.com>" and message["Subject"] == "Subject k1"
    assert "Hello Ana Lopez," in smtp_server.text(message)
    html = smtp_server.html(message)
    assert "Hello Ana Lopez," in html and "<img" not in html and "http://petitspas.test/x" in html
    assert _rows(mail_app) == [("sent", 1, None)]


def _user(app, email, name, active=True):
    from app.services import accounts

    with app.app_context():
        user = accounts.create_user(email, name, "correct-horse-battery", check_password=False)
        user.active = active
        db.session.commit()
        return type("P", (), {"id": user.id, "email": user.email})


def test_a_server_that_is_down_keeps_the_mail_and_it_is_sent_once_when_back(mail_app, smtp_server):
    person = _user(mail_app, "ben@example.com", "Ben")
    _queue(mail_app, person, "a")
    _queue(mail_app, person, "b")
    smtp_server.stop()
    report = _send(mail_app)
    assert report.sent == 0 and report.retried == 1  # stops at the first sign: b untouched
    assert [r[:2] for r in _rows(mail_app)] == [("queued", 1), ("queued", 0)]
    smtp_server.start()
    assert _send(mail_app).sent == 1  # b now
    assert _send(mail_app, now=utcnow() + timedelta(minutes=2)).sent == 1  # a after its back-off
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Subject a", "Subject b"]
    assert _send(mail_app, now=utcnow() + timedelta(hours=1)).sent == 0


def test_a_mail_that_keeps_failing_is_marked_failed(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_MAX_ATTEMPTS=3)
    person = _user(app, "cy@example.com", "Cy")
    _queue(app, person)
    now = utcnow()
    for minutes in (0, 1, 3):
        _send(app, now=now + timedelta(minutes=minutes))
    [(status, attempts, error)] = _rows(app)
    assert (status, attempts) == ("failed", 3) and "Connection" in error


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_that_hangs_times_out_and_the_mail_waits(make_app):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections, never says hello
    try:
        app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.3)
        _queue(app, _user(app, "dee@example.com", "Dee"))
        report = _send(app)
        assert report.retried == 1 and "timed out" in report.errors[0]
        assert _rows(app)[0][:2] == ("queued", 1)
    finally:
        silent.close()


def test_an_invalid_or_refused_address_fails_that_mail_only(mail_app, smtp_server):
    bad = _user(mail_app, "nobody@localhost", "No Domain")
    refused = _user(mail_app, "gone@example.com", "Gone")
    good = _user(mail_app, "eve@example.com", "Eve")
    smtp_server.refuse.add("gone@example.com")
    for person in (bad, refused, good):
        _queue(mail_app, person)
    report = _send(mail_app)
    assert (report.sent, report.failed) == (1, 2)
    rows = _rows(mail_app)
    assert rows[0][0] == "failed" and "Invalid address" in rows[0][2]
    assert rows[1][0] == "failed" and "550" in rows[1][2]
    assert rows[2][0] == "sent" and [m["To"] for m in smtp_server.messages] == ["Eve <eve@example.com>"]


def test_a_recipient_deactivated_after_queueing_is_not_sent(mail_app, smtp_server):
    person = _user(mail_app, "fay@example.com", "Fay")
    _queue(mail_app, person)
    with mail_app.app_context():
        db.session.get(User, person.id).active = False
        db.session.commit()
    assert _send(mail_app).cancelled == 1
    assert smtp_server.messages == [] and _rows(mail_app)[0][0] == "cancelled"


def test_a_template_error_marks_the_mail_failed_and_the_event_stands(mail_app, smtp_server):
    person = _user(mail_app, "gil@example.com", "Gil")
    with mail_app.app_context():
        user = db.session.get(User, person.id)
        user.name = "Gil renamed"  # the event's own write
        assert mail.queue(user, "password-reset", "k", "no_such_template", "Subject") is True
        db.session.commit()
        assert db.session.get(User, person.id).name == "Gil renamed"
    [(status, _, error)] = _rows(mail_app)
    assert status == "failed" and "no_such_template" in error
    assert _send(mail_app).sent == 0 and smtp_server.messages == []


def test_two_senders_at_once_send_each_mail_once(mail_app, smtp_server):
    people = [_user(mail_app, f"p{i}@example.com", f"P{i}") for i in range(12)]
    for person in people:
        _queue(mail_app, person)
    barrier, reports = threading.Barrier(3), []

    def sender():
        with mail_app.app_context():
            barrier.wait()
            reports.append(jobs.send_mail())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 12
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"P{i} <p{i}@example.com>" for i in range(12)
    )


def test_flask_mail_send_without_a_server_says_so(app):
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output


def test_flask_mail_send_reports_what_it_sent(mail_app, smtp_server):
    _queue(mail_app, _user(mail_app, "hal@example.com", "Hal"))
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "1 sent" in result.output and len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    "env, problem",
    [
        ({}, "MAIL_SERVER"),
        ({"MAIL_SERVER": "smtp.example.com"}, "SITE_URL"),
        ({"MAIL_DISABLED": True}, None),
        ({"MAIL_SERVER": "smtp.example.com", "SITE_URL": "https://t.example.com"}, None),
    ],
)
def test_production_needs_a_mail_server_unless_mail_is_disabled(env, problem):
    from config import check_mail_settings

    found = check_mail_settings(env)
    assert (problem in found) if problem else found is None
