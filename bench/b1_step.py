"""B1: a logged-in scenario step under gunicorn (2 sync workers) on a file database.

One step is what a trainee's browser does when they press a choice: POST the choice (read the
attempt, insert the step, move the attempt on, commit) and get back the choice's feedback,
rendered, in the same response. The reference is a bare Flask hello-world route under the same
gunicorn, in the same run; rounds alternate, and each figure is the median of three.

    .venv/bin/python -m bench.b1_step [--clients 8] [--seconds 6]

Bar (docs/shared performance.md): step throughput >= 0.30 x hello; step p95 <= 5 x hello p95.
Any 5xx, a lost or doubled step, or "database is locked" fails the run whatever the ratio."""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time

from flask import Flask

from bench import harness

SCENARIO = "ranking-the-pipeline"        # stage 1: open to a new trainee; choice 1 always offered
PASSWORD = "bench-password-123"

hello = Flask("hello")


@hello.route("/hello")
def hello_world():
    return "Hello, World!"


# --- setup --------------------------------------------------------------------------------

def prepare(tmpdir: str, trainees: int):
    """A migrated file database with the real content published and `trainees` trainees."""
    database = harness.default_database(tmpdir)
    env = harness.bench_env(database)
    harness.flask(env, "db", "upgrade")
    harness.flask(env, "content", "sync")
    os.environ.update(env)
    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services import accounts
    app = create_app()
    emails = [f"bench-trainee-{i}@example.com" for i in range(trainees)]
    with app.app_context():
        for email in emails:
            if db.session.query(User).filter_by(email=email).first() is None:
                accounts.create_user(email, email.split("@")[0], PASSWORD, role="trainee", check_password=False)
        db.session.commit()
        db.engine.dispose()
    return env, emails, app


class Player:
    """A logged-in trainee playing the scenario again and again, always choosing 1."""

    def __init__(self, base, email):
        self.client = harness.Client(base)
        self.client.login(email, PASSWORD)
        self.attempt = None
        self.seq = 1
        self.steps = 0
        self.refused = 0
        self.ended = False

    def start(self):
        status, _, headers = self.client.post(f"/learn/scenarios/{SCENARIO}/start", {})
        if status != 303:
            raise RuntimeError(f"start answered {status}")
        location = headers.get("Location", "")
        self.attempt = int(re.search(r"/attempts/(\d+)", location).group(1))
        status, page, _ = self.client.get(location)
        self.seq = int(re.search(rb'name="seq" value="(\d+)"', page).group(1))

    def step(self, _i=0):
        """One timed step: POST choice 1; the answer is its feedback page. Restarts (untimed)
        after an ending."""
        status, page, headers = self.client.post(f"/learn/attempts/{self.attempt}/step",
                                                 {"seq": self.seq, "choice": 1})
        if status == 200 and headers.get("Content-Location", "").endswith(f"/steps/{self.seq}"):
            self.seq += 1
            self.steps += 1
            if b"See your debrief" in page:
                self.ended = True
            return status
        if status != 303:
            return status
        self.refused += 1                       # stale or refused: where it sends us says the state
        status, page, _ = self.client.get(headers["Location"])
        match = re.search(rb'name="seq" value="(\d+)"', page)
        if match:
            self.seq = int(match.group(1))
        return status


