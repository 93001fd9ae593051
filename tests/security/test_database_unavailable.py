"""A database that does not answer gives a clear page (503), never a traceback; once it is
back, the same request works and nothing was half-written."""

from sqlalchemy import event

from app.extensions import db
from app.models import Team
from tests.helpers import login


def test_database_down_gives_a_clear_503_then_recovers(app, client, factory):
    admin = factory.user(role="admin")
    login(client, admin.email)
    outage = {"on": True}

    with app.app_context():
        engine = db.engine

        def refuse(*args, **kwargs):
            if outage["on"]:
                from sqlalchemy.exc import OperationalError

                raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

        event.listen(engine, "before_cursor_execute", refuse)
    try:
        response = client.post("/admin/teams", data={"name": "During outage", "manager_id": 0})
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "database is not answering" in page and "Traceback" not in page
    finally:
        outage["on"] = False
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", refuse)
    response = client.post("/admin/teams", data={"name": "During outage", "manager_id": 0})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Team).filter_by(name="During outage").count() == 1


def test_a_statement_that_runs_too_long_is_stopped_on_postgresql(make_app, factory):
    """DATABASE_STATEMENT_TIMEOUT bounds every statement (a lock wait, a runaway query): the
    request gets the 503 page instead of holding a worker."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    app = make_app(DATABASE_STATEMENT_TIMEOUT=1)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("statement timeouts are PostgreSQL's (SQLite waits busy_timeout for its lock)")
        db.engine.dispose()
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(3)"))
        db.session.rollback()
        db.engine.dispose()
