"""The app under gunicorn with a profiler around each request: bench only, never part of the
product. With BENCH_PROFILE_DIR set, each request's cProfile statistics are added to those of
its kind (method and URL rule, e.g. "GET /learn/modules/<module_id>/pages/<int:number>"); a GET
of /_bench/profile writes them, one file per kind, into that folder and starts afresh. Every response
carries X-Bench-CPU, the CPU milliseconds of the worker's thread from its WSGI call to the end
of its body (the profiler's own cost included), as bench/b5_wsgi.py.

Loaded by path like b5_wsgi (gunicorn --pythonpath bench/ profile_wsgi:application); used by
bench/profile_pages.py, which compares these figures with the same requests in-process."""

import cProfile
import os
import pstats
import re
import threading
import time

from app import create_app

application = create_app()
_stats: dict = {}
_lock = threading.Lock()
_inner = application.wsgi_app
_adapter = application.url_map.bind("localhost")


def kind_of(environ):
    try:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        rule, _ = _adapter.match(path, method=method, return_rule=True)
        return f"{environ['REQUEST_METHOD']} {rule.rule}"
    except Exception:  # a 404, a 405: by path
        return f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO')}"


def dump():
    folder = os.environ["BENCH_PROFILE_DIR"]
    with _lock:
        for kind, stats in _stats.items():
            name = re.sub(r"[^A-Za-z0-9]+", "_", kind).strip("_")
            stats.dump_stats(os.path.join(folder, f"{name}.{os.getpid()}.prof"))
        _stats.clear()


def _profiled(environ, start_response):
    if environ.get("PATH_INFO") == "/_bench/profile":
        dump()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"dumped\n"]
    kind = kind_of(environ)
    cpu = time.thread_time()
    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE_DIR") else None
    body = []

    if profile:
        profile.enable()
    try:
        iterable = _inner(environ, lambda s, h, e=None: body.append((s, h, e)))
        chunks = list(iterable)
        if hasattr(iterable, "close"):
            iterable.close()
    finally:
        if profile:
            profile.disable()
    status, headers, exc_info = body[0]
    headers = list(headers) + [("X-Bench-CPU", f"{(time.thread_time() - cpu) * 1000:.3f}")]
    if exc_info:
        start_response(status, headers, exc_info)
    else:
        start_response(status, headers)
    if profile is None:
        return chunks
    with _lock:
        stats = pstats.Stats(profile)
        if kind in _stats:
            _stats[kind].add(stats)
        else:
            _stats[kind] = stats
    return chunks


application.wsgi_app = _profiled