def timed_steps(players, seconds):
    """Each player steps in its own thread for about `seconds`; endings restart untimed."""
    load = harness.Load()
    import threading
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    busy = []

    def work(player):
        latencies, statuses = [], {}
        while time.perf_counter() < stop:
            player.ended = False
            started = time.perf_counter()
            status = player.step()
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if player.ended:
                player.start()          # a new attempt: not a step, neither in latency nor in time
        with lock:
            load.latencies.extend(latencies)
            busy.append(sum(latencies))
            for s, n in statuses.items():
                load.statuses[s] = load.statuses.get(s, 0) + n

    threads = [threading.Thread(target=work, args=(p,)) for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Steps per second of a client's time spent stepping: a restart after an ending (start the
    # scenario again, load its first node) slows the others a little, and is not counted.
    load.seconds = sum(busy) / len(busy)
    return load


def timed_hello(base, clients, seconds):
    conns = [harness.Client(base) for _ in range(clients)]
    load = harness.Load()
    import threading
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def work(c):
        latencies, statuses = [], {}
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _, _ = c.get("/hello")
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        with lock:
            load.latencies.extend(latencies)
            for s, n in statuses.items():
                load.statuses[s] = load.statuses.get(s, 0) + n

    threads = [threading.Thread(target=work, args=(c,)) for c in conns]
    begun = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - begun
    for c in conns:
        c.close()
    return load


def check_records(app, emails):
    """Every attempt's steps are 1..step_count exactly: nothing lost, nothing doubled."""
    from sqlalchemy import func, select
    from app.extensions import db
    from app.models import AttemptStep, ScenarioAttempt, User
    problems = []
    with app.app_context():
        rows = db.session.execute(
            select(ScenarioAttempt.id, ScenarioAttempt.step_count, func.count(AttemptStep.id),
                   func.coalesce(func.max(AttemptStep.seq), 0))
            .join(User, User.id == ScenarioAttempt.user_id).outerjoin(AttemptStep)
            .where(User.email.in_(emails)).group_by(ScenarioAttempt.id, ScenarioAttempt.step_count)).all()
        total = 0
        for attempt_id, step_count, n, top in rows:
            total += n
            if not (step_count == n == top):
                problems.append(f"attempt {attempt_id}: step_count {step_count}, {n} steps, max seq {top}")
        db.engine.dispose()
    return total, problems


def server_log_problems(proc):
    with open(proc.log_path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    return [line for line in text.splitlines() if "database is locked" in line or "Traceback" in line]


def run(quick=False, clients=8, seconds=None, rounds=3) -> harness.Result:
    """B1 for `python -m bench`: figures as Lines, and every 5xx, lost or doubled step or
    "database is locked" as a problem."""
    seconds = seconds or (2.0 if quick else 6.0)
    result = harness.Result("B1")
    with tempfile.TemporaryDirectory() as tmpdir:
        env, emails, app = prepare(tmpdir, clients)
        steps, hellos = [], []
        with harness.gunicorn("app:create_app()", env) as (base, proc), \
                harness.gunicorn("bench.b1_step:hello", env) as (hello_base, hello_proc):
            players = [Player(base, email) for email in emails]
            for p in players:
                p.start()
            timed_steps(players, 1.0)                     # warm-up
            timed_hello(hello_base, clients, 1.0)
            for _ in range(rounds):                       # interleaved: reference, then target
                hellos.append(timed_hello(hello_base, clients, seconds))
                steps.append(timed_steps(players, seconds))
            log_problems = server_log_problems(proc) + server_log_problems(hello_proc)
        total, record_problems = check_records(app, emails)
    result.lines = lines_of(steps, hellos, quick)
    errors = sum(s.server_errors for s in steps) + sum(h.server_errors for h in hellos)
    if errors:
        result.problems.append(f"{errors} server errors (5xx)")
    result.problems += record_problems + log_problems
    result.lines[0].note += f"; {total} steps recorded, each exactly once"
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.quick, args.clients, args.seconds, args.rounds)
    for line in result.lines:
        print(line.format())
    for problem in result.problems[:10]:
        print("  problem:", problem)
    print("B1 " + ("FAILED (errors or records)" if result.problems else ("ok" if result.ok else "short of the bar")))
    return 1 if result.problems else 0


def lines_of(steps, hellos, quick=False):
    step_rps = harness.median([s.throughput for s in steps])
    hello_rps = harness.median([h.throughput for h in hellos])
    step_p95 = harness.median([s.p(0.95) for s in steps]) * 1000
    hello_p95 = harness.median([h.p(0.95) for h in hellos]) * 1000
    step_p50 = harness.median([s.p(0.50) for s in steps]) * 1000
    rounds = "/".join(f"{s.throughput:.0f}" for s in steps) + " vs " + "/".join(f"{h.throughput:.0f}" for h in hellos)
    return [
        harness.Line("B1 step throughput", step_rps, hello_rps, "steps/s", ">= 0.30x", step_rps >= 0.30 * hello_rps,
                     note=f"hello {hello_rps:.0f} req/s; rounds {rounds}" + ("; quick" if quick else "")),
        harness.Line("B1 step p95 latency", step_p95, hello_p95, "ms", "<= 5x", step_p95 <= 5 * hello_p95,
                     note=f"step p50 {step_p50:.1f} ms"),
    ]


if __name__ == "__main__":
    sys.exit(main())
