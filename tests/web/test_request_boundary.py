"""The request boundary commits once when a view answers, rolls back when it refuses or raises,
and a commit that fails sends the site's error page, never the success."""

import re

import pytest
from flask import abort, flash, redirect
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import AttemptStep, AuditEvent, Team
from app.security import audit
from tests.helpers import publish_course


def _teams(app):
    with app.app_context():
        return db.session.scalars(select(Team.name).order_by(Team.name)).all()


@pytest.fixture
def writing_app(make_app):
    """An app with views that write a team, then answer in each way a view can."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def write(name):
        db.session.add(Team(name=name))
        db.session.flush()

    @app.post("/t/ok")
    def ok():
        write("answered")
        flash("Saved.", "success")
        return redirect("/login")

    @app.post("/t/refused")
    def refused():
        write("refused")
        abort(400)

    @app.post("/t/raised")
    def raised():
        write("raised")
        raise RuntimeError("a bug after a write")

    @app.post("/t/audited")
    def audited():
        write("rolled back")
        audit("access-refused")
        abort(404)

    return app


def test_an_answered_request_is_committed(writing_app):
    assert writing_app.test_client().post("/t/ok").status_code == 302
    assert _teams(writing_app) == ["answered"]


def test_a_refused_or_failed_request_writes_nothing(writing_app):
    client = writing_app.test_client()
    assert client.post("/t/refused").status_code == 400
    assert client.post("/t/raised").status_code == 500
    assert _teams(writing_app) == []


def test_the_audit_record_stays_when_the_request_is_rolled_back(writing_app):
    assert writing_app.test_client().post("/t/audited").status_code == 404
    assert _teams(writing_app) == []
    with writing_app.app_context():
        assert db.session.scalars(select(AuditEvent.path)).all() == ["/t/audited"]


def test_a_commit_that_fails_sends_the_error_page_and_no_success(writing_app):
    client = writing_app.test_client()

    def refuse_commit(_session):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    with writing_app.app_context():
        event.listen(db.session, "before_commit", refuse_commit)
        try:
            response = client.post("/t/ok")
        finally:
            event.remove(db.session, "before_commit", refuse_commit)
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)
    assert _teams(writing_app) == []
    assert "Saved." not in client.get("/login").get_data(as_text=True)  # no flashed success


def test_a_role_play_step_is_four_statements_and_renders_from_memory(app, client, login_as):
    publish_course(app)
    login_as("trainee")
    started = client.post("/learn/scenarios/ranking-the-pipeline/start")
    attempt_id = int(re.search(r"/learn/attempts/(\d+)$", started.headers["Content-Location"]).group(1))
    client.get(f"/learn/attempts/{attempt_id}")  # warm the per-process caches
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1, "choice": 2})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and "data-feedback" in response.get_data(as_text=True)
    # the user, the attempt, the attempt's UPDATE, the step's INSERT: nothing read back
    assert len(statements) == 4, "\n".join(s[:60] for s in statements)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == 1
