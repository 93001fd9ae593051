"""The security log records admin actions (account created, role changed, deactivated and
reactivated, sessions ended) and content publications, with who did it and about whom; admins
filter it by kind and by person and download it as CSV; the page's statement count does not
grow with its rows."""

import csv
import io

from sqlalchemy import event, select

from app.extensions import db
from app.models import AuditEvent, User
from tests.helpers import PASSWORD, login, publish_course


def _events(app, kind=None):
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if kind:
            stmt = stmt.where(AuditEvent.kind == kind)
        return [(e.kind, e.user_id, e.target_user_id, e.detail) for e in db.session.scalars(stmt)]


def test_admin_actions_are_recorded_with_who_and_whom(app, client, factory):
    admin = factory.user(role="admin")
    login(client, admin.email)
    answer = client.post(
        "/admin/users",
        data={
            "name": "New Rep",
            "email": "new.rep@example.com",
            "password": "a long enough phrase",
            "role": "trainee",
            "team_id": 0,
        },
    )
    assert answer.status_code == 302
    with app.app_context():
        rep = db.session.scalar(select(User).where(User.email == "new.rep@example.com"))
    client.post(
        f"/admin/users/{rep.id}",
        data={"name": "New Rep", "email": rep.email, "role": "manager", "team_id": 0, "hire_date": ""},
    )
    client.post(f"/admin/users/{rep.id}/sessions/end")
    client.post(f"/admin/users/{rep.id}/deactivate")
    client.post(f"/admin/users/{rep.id}/reactivate")
    kinds = [(k, by, about, detail) for k, by, about, detail in _events(app)]
    assert ("user-created", admin.id, rep.id, "role trainee") in kinds
    assert ("role-changed", admin.id, rep.id, "trainee → manager") in kinds
    assert ("sessions-ended", admin.id, rep.id, "0 sessions") in kinds
    assert ("user-deactivated", admin.id, rep.id, None) in kinds
    assert ("user-reactivated", admin.id, rep.id, None) in kinds


def test_a_refused_admin_change_leaves_no_record(app, client, factory):
    admin = factory.user(role="admin")
    login(client, admin.email)
    other = factory.user()
    answer = client.post(
        f"/admin/users/{other.id}", data={"name": "", "email": other.email, "role": "manager", "team_id": 0}
    )
    assert answer.status_code == 400
    assert _events(app, "role-changed") == []


def test_publications_are_recorded(app, factory):
    publish_course(app)
    published = _events(app, "content-published")
    assert published and all(by is None for _k, by, _a, _d in published)  # sync: the command line
    assert any("scenario ranking-the-pipeline version 1" in d for *_x, d in published)


def test_logging_out_everywhere_is_recorded(app, client, factory):
    person = factory.user()
    login(client, person.email)
    client.post("/account/logout-everywhere", data={})
    assert _events(app, "sessions-ended") == [("sessions-ended", person.id, person.id, "1 session")]


def _seed_log(app, factory):
    admin, rep = factory.user(role="admin", email="boss@example.com"), factory.user(email="rep@example.com")
    with app.app_context():
        for i in range(30):
            db.session.add(
                AuditEvent(
                    kind="login-failed", email=f"guess{i}@example.com", address="10.0.0.1", path="/login"
                )
            )
            db.session.add(
                AuditEvent(
                    kind="role-changed",
                    user_id=admin.id,
                    target_user_id=rep.id,
                    detail="trainee → manager",
                    path="/admin/users/1",
                )
            )
        db.session.add(
            AuditEvent(
                kind="login-failed", email='=HYPERLINK("http://evil")', address="10.0.0.2", path="/login"
            )
        )
        db.session.commit()
    return admin, rep


def test_the_log_is_filtered_by_kind_and_person(app, client, factory):
    admin, rep = _seed_log(app, factory)
    login(client, admin.email)
    page = client.get("/admin/audit?kind=role-changed").get_data(as_text=True)
    assert page.count('data-kind="role-changed"') == 30 and 'data-kind="login-failed"' not in page
    page = client.get("/admin/audit?who=guess7").get_data(as_text=True)
    assert page.count("<tr data-kind") == 1 and "guess7@example.com" in page
    page = client.get("/admin/audit?who=rep@example").get_data(as_text=True)
    assert page.count('data-kind="role-changed"') == 30
    page = client.get("/admin/audit?kind=nonsense&who=").get_data(as_text=True)  # an unknown kind: all
    assert page.count("<tr data-kind") >= 61


def test_the_log_downloads_as_csv_with_its_filters_and_no_formulas(app, client, factory):
    admin, rep = _seed_log(app, factory)
    login(client, admin.email)
    answer = client.get("/admin/audit.csv?kind=login-failed")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["time", "event", "kind", "by"]
    assert len(rows) == 1 + 31 and {r[2] for r in rows[1:]} == {"login-failed"}
    assert any(r[4] == '\'=HYPERLINK("http://evil")' for r in rows[1:])  # not a live formula
    assert (
        client.get("/admin/audit.csv?who=rep@example.com").get_data(as_text=True).count("trainee → manager")
        == 30
    )


def test_the_log_page_runs_the_same_statements_for_many_rows(app, client, factory):
    admin, rep = _seed_log(app, factory)
    login(client, admin.email)
    client.get("/admin/audit")
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/admin/audit").status_code == 200
        few = len(statements)
        with app.app_context():
            for _ in range(40):
                db.session.add(
                    AuditEvent(
                        kind="sessions-ended",
                        user_id=admin.id,
                        target_user_id=factory.user().id,
                        detail="1 session",
                    )
                )
            db.session.commit()
        statements.clear()
        assert client.get("/admin/audit").status_code == 200
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_only_admins_read_the_log(app, client, factory):
    login(client, factory.user(role="manager").email, PASSWORD)
    assert client.get("/admin/audit.csv").status_code == 403
