"""Where a served request's CPU goes: the same requests served by gunicorn (one sync worker,
the production configuration of benchmark B6: CSRF, JSON log lines, limits in Redis when one
answers) and sent in-process through Flask's test client, CPU per request kind side by side,
and with --profile the cProfile statistics of each kind, served, written to a folder. With
--against REV, a `git worktree` of an earlier revision is served beside this checkout on the
same database (each site its own trainee and team), rounds alternating: a change's before and
after in one run, on a shared machine.

    .venv/bin/python -m bench.profile_pages [--rounds 40] [--profile DIR] [--against REV]

A role-play step is B1's (b1_step.Player: the accepted step POST, and at a revision before
2026-12-02 the GET of a Continue's redirect, "GET /learn/attempts/<int:attempt_id>"); the other
kinds are the dashboard, a lesson page, the module page, a knowledge check, its result, My
progress, the player page, the team dashboard and team analytics, B6's trainer: the studio
editor, its lint and a saved draft (each site edits a scenario of its own), and a role-play's
briefing and start POST (a fresh attempt each round: other trainees of the site's team take the
scenarios in turn). Figures are X-Bench-CPU (bench/profile_wsgi.py): the worker thread's CPU
from the WSGI call to the end of the body, medians per kind. On PostgreSQL a last line gives
each site's backend CPU (from /proc, found by the application_name PGAPPNAME gives it), a mean
per request of every kind: it runs on the same cores."""

import argparse
import html
import importlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from collections import defaultdict
from contextlib import ExitStack, contextmanager

from bench import b1_step, capacity, harness

