"""Operations: one log line per request with its id, user, method, path, status and duration
(JSON in production), an X-Request-Id header on every response, and /healthz answering without
a session: 200 when the database answers, 503 when it does not."""

import io
import json
import logging

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.operations import JsonLines, request_log
from tests.helpers import login


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _capture():
    handler = _Lines()
    request_log.addHandler(handler)
    return handler


def test_one_line_per_request_with_its_id_user_status_and_duration(app, client, factory):
    person = factory.user()
    lines = _capture()
    try:
        login(client, person.email)
        answer = client.get("/learn/", headers={"X-Request-Id": "lb-0123456789abcdef"})
        assert answer.headers["X-Request-Id"] == "lb-0123456789abcdef"  # a proxy's id is kept
        other = client.get("/learn/", headers={"X-Request-Id": "bad id with spaces and <tags>"})
        assert (
            other.headers["X-Request-Id"] != "bad id with spaces and <tags>"
            and len(other.headers["X-Request-Id"]) == 32
        )
        missing = client.get("/no-such-page")
    finally:
        request_log.removeHandler(lines)
    records = lines.records
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/login", 200),
        ("POST", "/login", 302),
        ("GET", "/learn/", 200),
        ("GET", "/learn/", 200),
        ("GET", "/no-such-page", 404),
    ]
    page = records[2]
    assert page.request_id == "lb-0123456789abcdef" and page.user_id == person.id and page.duration_ms >= 0
    assert records[0].user_id is None
    assert missing.headers["X-Request-Id"] == records[-1].request_id


def test_production_logs_are_json_lines(app):
    record = logging.makeLogRecord(
        {
            "name": "petitspas.requests",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "%s %s %s",
            "args": ("GET", "/learn/", 200),
            "request_id": "abc",
            "user_id": 7,
            "method": "GET",
            "path": "/learn/",
            "status": 200,
            "duration_ms": 12.5,
        }
    )
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "GET /learn/ 200" and entry["request_id"] == "abc" and entry["user_id"] == 7
    assert entry["status"] == 200 and entry["duration_ms"] == 12.5 and entry["time"].endswith("Z")


def test_production_app_writes_json_to_stderr(make_app, monkeypatch, migrated):
    from app import create_app
    from config import ProductionConfig

    make_app()
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI=migrated,
        SECRET_KEY="0f5c1e7a9b3d42c68e1f0a7b9c3d5e7f1a2b",
        MAIL_DISABLED=True,
    )
    app.test_client().get("/login")
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    assert any(
        e["logger"] == "petitspas.requests" and e["path"] == "/login" and e["status"] == 200 for e in lines
    )
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_without_a_session(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in answer.headers and answer.headers["X-Request-Id"]


def test_healthz_says_503_when_the_database_does_not_answer(app, client):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        answer = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
    assert answer.status_code == 503 and answer.get_json()["status"] == "unavailable"
    assert client.get("/healthz").status_code == 200
