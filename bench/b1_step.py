"""B1: a logged-in scenario step under gunicorn (2 sync workers) on a file database.

One step is what a trainee's browser does when they answer a scene: POST the answer (read the
attempt, insert the step, move the attempt on, commit) and get back the choice's feedback,
rendered, in the same response; for a Continue, the next scene, in the same response too. The
player answers what each scene asks (a choice, Continue, a preparation sheet, a signal pick),
so no post is refused; a refused one would not count as a step (see Player). The reference is
a bare Flask hello-world route under the same gunicorn, in the same run; rounds alternate, and
each figure is the median of three.

    .venv/bin/python -m bench.b1_step [--clients 8] [--seconds 6]

Bar (shared/design/performance.md, since issue 22 a regression guard): step throughput >= 0.20 x hello;
step p95 <= 5 x hello p95.
Any 5xx, a lost or doubled step, or "database is locked" fails the run whatever the ratio."""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from collections import deque

from flask import Flask

from bench import harness

SCENARIO = "ranking-the-pipeline"  # stage 1: open to a new trainee; choice 1 always offered
# B1's clients each play for this many trainees, every published scenario open for each: about
# 4 x 8 x 7 = 220 steps started ahead per client and round.
TRAINEES_PER_CLIENT = 4
PASSWORD = "bench-password-123"

hello = Flask("hello")


@hello.route("/hello")
def hello_world():
    return "Hello, World!"


# --- setup --------------------------------------------------------------------------------


def prepare(tmpdir: str, trainees: int):
    """A migrated file database with the real content published and `trainees` trainees in one
    team, to which every published scenario is assigned (assigned work is open whatever its
    stage, so a trainee can have all of them open at once: see Player)."""
    database = harness.default_database(tmpdir)
    env = harness.bench_env(database)
    harness.flask(env, "db", "upgrade")
    harness.flask(env, "content", "sync")
    os.environ.update(env)
    from datetime import date, timedelta

    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Assignment, Team, User
    from app.services import accounts, publishing

    app = create_app()
    emails = [f"bench-trainee-{i}@example.com" for i in range(trainees)]
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == "Bench team"))
        if team is None:
            team = Team(name="Bench team")
            db.session.add(team)
            db.session.flush()
            for slug in publishing.published_all("scenario"):
                db.session.add(
                    Assignment(
                        target_kind="scenario",
                        target_slug=slug,
                        team_id=team.id,
                        due_date=date.today() + timedelta(days=30),
                    )
                )
        for email in emails:
            if db.session.query(User).filter_by(email=email).first() is None:
                accounts.create_user(
                    email, email.split("@")[0], PASSWORD, role="trainee", team=team, check_password=False
                )
        db.session.commit()
        db.engine.dispose()
    return env, emails, app


def scenarios_of(app):
    """The published scenarios, for players that step through all of them."""
    from app.services import publishing

    with app.app_context():
        return sorted(publishing.published_all("scenario"))


SEQ = re.compile(rb'name="seq" value="(\d+)"')
CHOICE = re.compile(rb'name="choice" value="(\d+)"')
ITEM = re.compile(rb'name="item" value="(\d+)"')
FIGURE = re.compile(rb'name="(figure-[^"]+)".*?class="small muted hint">([^<]*)<', re.DOTALL)
NUMBER = re.compile(rb"\d[\d,]*(?:\.\d+)?")


def kind_of(page):
    """What the scene `page` asks for, in the player's order (learn/player.html): a sheet,
    Continue, a signal pick, a choice; None for a debrief or a scene that offers nothing."""
    if b'name="sheet" value="1"' in page:
        return "sheet"
    if b'<button type="submit" class="button primary big" data-continue>' in page:
        return "continue"
    if b'name="pick" value="1"' in page:
        return "pick"
    if b"data-choice=" in page:
        return "choice"
    return None