BENCH = os.path.dirname(os.path.abspath(__file__))
# The editor's fields and a knowledge check's as bench/capacity_users.py reads them (not
# imported: Locust patches the standard library with gevent's on import).
EDITOR_FIELDS = re.compile(r'name="(submission|version_id|revision|base_version_id)"[^>]*value="([^"]*)"')
EDITOR_SOURCE = re.compile(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', re.DOTALL)
QUESTION = re.compile(r'name="(q\d+)"[^>]*value="(\d+)"')
HIDDEN = re.compile(r'name="(submission|version_id)"[^>]*value="([^"]*)"')
CHECK_RESULT = re.compile(r"/check/(\d+)$")


class InProcess:
    """harness.Client's interface over Flask's test client, for the same requests in-process."""

    def __init__(self, app, csrf=False):
        self.test_client = app.test_client()
        self.csrf = csrf
        self.token = ""

    def request(self, method, path, form=None):
        if form is not None and self.token and "csrf_token" not in form:
            form = {**form, "csrf_token": self.token}
        response = self.test_client.open(path, method=method, data=form)
        data = response.get_data()
        match = harness.CSRF.search(data) if self.csrf else None
        if match:
            self.token = match.group(1).decode()
        return response.status_code, data, dict(response.headers)

    get = harness.Client.get
    post = harness.Client.post
    log_in = harness.Client.log_in
    login = harness.Client.login

    def close(self):
        pass


class Journey:
    """A trainee's pages and steps, a manager's team dashboard and analytics, a trainer's edit,
    on one site; each round() adds what each request cost (X-Bench-CPU) to `tally`, by kind."""

    def __init__(
        self, make, base, trainee_email, manager_email, made, trainer_email=None, edited=None, starters=()
    ):
        self.kind = "untimed"
        self.make, self.base = make, base
        # (trainee, scenario) pairs never started: each start POST makes a fresh attempt
        self.starts = iter([(email, slug) for email in starters for slug in made["scenarios"]])
        self.starters = {}
        self.tally = defaultdict(list)
        self.player = b1_step.Player(
            base, trainee_email, made["scenarios"], password=capacity.PASSWORD, csrf=True, client=make
        )
        self.trainee = self.player.clients[0]
        self.trainee.get("/learn/")  # a page's CSRF token: the log-in started a new session
        self.manager = make(base, csrf=True)
        self.manager.login(manager_email, capacity.PASSWORD)
        self.trainer, self.edited = None, edited
        if trainer_email and edited:
            self.trainer = make(base, csrf=True)
            self.trainer.login(trainer_email, capacity.PASSWORD)
        for client in (self.trainee, self.manager, self.trainer):
            if client is not None:
                client.request = self._timed(client)
        self.module, self.pages = made["modules"][0]
        self.checked = made["checked_modules"][0][0]
        self.result = self._answer_check()
        self.player.start()
        self.rounds = 0

    def _answer_check(self):
        """The address of a knowledge check's result: one answered (untimed) for the rounds to
        read; answered once, so never paused."""
        _status, page, _headers = self.trainee.get(f"/learn/modules/{self.checked}/check")
        text = page.decode()
        form = dict(HIDDEN.findall(text))
        for name, value in QUESTION.findall(text):
            form.setdefault(name, value)
        status, _page, headers = self.trainee.post(f"/learn/modules/{self.checked}/check", form)
        location = urllib.parse.urlsplit(headers.get("Location", "")).path if status == 303 else ""
        return location if CHECK_RESULT.search(location) else None

    def _timed(self, client):
        def measured(method, path, form=None):
            status, body, headers = client.__class__.request(client, method, path, form)
            self.tally[self.kind].append(float(headers.get("X-Bench-CPU", "nan")))
            return status, body, headers

        return measured

    def round(self):
        player, tally = self.player, self.tally
        for name, client, path in (
            ("dashboard", self.trainee, "/learn/"),
            (
                "lesson page",
                self.trainee,
                f"/learn/modules/{self.module}/pages/{1 + self.rounds % self.pages}",
            ),
            ("module", self.trainee, f"/learn/modules/{self.module}"),
            ("knowledge check", self.trainee, f"/learn/modules/{self.checked}/check"),
            ("check result", self.trainee, self.result),
            ("my progress", self.trainee, "/learn/progress"),
            ("team dashboard", self.manager, "/manage/"),
            ("team analytics", self.manager, "/manage/analytics"),
        ):
            if path:
                self.kind = name
                client.get(path)
        if self.trainer is not None:
            self.edit()
        self._start()
        for _step in range(3):
            self.kind = "player page (scene)"
            player.read_scene()
            self.kind = "untimed"
            if player.ended:
                player.start()
            self.kind = "step (POST + its redirect)"
            before = len(tally[self.kind])
            player.step()
            if len(tally[self.kind]) - before == 2:  # a Continue and its redirect: one step
                tally[self.kind][-2:] = [sum(tally[self.kind][-2:])]
        self.kind = "untimed"
        self.rounds += 1

    def edit(self):
        """B6's trainer (bench/capacity_users.py Trainer.edit): the editor, a lint, a saved draft."""
        path = f"/author/scenario/{self.edited}/edit"
        self.kind = "studio editor"
        _status, page, _headers = self.trainer.get(path)
        page = page.decode()
        source = EDITOR_SOURCE.search(page)
        if source is None:
            raise RuntimeError(f"no editor at {path}")
        text = (
            html.unescape(source.group(1)).lstrip("\r\n").rstrip("\n") + f"\n\n<!-- round {self.rounds} -->\n"
        )
        form = dict(EDITOR_FIELDS.findall(page))
        self.kind = "studio lint (POST)"
        self.trainer.post("/author/lint", {"kind": "scenario", "slug": self.edited, "source": text})
        self.kind = "studio save (POST)"
        self.trainer.post(path, {**form, "source": text, "action": "save"})
        self.kind = "untimed"

    def _start(self):
        """The briefing of a role-play its trainee has never started, then its start POST."""
        email, slug = next(self.starts, (None, None))
        if email is None:
            return
        if email not in self.starters:
            client = self.starters[email] = self.make(self.base, csrf=True)
            client.login(email, capacity.PASSWORD)
            client.request = self._timed(client)
        client = self.starters[email]
        self.kind = "briefing"
        client.get(f"/learn/scenarios/{slug}")
        self.kind = "start POST"
        status, _page, _headers = client.post(f"/learn/scenarios/{slug}/start", {})
        if status != 200:
            raise RuntimeError(f"start of {slug} answered {status}")
        self.kind = "untimed"

    def reset(self):
        self.tally.clear()


@contextmanager
def checkout(rev):
    """A `git worktree` of `rev` in a temporary folder (its .mo files compile at its start)."""
    folder = tempfile.mkdtemp(prefix="profile-pages-")
    subprocess.run(
        ["git", "-C", str(harness.ROOT), "worktree", "add", "--detach", folder, rev],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            ["git", "-C", str(harness.ROOT), "worktree", "remove", "--force", folder], capture_output=True
        )


def backend_pids(database_url, application_name):
    """The PostgreSQL backends of a site (its sessions' application_name, from PGAPPNAME): they
    run on the same cores as the site, and their CPU is part of what a request costs."""
    if not database_url.startswith("postgres"):
        return []
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": application_name},
                )
            )
    finally:
        engine.dispose()


