"""Helpers (no tests here): the real app under gunicorn (several worker processes) on the test
database, trainees driven over HTTP with http.client, and a record-by-record check of steps."""

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

from sqlalchemy import func, select

from bench import harness

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """gunicorn serving app:create_app() on the test database; stop() or kill() it."""

    def __init__(self, database_url, workers=2, threads=1, env=None):
        self.env = harness.bench_env(database_url, **(env or {}))
        self.port = harness.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        # gone with the Server object; the handle is closed when the server stops (an unclosed file
        # is a ResourceWarning, an error under filterwarnings = error in whichever test collects it)
        weakref.finalize(self, _remove, self.log.name)
        cmd = [
            str(Path(harness.PYTHON).parent / "gunicorn"),
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "2",
            "--timeout",
            "60",
            "app:create_app()",
        ]
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        if self.proc.poll() is not None:
            text = self.log_text()
            self.log.close()
            raise RuntimeError("gunicorn did not start:\n" + text[-3000:])

    def workers(self):
        """Pids of the worker processes (children of the master)."""
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                        out.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return out

    def kill_worker(self):
        pid = self.workers()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self):
        """SIGKILL the master and every worker at once: a power cut of the app server."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        self.log.close()

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    def log_problems(self):
        return [
            line
            for line in self.log_text().splitlines()
            if "Traceback" in line
            or "database is locked" in line
            or "Error" in line
            and "WORKER TIMEOUT" not in line
            and "Worker (pid" not in line
        ]


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


STEP_ACK = re.compile(r"/attempts/(\d+)/steps/(\d+)$")


def acknowledged(headers, attempt, seq):
    """The feedback of exactly this step, sent back (200, Content-Location) or redirected to
    (303, Location), means: recorded, now or by an earlier post."""
    match = STEP_ACK.search(headers.get("Content-Location") or headers.get("Location") or "")
    return bool(match) and int(match.group(1)) == attempt and int(match.group(2)) == seq


def record_problems(app, acks=()):
    """Every attempt: steps are seq 1..step_count with no gap and no double; every acknowledged
    (attempt, seq) is there exactly once. Returns (problems, steps in the database)."""
    from app.extensions import db
    from app.models import AttemptStep, ScenarioAttempt

    problems = []
    with app.app_context():
        db.session.remove()
        steps = {}
        for attempt_id, seq in db.session.execute(select(AttemptStep.attempt_id, AttemptStep.seq)):
            steps.setdefault(attempt_id, []).append(seq)
        total = sum(len(v) for v in steps.values())
        for attempt_id, step_count in db.session.execute(
            select(ScenarioAttempt.id, ScenarioAttempt.step_count)
        ):
            seqs = sorted(steps.get(attempt_id, []))
            if seqs != list(range(1, step_count + 1)):
                problems.append(
                    f"attempt {attempt_id}: step_count {step_count}, seqs {seqs[:5]}...{seqs[-5:]}"
                )
        for attempt_id, seq in acks:
            if steps.get(attempt_id, []).count(seq) != 1:
                problems.append(
                    f"acknowledged step {seq} of attempt {attempt_id} is recorded "
                    f"{steps.get(attempt_id, []).count(seq)} times"
                )
        doubled = db.session.scalar(
            select(func.count()).select_from(
                select(AttemptStep.attempt_id)
                .group_by(AttemptStep.attempt_id, AttemptStep.seq)
                .having(func.count() > 1)
                .subquery()
            )
        )
        if doubled:
            problems.append(f"{doubled} doubled steps")
        db.session.remove()
        db.engine.dispose()
    return problems, total
