"""Load test: many trainees play every scenario at once against gunicorn (2 workers) on loopback
for a bounded time, then every step acknowledged to a client is checked, record by record, to be
in the database exactly once.

    .venv/bin/python -m bench.loadtest --seconds 30 --trainees 20
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME .venv/bin/python -m bench.loadtest

SQLite (a fresh WAL file) by default, PostgreSQL when DATABASE_URL is set (migrated, content
synced, run-specific trainees added; nothing else touched). Each trainee logs in, starts one of
the scenarios (all assigned to their team, so none is locked), answers with a random choice
among those offered, sometimes double-posts a step (a double click) or re-posts an old one (the
back button), reads the feedback, and starts again after each debrief.

A step counts as acknowledged when the server answered the POST with that step's feedback page
(200 with its Content-Location, or a 303 to it after a double post), or when the player page
that follows shows the next step (a Continue).
Prints lost / doubled / 5xx counts and throughput; exit status 1 if any of those is non-zero,
or if an attempt's steps are not exactly 1..step_count."""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from datetime import date

from bench import harness

PASSWORD = "loadtest-password-123"
SEQ = re.compile(rb'name="seq"[^>]*value="(\d+)"')
CHOICES = re.compile(rb'name="choice" value="(\d+)"')
ATTEMPT = re.compile(r"/attempts/(\d+)")
STEP = re.compile(r"/attempts/(\d+)/steps/(\d+)$")


def prepare(tmpdir: str, trainees: int):
    """Migrate, sync the real content, and add a team of run-specific trainees to whom every
    published scenario is assigned."""
    database = harness.default_database(tmpdir)
    env = harness.bench_env(database)
    harness.flask(env, "db", "upgrade")
    harness.flask(env, "content", "sync")
    os.environ.update(env)
    from app import create_app
    from app.extensions import db
    from app.services import accounts, publishing
    from app.services.assignments import assigning

    app = create_app()
    run = uuid.uuid4().hex[:8]
    with app.app_context():
        manager = accounts.create_user(
            f"load-{run}-manager@example.com",
            f"Load manager {run}",
            PASSWORD,
            role="manager",
            check_password=False,
        )
        team = accounts.create_team(f"Load test {run}", manager)
        db.session.flush()
        emails = []
        for i in range(trainees):
            email = f"load-{run}-{i}@example.com"
            accounts.create_user(
                email,
                f"Load trainee {i}",
                PASSWORD,
                role="trainee",
                team=team,
                hire_date=date.today(),
                check_password=False,
            )
            emails.append(email)
        scenarios = sorted(publishing.published_all("scenario"))
        for slug in scenarios:
            assigning.assign(manager, "scenario", slug, team_id=team.id, due_date=date(2099, 1, 1))
        db.session.commit()
        db.engine.dispose()
    return env, app, emails, scenarios


class Trainee:
    """One browser: plays scenario after scenario, noting what the server acknowledged."""

    def __init__(self, base, email, scenarios, seed):
        self.client = harness.Client(base)
        self.client.login(email, PASSWORD)
        self.scenarios = scenarios
        self.random = random.Random(seed)
        self.acks: list[tuple[int, int]] = []
        self.statuses: dict[int, int] = {}
        self.requests = 0
        self.replays = 0
        self.attempt = None
        self.seq = None
        self.choices = []

    def _call(self, method, path, form=None):
        status, body, headers = self.client.request(method, path, form)
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, body, headers

    def _read_player(self):
        status, page, _ = self._call("GET", f"/learn/attempts/{self.attempt}")
        self._read_page(page if status == 200 else b"")

    def _read_page(self, page):
        match = SEQ.search(page)
        self.seq = int(match.group(1)) if match else None
        self.choices = [int(n) for n in CHOICES.findall(page)] if match else []

    def start(self):
        slug = self.random.choice(self.scenarios)
        status, page, headers = self._call("POST", f"/learn/scenarios/{slug}/start", {})
        # the first page in the answer (200, Content-Location), or a redirect to it (older revisions)
        match = (
            ATTEMPT.search(headers.get("Content-Location" if status == 200 else "Location", ""))
            if status in (200, 303)
            else None
        )
        if not match:
            self.attempt = None
            return
        self.attempt = int(match.group(1))
        if status == 200:
            self._read_page(page)
        else:
            self._read_player()

    def step(self):
        if self.attempt is None or self.seq is None:
            self.start()
            return
        seq = self.seq
        form = {"seq": seq}
        if self.choices:
            form["choice"] = self.random.choice(self.choices)
        roll = self.random.random()
        posts = 2 if roll < 0.05 else 1  # a double click now and then
        for _ in range(posts):
            status, page, headers = self._call("POST", f"/learn/attempts/{self.attempt}/step", form)
        # the feedback, sent back (200, Content-Location) or redirected to (303, Location)
        location = (
            headers.get("Content-Location" if status == 200 else "Location", "")
            if status in (200, 303)
            else ""
        )
        match = STEP.search(location)
        if match and (int(match.group(1)), int(match.group(2))) == (self.attempt, seq):
            self.acks.append((self.attempt, seq))
            if status == 303:
                self._call("GET", location)  # read the feedback, as a trainee does
        if status == 200 and ATTEMPT.search(headers.get("Content-Location", "")):
            self._read_page(page)  # a Continue, answered with the next scene
        else:
            self._read_player()
        moved_on = self.seq is None or self.seq == seq + 1
        if not match and status in (200, 303) and "choice" not in form and moved_on:
            self.acks.append((self.attempt, seq))  # a Continue: the player moved on
        if roll > 0.97 and seq > 1:  # the back button: an old step again
            self.replays += 1
            self._call("POST", f"/learn/attempts/{self.attempt}/step", {"seq": seq - 1, "choice": 1})
        if self.seq is None:  # the debrief
            self.attempt = None

    def run(self, stop: float):
        while time.perf_counter() < stop:
            try:
                self.step()
            except (OSError, http.client.HTTPException):
                self.statuses[-1] = self.statuses.get(-1, 0) + 1
                self.client.conn.close()
                self.client.conn = http.client.HTTPConnection(self.client.host, self.client.port, timeout=30)
                self.attempt = self.attempt  # resume: the next step re-reads the player
                self.seq = None if self.attempt is None else self.seq