def _cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _medians(tally):
    return {name: statistics.median(values) for name, values in tally.items() if values}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--profile", help="a folder for the served requests' cProfile statistics")
    ap.add_argument("--against", help="a revision served beside this checkout, rounds alternating")
    args = ap.parse_args(argv)
    run = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory() as tmpdir, ExitStack() as stack:
        database = harness.default_database(tmpdir)
        made = capacity.prepare(database, 40, run)  # two teams: one for each site served
        env = capacity.site_env(database, run)
        if args.profile:
            os.makedirs(args.profile, exist_ok=True)
            env["BENCH_PROFILE_DIR"] = os.path.abspath(args.profile)
        trainees, managers = made["accounts"]["trainees"], made["accounts"]["managers"]
        sites = {"served": harness.ROOT}
        if args.against:
            sites = {args.against: stack.enter_context(checkout(args.against)), "served": harness.ROOT}
        journeys = {}
        for n, (name, cwd) in enumerate(sites.items()):
            base, _proc = stack.enter_context(
                harness.serve(
                    "profile_wsgi:application",
                    dict(env, PGAPPNAME=f"profile-{run}-{n}"),  # libpq names its backend's session
                    cwd=cwd,
                    workers=1,
                    pythonpath=BENCH,
                )
            )
            capacity.warm_up(base)
            trainer = made["accounts"]["trainers"][0] if n == 0 else made["warm"]["trainer"]
            journeys[name] = Journey(
                harness.Client,
                base,
                trainees[20 * n],
                managers[n],
                made,
                trainer,
                made["scenarios"][n],
                starters=trainees[20 * n + 2 : 20 * n + 20],
            )
        for _ in range(5):  # warm-up
            for journey in journeys.values():
                journey.round()
        for journey in journeys.values():
            journey.reset()
        if args.profile:
            harness.Client(base).get("/_bench/profile")  # the warm-up's statistics dropped
        backends = {name: backend_pids(database, f"profile-{run}-{n}") for n, name in enumerate(sites)}
        before = {name: _cpu_seconds(pids) for name, pids in backends.items()}
        for _ in range(args.rounds):
            for journey in journeys.values():
                journey.round()
        database_ms = {
            name: 1000
            * (_cpu_seconds(pids) - before[name])
            / max(1, sum(map(len, journeys[name].tally.values())))
            for name, pids in backends.items()
            if pids
        }
        if args.profile:
            harness.Client(base).get("/_bench/profile")
        inproc = {}
        if not args.against:
            saved = dict(os.environ)
            os.environ.update({k: v for k, v in env.items() if k != "BENCH_PROFILE_DIR"})
            os.environ.pop("BENCH_PROFILE_DIR", None)
            sys.path.insert(0, BENCH)
            try:
                app = importlib.import_module("profile_wsgi").application
                journey = Journey(
                    lambda _b, csrf: InProcess(app, csrf),
                    "",
                    trainees[1],
                    managers[0],
                    made,
                    made["accounts"]["trainers"][0],
                    made["scenarios"][2],
                    starters=trainees[22:40],  # the second team's: not served without --against
                )
                for _ in range(5):
                    journey.round()
                journey.reset()
                for _ in range(args.rounds):
                    journey.round()
                inproc = {"in-process": _medians(journey.tally)}
            finally:
                sys.path.remove(BENCH)
                os.environ.clear()
                os.environ.update(saved)
    columns = {name: _medians(j.tally) for name, j in journeys.items()} | inproc
    counts = journeys["served"].tally
    print(f"CPU ms per request, medians of {args.rounds} rounds (gunicorn 1 sync worker per site)")
    print(f"  {'kind':<30} {'n':>5}" + "".join(f" {name[:12]:>12}" for name in columns))
    for kind in sorted(counts):
        print(
            f"  {kind:<30} {len(counts[kind]):>5}"
            + "".join(f" {figures.get(kind, float('nan')):>12.2f}" for figures in columns.values())
        )
    if database_ms:
        print(
            f"  {'PostgreSQL backend, mean':<30} {'':>5}"
            + "".join(f" {database_ms.get(name, float('nan')):>12.2f}" for name in columns)
        )
    if args.profile:
        print(f"profiles: {args.profile}/*.prof (python -m pstats FILE; sort cumulative; stats 40)")


if __name__ == "__main__":
    main()
