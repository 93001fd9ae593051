"""Petits Pas: the application factory."""

import gc
import os
import secrets
import select
import sqlite3
from datetime import timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from sqlalchemy import event, exc

from config import check_mail_settings, check_secret_key, config_for_environment


def create_app(config_class=None, **overrides):
    """Build an app: config -> extensions -> blueprints -> cli -> errors. Nothing at import time."""
    config_class = config_class or config_for_environment()
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_class.from_environment())
    app.config.update(overrides)
    _finish_config(app)
    from app import operations

    operations.register(app)  # first: its after-request runs last, on the status really sent
    _register_extensions(app)
    _register_blueprints(app)
    _drop_idle_limit_checks(app)
    _register_cli(app)
    from app import errors, formats, i18n, jobs, reading, security

    errors.register(app)
    formats.register(app)
    i18n.register(app)
    reading.register(app)
    _register_markdown(app)
    _register_fixed_urls(app)
    security.register(app)
    jobs.register(app)  # after the request boundary's: a request's mails leave once it has answered
    if not app.testing:
        _freeze_startup_objects()
    return app


def _register_markdown(app):
    """The one way author text reaches a page, in every template: md(text), md_inline(text) and
    md_values(text, known) through the content core's sanitizing renderer, never `|safe`."""
    from markupsafe import Markup

    from app.content.render import render_inline, render_interpolated, render_markdown

    app.jinja_env.globals.update(
        md=lambda text: Markup(render_markdown(text or "")),
        md_inline=lambda text: Markup(render_inline(text or "")),
        md_values=lambda text, known: Markup(render_interpolated(text or "", known)),
    )


def _register_fixed_urls(app):
    """Templates' url_for, keeping each address built from plain values (the header's links,
    the style sheet, the icons, a module's or an attempt's page: a dozen to eighty on a page,
    each a walk through the URL map) once per process per script root: the URL map and its
    converters give the same path for the same endpoint and values. Anything else (an option
    such as _external or _anchor, a value not a string or a whole number, an endpoint relative
    to the page's blueprint, no request) is built as usual."""
    from functools import lru_cache

    from flask import url_for
    from flask.globals import _cv_request

    @lru_cache(maxsize=4096)
    def fixed(endpoint, values, root):
        return url_for(endpoint, **dict(values))

    def templates_url_for(endpoint, **values):
        request_context = _cv_request.get(None)  # not `request`: two proxy trips an address
        if (
            request_context is None
            or endpoint.startswith(".")
            or any(key.startswith("_") or type(value) not in (str, int) for key, value in values.items())
        ):
            return url_for(endpoint, **values)
        return fixed(endpoint, tuple(sorted(values.items())), request_context.request.script_root)

    app.jinja_env.globals["url_for"] = templates_url_for


def _freeze_startup_objects():
    """Hide what start-up built (modules, mapped classes, routes) from the garbage collector:
    a full collection walked 100,000 long-lived objects and stalled whichever request triggered
    it for up to 110 ms (the tail of benchmark B2). Objects made later are collected as usual."""
    gc.collect()
    gc.freeze()


