"""The app for benchmark B5 under gunicorn: the real app, wrapped so every response carries
what it cost on the server. Bench only, never part of the product.

    X-Bench-SQL   statements sent to the database while the request was handled
    X-Bench-Time  server time in milliseconds, from the request's arrival to its headers
    X-Bench-CPU   CPU milliseconds the worker spent on it in that time (steadier than the wall
                  clock on a shared machine: waiting for the other core is not counted)
    X-Bench-Root  the folder the app was imported from (proof a revision serves its own code)

Served with the working directory set to the checkout being measured (the working tree, or a
`git worktree` of an older revision), so `import app` picks that checkout's code; this file is
loaded by path (gunicorn --pythonpath to bench/), so it works even where it did not exist."""

import threading
import time

from sqlalchemy import event

from app import create_app
from app.extensions import db

application = create_app()
_local = threading.local()


def _count(*_args, **_kwargs):
    _local.sql = getattr(_local, "sql", 0) + 1


with application.app_context():
    event.listen(db.engine, "before_cursor_execute", _count)

_inner = application.wsgi_app
_root = application.root_path


def _measured(environ, start_response):
    _local.sql = 0
    started, cpu = time.perf_counter(), time.thread_time()

    def measured_start_response(status, headers, exc_info=None):
        headers = list(headers) + [
            ("X-Bench-SQL", str(_local.sql)),
            ("X-Bench-Time", f"{(time.perf_counter() - started) * 1000:.3f}"),
            ("X-Bench-CPU", f"{(time.thread_time() - cpu) * 1000:.3f}"),
            ("X-Bench-Root", _root),
        ]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return _inner(environ, measured_start_response)


application.wsgi_app = _measured