def check(app, emails, acks):
    """(lost, doubled, inconsistent attempts, steps in the database) for this run's trainees."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AttemptStep, ScenarioAttempt, User

    with app.app_context():
        rows = db.session.execute(
            select(AttemptStep.attempt_id, AttemptStep.seq)
            .join(ScenarioAttempt)
            .join(User, User.id == ScenarioAttempt.user_id)
            .where(User.email.in_(emails))
        ).all()
        recorded: dict[tuple[int, int], int] = {}
        for key in rows:
            recorded[tuple(key)] = recorded.get(tuple(key), 0) + 1
        attempts = db.session.execute(
            select(ScenarioAttempt.id, ScenarioAttempt.step_count)
            .join(User, User.id == ScenarioAttempt.user_id)
            .where(User.email.in_(emails))
        ).all()
        db.engine.dispose()
    lost = sum(1 for key in set(acks) if recorded.get(key, 0) == 0)
    doubled = sum(1 for n in recorded.values() if n > 1)
    inconsistent = []
    for attempt_id, step_count in attempts:
        seqs = sorted(seq for (a, seq) in recorded if a == attempt_id)
        if seqs != list(range(1, step_count + 1)):
            inconsistent.append((attempt_id, step_count, seqs[:3], seqs[-3:]))
    return lost, doubled, inconsistent, len(rows), len(attempts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--trainees", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        env, app, emails, scenarios = prepare(tmpdir, args.trainees)
        kind = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite (WAL, file)"
        print(
            f"Load test: {args.trainees} trainees, {len(scenarios)} scenarios, gunicorn {args.workers} sync "
            f"workers, {args.seconds:g}s, database {kind}"
        )
        with harness.gunicorn("app:create_app()", env, workers=args.workers) as (base, proc):
            trainees = [Trainee(base, email, scenarios, seed=i) for i, email in enumerate(emails)]
            stop = time.perf_counter() + args.seconds
            threads = [threading.Thread(target=t.run, args=(stop,)) for t in trainees]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began
            with open(proc.log_path, encoding="utf-8", errors="replace") as fh:
                log_problems = [
                    line
                    for line in fh.read().splitlines()
                    if "Traceback" in line or "database is locked" in line
                ]
        acks = [a for t in trainees for a in t.acks]
        statuses: dict[int, int] = {}
        for t in trainees:
            for status, n in t.statuses.items():
                statuses[status] = statuses.get(status, 0) + n
        lost, doubled, inconsistent, in_db, attempts = check(app, emails, acks)
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    dropped = statuses.get(-1, 0)
    requests = sum(t.requests for t in trainees)
    print(
        f"acknowledged steps {len(acks)} ({len(set(acks))} distinct), steps in the database {in_db}, "
        f"attempts {attempts}, requests {requests}, replayed old steps {sum(t.replays for t in trainees)}"
    )
    print(
        f"throughput {len(acks) / elapsed:.1f} acknowledged steps/s, {requests / elapsed:.1f} requests/s "
        f"over {elapsed:.1f}s"
    )
    print("statuses " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(
        f"lost {lost}  doubled {doubled}  5xx {server_errors}  inconsistent attempts {len(inconsistent)}  "
        f"dropped connections {dropped}  log problems {len(log_problems)}"
    )
    for line in [*inconsistent[:5], *log_problems[:5]]:
        print("  ", line)
    failed = bool(lost or doubled or server_errors or inconsistent or log_problems or dropped or not acks)
    print("LOAD TEST " + ("FAILED" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