def _finish_config(app):
    lifetime = timedelta(days=app.config["SESSION_LIFETIME_DAYS"])
    try:  # a misspelt zone would otherwise fail every page that shows a date
        ZoneInfo(app.config["TIMEZONE"] or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        raise SystemExit(
            f"TIMEZONE={app.config['TIMEZONE']!r} is not a time zone (e.g. Europe/Paris, UTC)"
        ) from None
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["REMEMBER_COOKIE_DURATION"] = lifetime
    if app.config["APP_ENV"] == "production":
        problem = check_secret_key(app.config) or check_mail_settings(app.config)
        if problem:
            raise SystemExit(f"Refusing to start in production: {problem}")
        app.debug = False
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "petitspas.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _postgresql_timeouts(app.config)
    if app.config["SQLITE_SYNCHRONOUS"] not in SQLITE_SYNCHRONOUS_MODES:
        raise SystemExit(
            f"SQLITE_SYNCHRONOUS={app.config['SQLITE_SYNCHRONOUS']!r} is not one of "
            f"{', '.join(SQLITE_SYNCHRONOUS_MODES)}"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite serialises writers; wait for the lock instead of failing at once.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret_key(app):
    """Development's key: random, made once into instance/secret_key (readable by its owner
    only) and read back by every later start and every worker, never a key written in the code,
    which anyone could use to sign a cookie that opens /admin/."""
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f"secret_key.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: of two workers starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _postgresql_timeouts(config):
    """A database that accepts connections and never answers hung every request until gunicorn
    killed the worker: bound the connection (libpq's connect_timeout covers the whole start-up,
    authentication included) and each statement (server-side, which also bounds lock waits).
    TCP keepalives and tcp_user_timeout notice a peer that vanished mid-request."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect = max(int(config["DATABASE_CONNECT_TIMEOUT"]), 1)
    statement_ms = max(int(config["DATABASE_STATEMENT_TIMEOUT"]), 0) * 1000  # 0: no limit (a long migration)
    connect_args.setdefault("connect_timeout", connect)
    if statement_ms:
        connect_args.setdefault("options", f"-c statement_timeout={statement_ms}")
    connect_args.setdefault("keepalives", 1)
    connect_args.setdefault("keepalives_idle", 10)
    connect_args.setdefault("keepalives_interval", 2)
    connect_args.setdefault("keepalives_count", 3)
    connect_args.setdefault("tcp_user_timeout", (statement_ms or 60_000) + connect * 1000)
    options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


SQLITE_SYNCHRONOUS_MODES = ("NORMAL", "FULL", "EXTRA")


def _ended_by_server(dbapi_connection, _record, _proxy):
    """PostgreSQL: a pooled connection the server ended (a restart, pg_terminate_backend, an idle
    timeout) is replaced before a request uses it. A server writes to an idle connection only to
    end it (its reason, then the close), so something to read means gone: a poll of the socket,
    where pool_pre_ping sent a statement and waited for its answer on every checkout (a round trip
    and a wake-up of the server's process on every request, 0.1 ms of CPU on the two sides
    together). A peer that vanishes without a word is left to the TCP timeouts, as it was."""
    poll = select.poll()
    poll.register(dbapi_connection.fileno(), select.POLLIN)
    if poll.poll(0):
        raise exc.DisconnectionError("the server ended this connection while it was in the pool")


def _sqlite_pragmas(dbapi_connection, _record, synchronous="NORMAL"):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives the process being killed, but the last ones may
        # be lost (never half-written) if the machine loses power; FULL syncs every commit.
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()


def _register_extensions(app):
    from app import transaction
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    transaction.register(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(
            engine, "connect", partial(_sqlite_pragmas, synchronous=app.config["SQLITE_SYNCHRONOUS"])
        )
    elif engine.dialect.name == "postgresql" and not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get(
        "pool_pre_ping"
    ):
        event.listen(engine, "checkout", _ended_by_server)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app import auth  # noqa: F401  (user loader)


def _drop_idle_limit_checks(app):
    """No route declares a limit (the login and reset budgets count through limiter.limiter
    directly, app/auth/guessing.py): Flask-Limiter's before-, after- and teardown-request hooks
    then only find that nothing applies, 45 µs on every request, and go. A limit declared later
    (a decorator, default or application limits) keeps them."""
    from app.extensions import limiter

    manager = limiter.limit_manager
    if (
        manager._application_limits
        or manager._default_limits
        or manager._decorated_limits
        or manager._blueprint_limits
        or limiter._meta_limits
    ):
        return

    def limiters(hook):
        return getattr(hook, "__self__", None) is limiter or getattr(hook, "args", ())[:1] == (limiter,)

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        hooks[None] = [hook for hook in hooks.get(None, []) if not limiters(hook)]


def _register_blueprints(app):
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.author import bp as author_bp
    from app.certificates import bp as certificates_bp
    from app.learn import bp as learn_bp
    from app.manage import bp as manage_bp
    from app.notifications import bp as notifications_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp, url_prefix="/learn")
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(author_bp, url_prefix="/author")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(notifications_bp)
    app.register_blueprint(certificates_bp)


def _register_cli(app):
    from app import cli

    cli.register(app)
