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


def test_a_connection_the_server_ended_is_replaced_before_a_request_uses_it(app, client, factory):
    """PostgreSQL: the pool's connections ended by the server while idle (a restart, an
    administrator, an idle timeout) are replaced when a request takes one, not failed on: the
    next request answers, and what it writes is kept (app/__init__.py, _ended_by_server)."""
    import pytest
    from sqlalchemy import create_engine, text

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no server to end a connection")
        url = db.engine.url
    admin = factory.user(role="admin")
    login(client, admin.email)
    assert client.get("/account").status_code == 200  # the pool holds a connection now
    other = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with other.connect() as conn:
            ended = conn.scalars(
                text(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
    finally:
        other.dispose()
    assert ended and all(ended)
    assert client.get("/account").status_code == 200
    response = client.post("/admin/teams", data={"name": "After a restart", "manager_id": 0})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Team).filter_by(name="After a restart").count() == 1


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