class Player:
    """A client stepping through role-plays for one or more logged-in trainees as a trainee
    does: it reads the scene it is on and posts what that scene offers (a choice among those
    offered, Continue, a preparation sheet's figures within their bounds, a signal pick), so no
    step it posts is refused.

    One step is one accepted step POST, plus the GET it redirects to if any: a choice, a sheet
    or a pick is answered with its feedback in the same response, a Continue with the next
    scene (until 2026-12-02 with a 303 to it). After a feedback the trainee presses its
    Continue link to read the next scene: that GET is not part of the step and is made by
    read_scene(), which the callers run untimed (like starts), before the next step.

    Attempts are started ahead (start(): every scenario that has none open, for each trainee,
    before a round and untimed): starting one is heavier than a step (the scenario's page, its
    locks and progress), and started in the middle of a round it would share the server with
    the steps being timed. A round that outruns the attempts started ahead starts more, untimed
    for the client that does it."""

    def __init__(
        self, base, emails, scenarios=(SCENARIO,), seed=1, password=PASSWORD, csrf=False, client=None
    ):
        """`client`: how to make a client, (base, csrf=...) -> a harness.Client or alike."""
        emails = [emails] if isinstance(emails, str) else list(emails)
        make = client or harness.Client
        self.clients = []
        for email in emails:
            made = make(base, csrf=csrf)
            made.login(email, password)
            self.clients.append(made)
        self.scenarios = tuple(scenarios)
        self.random = random.Random(seed)
        self.ready = deque()  # [client, scenario, attempt, next seq, scene page or None], head first
        self.steps = 0
        self.refused = 0
        self.kinds: dict[str, int] = {}  # accepted steps by kind
        self.ended = False  # no attempt left to step: start() more

    # The attempt being played (B4 steps it from outside).
    @property
    def client(self):
        return self.ready[0][0] if self.ready else self.clients[0]

    @property
    def attempt(self):
        return self.ready[0][2]

    @property
    def seq(self):
        return self.ready[0][3]

    @seq.setter
    def seq(self, value):
        self.ready[0][3] = value

    def start(self):
        open_now = {(id(client), slug) for client, slug, *_ in self.ready}
        for client in self.clients:
            for slug in self.scenarios:
                if (id(client), slug) not in open_now:
                    self.ready.append(self._start(client, slug))
        self.ended = False

    def _start(self, client, slug):
        status, page, headers = client.post(f"/learn/scenarios/{slug}/start", {})
        if status not in (200, 303):
            raise RuntimeError(f"start of {slug} answered {status}")
        location = headers.get("Content-Location") or headers.get("Location", "")
        attempt = int(re.search(r"/attempts/(\d+)", location).group(1))
        if status == 303:  # before the start answered with its first page
            status, page, _ = client.get(location)
        seq = int(SEQ.search(page).group(1))
        return [client, slug, attempt, seq, page]

    def attempt_ended(self):
        self.ready.popleft()
        self.ended = not self.ready

    def read_scene(self):
        """The scene the next step answers, when the last step's feedback stands in its place
        (the feedback's Continue link: a GET that is not part of a step). Untimed."""
        while self.ready and self.ready[0][4] is None:
            client, _slug, attempt, _seq, _ = self.ready[0]
            _status, page, _ = client.get(f"/learn/attempts/{attempt}")
            self._read(page)
        self.ended = not self.ready

    def _read(self, page):
        """Keep the scene `page` for the attempt at the head, or drop the attempt once it has
        ended (its debrief) or offers nothing to post."""
        match = SEQ.search(page)
        if match is None or kind_of(page) is None:
            self.attempt_ended()
            return
        self.ready[0][3] = int(match.group(1))
        self.ready[0][4] = page

    def answer(self, page):
        """The form a trainee sends from the scene `page`, and the kind of step it is."""
        kind = kind_of(page)
        form = {"seq": int(SEQ.search(page).group(1))}
        if kind == "choice":
            form["choice"] = self.random.choice(CHOICE.findall(page)).decode()
        elif kind == "sheet":
            form["sheet"] = "1"
            for name, hint in FIGURE.findall(page):
                low, high = (float(n.replace(b",", b"")) for n in NUMBER.findall(hint)[:2])
                form[name.decode()] = f"{(low + high) / 2:g}"
        elif kind == "pick":
            form["pick"] = "1"
            items = ITEM.findall(page)
            form["item"] = [i.decode() for i in self.random.sample(items, self.random.randint(1, len(items)))]
        return kind, form

    def step(self, _i=0):
        """One timed step: the answer the scene asks for, POSTed, and the GET of a redirect."""
        if self.ready[0][4] is None:
            self.read_scene()
            if self.ended:
                return 0
        client, _slug, attempt, seq, page = self.ready[0]
        kind, form = self.answer(page)
        status, page, headers = client.post(f"/learn/attempts/{attempt}/step", form)
        if status == 200 and headers.get("Content-Location", "").endswith(f"/steps/{seq}"):
            self._accepted(kind)
            if b"See your debrief" in page:
                self.attempt_ended()
            else:
                self.ready[0][3], self.ready[0][4] = seq + 1, None  # read_scene() before the next
            return status
        if status in (302, 303) or (
            status == 200 and headers.get("Content-Location", "").endswith(f"/attempts/{attempt}")
        ):
            if status != 200:  # a stale post (or, before Continue was answered in one, a Continue)
                status, page, _ = client.get(headers["Location"])
            moved = SEQ.search(page)
            if kind == "continue" and (moved is None or int(moved.group(1)) == seq + 1):
                self._accepted(kind)
            else:
                self.refused += 1
            self._read(page)
            return status
        self.refused += 1  # 422: a sheet's figure or an empty pick refused, the scene again
        self._read(page)
        return status

    def _accepted(self, kind):
        self.steps += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def timed_steps(players, seconds):
    """Each player steps in its own thread for about `seconds`; endings restart untimed, and
    the scene read after a feedback (read_scene) is untimed too."""
    for player in players:  # attempts for the round, started before it begins
        player.start()
    load = harness.Load()
    import threading

    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    busy = []

    def work(player):
        latencies, statuses = [], {}
        while time.perf_counter() < stop:
            player.read_scene()  # the scene after a feedback: not a step, untimed
            if player.ended:
                player.start()  # attempts ran out: not a step, neither in latency nor in time
            started = time.perf_counter()
            steps, status = player.steps, player.step()
            if player.steps > steps:  # a refused post is not a step (counted in player.refused)
                latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if player.ended:
                player.start()
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
    # Steps per second of a client's time spent stepping (a start when a round outran the
    # attempts started ahead is not counted).
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
            select(
                ScenarioAttempt.id,
                ScenarioAttempt.step_count,
                func.count(AttemptStep.id),
                func.coalesce(func.max(AttemptStep.seq), 0),
            )
            .join(User, User.id == ScenarioAttempt.user_id)
            .outerjoin(AttemptStep)
            .where(User.email.in_(emails))
            .group_by(ScenarioAttempt.id, ScenarioAttempt.step_count)
        ).all()
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
        env, emails, app = prepare(tmpdir, clients * TRAINEES_PER_CLIENT)
        scenarios = scenarios_of(app)
        steps, hellos = [], []
        with (
            harness.gunicorn("app:create_app()", env) as (base, proc),
            harness.gunicorn("bench.b1_step:hello", env) as (hello_base, hello_proc),
        ):
            players = [Player(base, emails[i::clients], scenarios) for i in range(clients)]
            timed_steps(players, 1.0)  # warm-up
            timed_hello(hello_base, clients, 1.0)
            for _ in range(rounds):  # interleaved: reference, then target
                hellos.append(timed_hello(hello_base, clients, seconds))
                steps.append(timed_steps(players, seconds))
            log_problems = server_log_problems(proc) + server_log_problems(hello_proc)
        total, record_problems = check_records(app, emails)
    result.lines = lines_of(steps, hellos, quick)
    errors = sum(s.server_errors for s in steps) + sum(h.server_errors for h in hellos)
    if errors:
        result.problems.append(f"{errors} server errors (5xx)")
    result.problems += record_problems + log_problems
    kinds: dict[str, int] = {}
    for player in players:
        for kind, n in player.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    result.lines[0].note += (
        f"; {total} steps recorded, each exactly once; timed steps "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + f"; {sum(p.refused for p in players)} posts refused"
    )
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
    print(
        "B1 "
        + ("FAILED (errors or records)" if result.problems else ("ok" if result.ok else "short of the bar"))
    )
    return 1 if result.problems else 0


def lines_of(steps, hellos, quick=False):
    step_rps = harness.median([s.throughput for s in steps])
    hello_rps = harness.median([h.throughput for h in hellos])
    step_p95 = harness.median([s.p(0.95) for s in steps]) * 1000
    hello_p95 = harness.median([h.p(0.95) for h in hellos]) * 1000
    step_p50 = harness.median([s.p(0.50) for s in steps]) * 1000
    rounds = (
        "/".join(f"{s.throughput:.0f}" for s in steps)
        + " vs "
        + "/".join(f"{h.throughput:.0f}" for h in hellos)
    )
    return [
        harness.Line(
            "B1 step throughput",
            step_rps,
            hello_rps,
            "steps/s",
            ">= 0.20x",
            step_rps >= 0.20 * hello_rps,
            note=f"hello {hello_rps:.0f} req/s; rounds {rounds}" + ("; quick" if quick else ""),
        ),
        harness.Line(
            "B1 step p95 latency",
            step_p95,
            hello_p95,
            "ms",
            "<= 5x",
            step_p95 <= 5 * hello_p95,
            note=f"step p50 {step_p50:.1f} ms",
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
