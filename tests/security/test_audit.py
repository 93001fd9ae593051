"""Failed logins, login limits and refused accesses are logged with user, address, page and
time, readable by admins only, and no password ever reaches the audit table, the log or a page."""

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import PASSWORD, login

SECRET = "Tr0ub4dor&3-never-logged"


def _audit_text(app):
    with app.app_context():
        rows = db.session.execute(select(AuditEvent)).scalars().all()
        return rows, " ".join(
            f"{e.kind} {e.user_id} {e.email} {e.address} {e.path} {e.created_at}" for e in rows
        )


def test_no_password_in_the_audit_table_the_logs_or_the_audit_page(make_app, factory, caplog):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT="3 per 5 minutes")
    person = factory.user(password=PASSWORD)
    admin = factory.user(role="admin")
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    for _ in range(4):  # failures, then the limit
        login(client, person.email, SECRET)
    login(client, "nobody@example.com", SECRET)
    login(client, person.email, PASSWORD)  # limited, with the right password
    rows, text = _audit_text(app)
    kinds = {e.kind for e in rows}
    assert {"login-failed", "login-limited"} <= kinds
    assert all(e.address and e.created_at and e.path == "/login" for e in rows)
    assert SECRET not in text and PASSWORD not in text
    assert SECRET not in caplog.text and PASSWORD not in caplog.text
    assert "login-failed" in caplog.text  # the log did see the events
    reader = make_app().test_client()  # another address's view: this one is limited now
    login(reader, admin.email)
    page = reader.get("/admin/audit").get_data(as_text=True)
    assert person.email in page and SECRET not in page and PASSWORD not in page


def test_refused_access_names_user_address_page_and_time(app, client, factory):
    trainee = factory.user()
    login(client, trainee.email)
    client.get("/author/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    rows, _ = _audit_text(app)
    event = next(e for e in rows if e.kind == "access-refused")
    assert (event.user_id, event.address, event.path) == (trainee.id, "10.1.2.3", "/author/")
    assert event.created_at is not None


def test_only_admins_read_the_audit_log(app, factory):
    for role, expected in (("trainee", 403), ("manager", 403), ("trainer", 403), ("admin", 200)):
        client = app.test_client()
        login(client, factory.user(role=role).email)
        assert client.get("/admin/audit").status_code == expected, role
    assert app.test_client().get("/admin/audit").status_code == 302
