"""What every benchmark shares: a gunicorn on loopback serving the real app on a file
database, a small keep-alive HTTP load generator, medians of interleaved rounds, and one
printed line per figure: figure, reference, ratio, bar, ok or short."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update({"APP_ENV": "development", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "false",
                "WTF_CSRF_ENABLED": "false", "SECRET_KEY": "bench-" + "k" * 40, "FLASK_APP": "app"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def default_database(tmpdir: str) -> str:
    """PostgreSQL when DATABASE_URL is set, else a fresh SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmpdir}/bench.db"


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([str(Path(PYTHON).parent / "flask"), *args], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def gunicorn(app: str, env: dict, workers: int = 2, threads: int = 1):
    """Serve `app` (a gunicorn app spec) on a free loopback port; yields the base URL."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    cmd = [str(Path(PYTHON).parent / "gunicorn"), "-w", str(workers), "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--graceful-timeout", "2", app]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("gunicorn did not start:\n" + log.read()[-3000:])
        proc.log_path = log.name
        proc.port = port
        yield f"http://127.0.0.1:{port}", proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class Client:
    """One keep-alive connection with a cookie jar: a logged-in browser, minus the browser."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode(form or {}) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def login(self, email, password):
        status, _, headers = self.post("/login", {"email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login of {email} failed: {status}")

    def close(self):
        self.conn.close()


@dataclass
class Load:
    """What a run of requests measured."""
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def count(self):
        return len(self.latencies)

    @property
    def throughput(self):
        return self.count / self.seconds if self.seconds else 0.0

    def p(self, q):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def server_errors(self):
        return sum(n for status, n in self.statuses.items() if status >= 500)


def run_load(clients: list, action, requests_per_client: int) -> Load:
    """Each client runs `action(client, i)` (returning an HTTP status) in its own thread."""
    load = Load()
    lock = threading.Lock()

    def worker(client):
        mine, statuses = [], {}
        for i in range(requests_per_client):
            started = time.perf_counter()
            status = action(client, i)
            mine.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        with lock:
            load.latencies.extend(mine)
            for status, n in statuses.items():
                load.statuses[status] = load.statuses.get(status, 0) + n

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - started
    return load


def median(values):
    return statistics.median(values)


@dataclass
class Line:
    name: str
    figure: float
    reference: float
    unit: str
    bar: str
    ok: bool
    note: str = ""

    @property
    def ratio(self):
        return self.figure / self.reference if self.reference else float("inf")

    def format(self):
        status = "ok" if self.ok else "short"
        return (f"{self.name:<28} {self.figure:>10.2f} {self.unit:<8} ref {self.reference:>10.2f}  "
                f"ratio {self.ratio:>6.2f}  bar {self.bar:<14} {status}" + (f"  ({self.note})" if self.note else ""))


@dataclass
class Result:
    """What one benchmark hands to `python -m bench`: its printed lines, and the problems (a 5xx, a
    lost or doubled record, "database is locked") that fail the whole run whatever the ratios.

    Every benchmark module exposes `run(quick: bool = False) -> Result`; the database is the
    one `default_database()` picks (PostgreSQL when DATABASE_URL is set, else a SQLite file)."""
    name: str
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems and all(line.ok for line in self.lines)
