"""Operations: one log line per request (request id, user id, method, path, status, duration;
JSON in production), the X-Request-Id header, and /healthz for load balancers."""

import json
import logging
import re
import sys
import time
import uuid

from flask import Blueprint, current_app, g, has_request_context, jsonify, request
from sqlalchemy import text

bp = Blueprint("ops", __name__)
request_log = logging.getLogger("petitspas.requests")
# An id a proxy or load balancer sent is kept (so one request can be followed across hosts)
# when it is plain; anything else is replaced.
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}\Z")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def register(app):
    _configure_logging(app)
    app.before_request(_start)
    # Registered before the request boundary (app/transaction.py), so it runs after the commit
    # and logs the status that was really sent.
    app.after_request(_finish)
    app.register_blueprint(bp)


@bp.route("/healthz")
def healthz():
    """200 when the database answers, 503 when not; no session, no cookie, no page."""
    try:
        from app.extensions import db

        db.session.execute(text("SELECT 1"))
        # Ended by a commit (nothing was written), not a rollback: psycopg drops all of a
        # connection's prepared statements on every ROLLBACK, and a load balancer asks often.
        db.session.commit()
    except Exception as error:  # any failure to answer is "unavailable", and says which
        current_app.logger.warning("health check: database unavailable: %s", type(error).__name__)
        return jsonify(status="unavailable", database=type(error).__name__), 503
    return jsonify(status="ok", database="ok")


def _start():
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-Id"] = request_id
    started = g.pop("request_started", None)
    if started is not None:  # once per request, even when an error page is built after a failure
        user = g.get("_login_user")  # only if this request loaded it: no query for a log line
        request_log.log(
            logging.DEBUG if request.endpoint in ("ops.healthz", "static") else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "user_id": getattr(user, "id", None),
                "method": request.method,
                "path": request.path[:500],
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's fields."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _RequestId(logging.Filter):
    """Every line written while a request runs carries its id."""

    def filter(self, record):
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


class _Text(logging.Formatter):
    def format(self, record):
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        return line + ("".join(f" {k}={v}" for k, v in fields.items()) if fields else "")


def _configure_logging(app):
    """The app's and the request log's lines go to stderr (gunicorn and systemd collect it), as
    JSON lines when LOG_FORMAT is json (production's default), else readable text."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = (
        JsonLines()
        if app.config["LOG_FORMAT"] == "json"
        else _Text("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestId())
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    for logger in (app.logger, request_log):
        for old in [h for h in logger.handlers if getattr(h, "_petitspas", False)]:
            logger.removeHandler(old)  # a second app in one process replaces, not doubles
        handler._petitspas = True
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.disabled = False  # Alembic's fileConfig disables existing loggers
    request_log.propagate = False
    app.logger.propagate = app.testing  # tests read records through the root (caplog)
