"""What every benchmark shares: a gunicorn on loopback serving the real app on a file
database, a small keep-alive HTTP load generator, medians of interleaved rounds, and one
printed line per figure: figure, reference, ratio, bar, ok or short."""

from __future__ import annotations

import http.client
import os
import re
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
    env.update(
        {
            "APP_ENV": "development",
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": "false",
            "WTF_CSRF_ENABLED": "false",
            "SECRET_KEY": "bench-" + "k" * 40,
            "FLASK_APP": "app",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def default_database(tmpdir: str) -> str:
    """PostgreSQL when DATABASE_URL is set, else a fresh SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmpdir}/bench.db"


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(Path(PYTHON).parent / "flask"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def gunicorn(app: str, env: dict, workers: int = 2, threads: int = 1):
    """Serve `app` (a gunicorn app spec) from this checkout on a free loopback port; a context
    manager yielding (base URL, master process). The server's log is at proc.log_path."""
    return serve(app, env, cwd=ROOT, workers=workers, threads=threads)


CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One keep-alive connection with a cookie jar: a logged-in browser, minus the browser.
    With `csrf` (a site in its production configuration) it keeps the last CSRF token a page
    carried and sends it with every form, as a browser's forms do; the log-in reads the login
    page for one first."""

    def __init__(self, base: str, csrf: bool = False):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = csrf
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, dict]:
        if form is not None and self.token and "csrf_token" not in form:
            form = {**form, "csrf_token": self.token}
        body = urllib.parse.urlencode(form or {}, doseq=True) if form is not None else None
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
        if self.csrf:
            match = CSRF.search(data)
            if match:
                self.token = match.group(1).decode()
        return response.status, data, dict(response.getheaders())

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def log_in(self, email, password) -> int:
        """The log-in POST's status (302: logged in)."""
        if self.csrf and not self.token:
            self.get("/login")
        return self.post("/login", {"email": email, "password": password})[0]

    def login(self, email, password):
        status = self.log_in(email, password)
        if status != 302:
            raise RuntimeError(f"login of {email} failed: {status}")

    def close(self):
        self.conn.close()

    # A client dropped without close() still hangs up (no socket left for the garbage collector).
    __del__ = close


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
        return (
            f"{self.name:<28} {self.figure:>10.2f} {self.unit:<8} ref {self.reference:>10.2f}  "
            f"ratio {self.ratio:>6.2f}  bar {self.bar:<14} {status}"
            + (f"  ({self.note})" if self.note else "")
        )


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

    def print(self):
        """For a benchmark run as its own command: its lines and problems; the exit status."""
        for line in self.lines:
            print(line.format())
        for problem in self.problems:
            print("PROBLEM", problem)
        return 0 if self.ok else 1


@contextmanager
def serve(
    app: str,
    env: dict,
    cwd=ROOT,
    workers: int = 2,
    threads: int = 1,
    pythonpath: str | None = None,
    port: int | None = None,
):
    """gunicorn serving `app` from a checkout (`cwd`: this one, or a `git worktree` of an older
    revision) with this venv; `pythonpath` adds a folder to gunicorn's import path; `port`: a
    given one, else a free one. Yields (base URL, the master process); the whole process group is
    ended afterwards (a group already killed is fine)."""
    port = port or free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    cmd = [
        str(Path(PYTHON).parent / "gunicorn"),
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "2",
        "--chdir",
        str(cwd),
    ]
    if pythonpath:
        cmd += ["--pythonpath", str(pythonpath)]
    proc = subprocess.Popen(
        cmd + [app], env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
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
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        try:
            os.unlink(log.name)
        except OSError:
            pass


def flask_at(cwd, env: dict, *args: str) -> str:
    """flask(), run from another checkout with the same venv."""
    result = subprocess.run(
        [str(Path(PYTHON).parent / "flask"), *args], env=env, cwd=cwd, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} (in {cwd}) failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    pids = []
    try:
        for task in os.listdir(f"/proc/{master_pid}/task"):
            with open(f"/proc/{master_pid}/task/{task}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
    except OSError:
        pass
    if pids:
        return sorted(set(pids))
    for entry in os.listdir("/proc"):  # kernels without .../children: scan the parents
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == master_pid:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return sorted(pids)


def status_kb(pid: int, key: str = "VmHWM") -> int:
    """A figure of /proc/<pid>/status in kB (VmHWM: the peak resident set size), 0 if gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine() -> str:
    """Cores and memory of this machine, for the top of a report."""
    total = ""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    total = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB memory"
                    break
    except OSError:
        total = "memory unknown"
    try:
        load = "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = ""
    return f"{os.cpu_count()} cores, {total}" + (f", {load}" if load else "")


def database_kind(url: str | None = None) -> str:
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    if url.startswith("postgres"):
        return "PostgreSQL (" + url.rsplit("@", 1)[-1] + ")"
    return "SQLite file (WAL), a fresh one per benchmark"


def log_problems(path: str) -> list[str]:
    """Lines of a gunicorn log that fail a run: "database is locked", tracebacks."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return []
    return [line for line in text.splitlines() if "database is locked" in line or "Traceback" in line]
