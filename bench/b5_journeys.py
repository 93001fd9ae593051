"""B5: whole journeys against the same journeys at an earlier revision, in the same run.

Three scripted users (harness.Client, keep-alive, cookies) against gunicorn (2 sync workers)
serving bench/b5_wsgi.py, which adds to every response the SQL statements it sent
(X-Bench-SQL) and its server time (X-Bench-Time):

    trainee  log in, dashboard, a lesson page, a knowledge check (GET, POST, result), a
             role-play: start it and take 10 steps (POST, feedback, next node), its debrief
    manager  log in, team dashboard, a trainee's drill-down, the two CSV exports
    trainer  log in, studio list, a scenario's editor, its graph, a play-test (start, one step)

The earlier revision (--rev REV; by default the previous tag, else the previous commit that
touched app/) is checked out with `git worktree add` into a temporary folder and served from
there with the same venv, each revision on its own fresh database (a SQLite file, or a new
PostgreSQL database next to DATABASE_URL's), both seeded the same way (db upgrade, content
sync, demo --activity). Rounds alternate between the two servers; each figure is the median
of five rounds after a warm-up (a page's SQL count: the fewest of the five, see _median_pages).

    .venv/bin/python -m bench b5 [--quick] [--rev REV]
    .venv/bin/python -m bench.b5_journeys [--quick] [--rev REV]

Bars (docs/performance.md): SQL count per page never grows; time per journey <= 1.10x; HTML of
a typical page < 100 KB; no page names another host. Memory: the peak RSS (VmHWM) of a
gunicorn worker through all journeys < 150 MB (`python -m bench memory`)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from bench import harness

PASSWORD = "petitspas"  # DEMO_PASSWORD of `flask demo`
MODULE = "crm-data-that-matters"  # stage 1: its lesson and knowledge check are open to everyone
SCENARIO = "ranking-the-pipeline"  # stage 1; choice 1 always offered
STEPS = 10
HTML_BAR_KB = 100
MEMORY_BAR_MB = 150
TIME_BAR = 1.10
WRAPPER = "b5_wsgi:application"
OTHER_HOST = re.compile(rb"""(?:src|href|action|srcset)\s*=\s*["']?\s*((?:https?:)?//[^/"'\s>]+)""", re.I)

_last_memory = None  # the memory Line measured by the last run(), for `bench memory`


# --- recording one journey ----------------------------------------------------------------------


@dataclass
class Page:
    label: str
    method: str
    path: str
    status: int
    sql: int
    ms: float
    size: int
    html: bool
    outside: list = field(default_factory=list)
    cpu: float = 0.0  # server CPU ms (X-Bench-CPU)


class Recorder:
    """A Client that records every request's SQL count, server time and size under a label."""

    def __init__(self, base):
        self.base = base
        self.client = harness.Client(base)
        self.pages: list[Page] = []
        self.roots = set()
        self.recording = True

    def request(self, label, method, path, form=None, expect=(200,), follow=False):
        """One page as the user sees it: with follow=True a redirect is followed and counted in
        the same page (a POST answered 303 + GET costs what a POST answered 200 does)."""
        sql, ms, cpu, hops = 0, 0.0, 0.0, 0
        location = path
        while True:
            status, body, headers = self.client.request(
                method, path if not hops else location, form if not hops else None
            )
            get = {k.lower(): v for k, v in headers.items()}
            if "x-bench-root" in get:
                self.roots.add(get["x-bench-root"])
            sql += int(get.get("x-bench-sql", -1))
            ms += float(get.get("x-bench-time", "nan"))
            cpu += float(get.get("x-bench-cpu", "nan"))
            if status >= 500 or not (follow and status in (301, 302, 303) and hops < 3):
                break
            hops += 1
            location = get["location"]
            if location.startswith("http"):
                location = "/" + location.split("/", 3)[3]
            method = "GET"
        html = get.get("content-type", "").startswith("text/html")
        own = (f"//127.0.0.1:{self.client.port}", f"//localhost:{self.client.port}")
        outside = sorted(
            {m.decode("latin-1") for m in OTHER_HOST.findall(body) if html}
            - {p + s for p in ("http:", "https:", "") for s in own}
        )
        if self.recording:
            self.pages.append(
                Page(
                    label,
                    method if not hops else "POST",
                    path.split("?")[0],
                    status,
                    sql,
                    ms,
                    len(body),
                    html,
                    outside,
                    cpu,
                )
            )
        if status not in expect:
            raise JourneyBroke(
                f"{label}: {path} answered {status}, expected {expect}"
                + (f": {body[:300]!r}" if status >= 500 else "")
            )
        get["url"] = location if hops else path
        return status, body, get

    def get(self, label, path, expect=(200,)):
        return self.request(label, "GET", path, expect=expect)

    def post(self, label, path, form, expect=(302, 303), follow=False):
        return self.request(label, "POST", path, form, expect=(200,) if follow else expect, follow=follow)

    def login(self, email):
        self.post("log in (POST)", "/login", {"email": email, "password": PASSWORD}, expect=(302,))

    def close(self):
        self.client.close()


class JourneyBroke(RuntimeError):
    pass


def _value(body, name):
    m = re.search(rb'name="' + name.encode() + rb'"[^>]*value="([^"]*)"', body) or re.search(
        rb'value="([^"]*)"[^>]*name="' + name.encode() + rb'"', body
    )
    return m.group(1).decode() if m else None


def trainee_journey(r: Recorder, email="trainee@example.com"):
    r.login(email)
    r.get("dashboard", "/learn/")
    r.get("lesson page", f"/learn/modules/{MODULE}/pages/1")
    _, page, _ = r.get("knowledge check", f"/learn/modules/{MODULE}/check")
    form = {
        "submission": _value(page, "submission") or uuid.uuid4().hex,
        "version_id": _value(page, "version_id") or "",
    }
    for name in dict.fromkeys(m.decode() for m in re.findall(rb'name="(q\d+)"', page)):
        form[name] = re.search(rb'name="' + name.encode() + rb'"[^>]*value="(\d+)"', page).group(1).decode()
    r.post("knowledge check answered (POST, result)", f"/learn/modules/{MODULE}/check", form, follow=True)
    r.get("role-play briefing", f"/learn/scenarios/{SCENARIO}")
    _, page, headers = r.post(
        "role-play start (POST, first node)", f"/learn/scenarios/{SCENARIO}/start", {}, follow=True
    )
    attempt = int(re.search(r"/attempts/(\d+)", headers.get("content-location") or headers["url"]).group(1))
    for k in range(1, STEPS + 1):
        page, attempt = _step(r, page, attempt, f"step {k}")
    r.recording = False  # finish the open attempt, unrecorded: every round starts alike
    for _ in range(100):
        if b"data-debrief" in page or _value(page, "seq") is None:
            break
        page, attempt = _step(r, page, attempt, "finishing", restart=False)


def _step(r, page, attempt, label, restart=True):
    """One step from the player page `page`: choose 1 (or Continue), see the feedback (answered
    by the POST itself or by the GET it redirects to: one page either way), go on."""
    seq = _value(page, "seq")
    if seq is None:
        raise JourneyBroke(f"{label}: no step form on the player page")
    form = {"seq": seq} if b"data-choice=" not in page else {"seq": seq, "choice": 1}
    _, page, _ = r.post(f"{label} (POST, feedback)", f"/learn/attempts/{attempt}/step", form, follow=True)
    if b"data-feedback" in page:
        ended = b"See your debrief" in page
        _, page, _ = r.get(
            f"{label} debrief" if ended else f"{label} next node", f"/learn/attempts/{attempt}"
        )
    if b"data-debrief" in page and restart:  # ended before 10 steps: play it again
        _, page, headers = r.post(
            f"{label} play again (POST, first node)", f"/learn/scenarios/{SCENARIO}/start", {}, follow=True
        )
        attempt = int(
            re.search(r"/attempts/(\d+)", headers.get("content-location") or headers["url"]).group(1)
        )
    return page, attempt


def manager_journey(r: Recorder, email="manager@example.com"):
    r.login(email)
    _, page, _ = r.get("team dashboard", "/manage/")
    trainees = re.findall(rb'href="(/manage/trainees/\d+)"', page)
    if not trainees:
        raise JourneyBroke("the team dashboard lists no trainee")
    r.get("trainee drill-down", trainees[0].decode())
    r.get("CSV progress export", "/manage/export/progress.csv")
    r.get("CSV attempts export", "/manage/export/attempts.csv")


def trainer_journey(r: Recorder, email="trainer@example.com"):
    r.login(email)
    r.get("studio list", "/author/")
    r.get("scenario editor", f"/author/scenario/{SCENARIO}/edit")
    r.get("scenario graph", f"/author/scenario/{SCENARIO}/graph")
    _, page, _ = r.get("play-test set-up", f"/author/scenario/{SCENARIO}/playtest")
    node = re.search(
        rb'<option value="([^"]+)"[^>]*selected', page[page.find(b'name="node"') :]
    )  # the set-up form: the start node
    ref = re.search(rb'<input type="hidden" name="from" value="([^"]+)"', page)
    if node is None:
        raise JourneyBroke("the play-test set-up offers no node")
    path = (
        f"/author/scenario/{SCENARIO}/playtest?"
        + (f"from={ref.group(1).decode()}&" if ref else "")
        + f"node={node.group(1).decode()}"
    )
    _, page, _ = r.get("play-test start", path)
    token = _value(page, "play")
    if token is None:
        raise JourneyBroke("the play-test start page has no play token")
    form = {"play": token, "choice": 1} if b"data-choice=" in page else {"play": token, "continue": 1}
    r.post("play-test step (POST)", path, form, expect=(200,))


JOURNEYS = (("trainee", trainee_journey), ("manager", manager_journey), ("trainer", trainer_journey))


def play_all(base) -> dict:
    """Every journey once, each as a new browser; {journey: [Page]}."""
    out = {}
    for name, journey in JOURNEYS:
        r = Recorder(base)
        try:
            journey(r)
        finally:
            r.close()
        out[name] = r.pages
        out.setdefault("_roots", set()).update(r.roots)
    return out


# --- revisions, checkouts, databases ----------------------------------------------------------


def git(*args, cwd=harness.ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def default_rev() -> tuple[str, str]:
    """(revision, why): the previous tag if any, else the previous commit that touched app/."""
    head = git("rev-parse", "HEAD")
    tags = git("tag", "--merged", "HEAD", "--sort=-creatordate").split()
    for tag in tags:
        if git("rev-list", "-n1", tag) != head or git("status", "--porcelain", "--", "app"):
            return tag, f"the previous tag {tag}"
    commits = git("log", "--format=%H", "-n2", "--", "app").split()
    if not commits:
        raise RuntimeError("no commit touches app/: give --rev")
    if git("status", "--porcelain", "--", "app"):
        return commits[0], f"the last commit touching app/ ({commits[0][:7]}); app/ has uncommitted changes"
    if len(commits) < 2:
        raise RuntimeError("only one commit touches app/: give --rev")
    return commits[1], f"the previous commit touching app/ ({commits[1][:7]})"


@contextmanager
def checkout(rev: str, tmpdir: str):
    """A `git worktree` of `rev` in tmpdir, removed afterwards."""
    path = os.path.join(tmpdir, "rev")
    git("worktree", "add", "--detach", "--quiet", path, rev)
    try:
        yield path
    finally:
        try:
            git("worktree", "remove", "--force", path)
        except subprocess.CalledProcessError:
            shutil.rmtree(path, ignore_errors=True)
            git("worktree", "prune")


@contextmanager
def fresh_database(tmpdir: str, label: str):
    """A new SQLite file in tmpdir, or a new PostgreSQL database beside DATABASE_URL's (dropped
    afterwards)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmpdir}/b5-{label}.db"
        return
    from sqlalchemy import create_engine, make_url, text

    parsed = make_url(
        url
        if "+" in url.split("://")[0]
        else url.replace("://", "+psycopg://", 1).replace("postgres+", "postgresql+", 1)
    )
    name = f"{parsed.database or 'petitspas'}_b5_{label}_{os.getpid()}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(cwd, env):
    harness.flask_at(cwd, env, "db", "upgrade")
    harness.flask_at(cwd, env, "content", "sync")
    try:
        harness.flask_at(cwd, env, "demo", "--activity")
    except RuntimeError:  # an older revision without demo activity
        harness.flask_at(cwd, env, "demo")


def record_problems(url) -> list[str]:
    """Every attempt's steps are 1..step_count exactly: nothing lost, nothing doubled."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT a.id, a.step_count, count(s.id), coalesce(max(s.seq), 0) FROM "
                    "scenario_attempts a "
                    "LEFT JOIN attempt_steps s ON s.attempt_id = a.id GROUP BY a.id, a.step_count"
                )
            ).all()
    finally:
        engine.dispose()
    return [
        f"attempt {a}: step_count {c}, {n} steps, max seq {top}" for a, c, n, top in rows if not c == n == top
    ]


def peak_rss_mb(proc) -> float:
    return max([harness.status_kb(pid, "VmHWM") for pid in harness.worker_pids(proc.pid)] or [0]) / 1024


# --- the benchmark ------------------------------------------------------------------------------


def _hashing(page):
    return page.label.startswith("log in")


def run(quick: bool = False, rev: str | None = None) -> harness.Result:
    global _last_memory
    result = harness.Result("B5")
    rounds = 1 if quick else 5
    why = f"--rev {rev}"
    if rev is None:
        rev, why = default_rev()
    sha = git("rev-parse", "--short", rev)
    print(
        f"B5 journeys: current working tree vs {sha} ({why}); gunicorn 2 sync workers each, "
        f"{'warm-up + ' + str(rounds) + ' round' if quick else 'warm-up + median of 5 rounds'}, alternating"
    )
    tmpdir = tempfile.mkdtemp(prefix="petitspas-b5-")
    try:
        with ExitStack() as stack:
            rev_dir = stack.enter_context(checkout(rev, tmpdir))
            sides = {}
            for side, cwd in (("now", harness.ROOT), ("rev", rev_dir)):
                url = stack.enter_context(fresh_database(tmpdir, side))
                env = harness.bench_env(url)
                started = time.perf_counter()
                seed(cwd, env)
                base, proc = stack.enter_context(
                    harness.serve(WRAPPER, env, cwd=cwd, pythonpath=harness.ROOT / "bench")
                )
                sides[side] = {
                    "cwd": str(cwd),
                    "url": url,
                    "base": base,
                    "proc": proc,
                    "runs": [],
                    "warm": [],
                }
                print(f"  {side}: {cwd} seeded in {time.perf_counter() - started:.1f}s, {base}")
            for _ in range(2):  # warm-up: both workers compile templates, fill caches
                for side in ("now", "rev"):
                    sides[side]["warm"].append(play_all(sides[side]["base"]))
            for n in range(rounds):
                for side in ("now", "rev") if n % 2 == 0 else ("rev", "now"):
                    sides[side]["runs"].append(play_all(sides[side]["base"]))
            for s in sides.values():
                s["peak_mb"] = peak_rss_mb(s["proc"])
                s["log"] = harness.log_problems(s["proc"].log_path)
                s["records"] = record_problems(s["url"])
        for side, s in sides.items():
            roots = set().union(*(run["_roots"] for run in s["runs"]))
            if roots and not all(root.startswith(str(s["cwd"])) for root in roots):
                result.problems.append(f"{side}: served code from {roots}, not from {s['cwd']}")
            for line in s["log"][:5]:
                result.problems.append(f"{side} server log: {line}")
            for p in s["records"][:5]:
                result.problems.append(f"{side}: {p}")
        _compare(sides, result)
    except JourneyBroke as broke:
        result.problems.append(f"a journey broke: {broke}")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return result


def _median_pages(runs, journey, warm=()):
    """{label: (fewest sql, median ms, largest size, Page)} in journey order, and the
    labels whose SQL count changed from pass to pass (warm-ups included) as the data grew.
    A page's statements are its fewest over the rounds: a page that folds what the last round
    left (the trainee dashboard's boost fold) may cost more in one round than in the next
    (before 2026-12-02 its UPDATEs moved by 1-3 with which figures changed), so a page grows
    only if its steady cost does; the moves are listed apart."""
    out, moving = {}, []
    labels = [p.label for p in runs[0][journey]]
    for i, label in enumerate(labels):
        same = [run[journey][i] for run in runs if len(run[journey]) > i and run[journey][i].label == label]
        sqls = [p.sql for p in same]
        every = [
            run[journey][i].sql
            for run in (*warm, *runs)
            if len(run[journey]) > i and run[journey][i].label == label
        ]
        if len(set(every)) > 1:
            moving.append(f"{journey}/{label} {every}")
        out[label] = (
            min(sqls),
            harness.median([p.ms for p in same]),
            max(p.size for p in same),
            same[-1],
        )
    return out, moving


def _compare(sides, result):
    now_runs, rev_runs = sides["now"]["runs"], sides["rev"]["runs"]
    pages_now, pages_rev = [], []
    print(
        f"  {'page (a POST counts with the page it redirects to)':<46} {'SQL now':>7} {'rev':>4} "
        f"{'ms now':>8} {'rev':>8} {'KB now':>7}"
    )
    for journey, _fn in JOURNEYS:
        now, moving_now = _median_pages(now_runs, journey, sides["now"]["warm"])
        rev, moving_rev = _median_pages(rev_runs, journey, sides["rev"]["warm"])
        growth, grown_label, grown_ref, saved = None, "", 0, (0, "")
        for label, (sql, ms, size, page) in now.items():
            pages_now.append((journey, label, page, size))
            before = rev.get(label)
            if before is None:
                continue
            d = sql - before[0]
            saved = min(saved, (d, label))
            if growth is None or d > growth:
                growth, grown_label, grown_ref = d, label, before[0]
            if (
                not label.startswith("step")
                or label.startswith(("step 1 ", "step 10 "))
                or d > 0
                or ms > 2 * TIME_BAR * before[1]
            ):
                print(
                    f"  {journey + '/' + label:<46} {sql:>7} {before[0]:>4} {ms:>8.1f} {before[1]:>8.1f} "
                    f"{size / 1024:>7.1f}" + ("  SQL grows" if d > 0 else "")
                )
        for label, (_sql, _ms, size, page) in rev.items():
            pages_rev.append((journey, label, page, size))
        missing = sorted(set(now) ^ set(rev))
        if growth is None:
            growth = 0
        result.lines.append(
            harness.Line(
                f"B5 {journey} SQL growth/page",
                growth,
                grown_ref,
                "stmts",
                "no page grows",
                growth <= 0,
                note=(f"grows most at {grown_label}" if growth > 0 else "no page grows")
                + (f"; most saved at {saved[1]} ({saved[0]})" if saved[0] < 0 else "")
                + f"; journey total {sum(v[0] for v in now.values())} now, "
                f"{sum(v[0] for v in rev.values())} at rev; {len(now)} pages"
                + (f"; pages only on one side: {missing}" if missing else ""),
            )
        )
        # Server CPU time, not the wall clock: on two shared cores the wall clock of the same
        # code moved by 20% from run to run. The log-in POST is mostly the password hash, slow
        # on purpose (a third of a journey): it is in the table above, not in the total.
        total_now = harness.median([sum(p.cpu for p in run[journey] if not _hashing(p)) for run in now_runs])
        total_rev = harness.median([sum(p.cpu for p in run[journey] if not _hashing(p)) for run in rev_runs])
        worst = max(
            ((v[1] / rev[k][1], k) for k, v in now.items() if k in rev and rev[k][1] > 0), default=(0, "")
        )
        result.lines.append(
            harness.Line(
                f"B5 {journey} server CPU",
                total_now,
                total_rev,
                "ms",
                f"<= {TIME_BAR:.2f}x",
                total_now <= TIME_BAR * total_rev,
                note=f"log-in POST excluded; slowest page vs rev: {worst[1]} {worst[0]:.2f}x",
            )
        )
        for moving in moving_now:
            print(f"  note: SQL count changes from pass to pass (warm-ups, rounds) now: {moving}")
        for moving in moving_rev:
            print(f"  note: SQL count changes from pass to pass at rev: {moving}")
    html_now = [(size, f"{j}/{label}") for j, label, page, size in pages_now if page.html]
    html_rev = {f"{j}/{label}": size for j, label, page, size in pages_rev if page.html}
    biggest, where = max(html_now) if html_now else (0, "")
    typical = harness.median([s for s, _ in html_now]) if html_now else 0
    over = [w for s, w in html_now if s > HTML_BAR_KB * 1024]
    result.lines.append(
        harness.Line(
            "B5 largest HTML page",
            biggest / 1024,
            html_rev.get(where, 0) / 1024,
            "KB",
            f"typical < {HTML_BAR_KB} KB",
            typical < HTML_BAR_KB * 1024,
            note=f"{where}; median page {typical / 1024:.1f} KB"
            + (f"; over {HTML_BAR_KB} KB: {over}" if over else ""),
        )
    )
    outside = [(f"{j}/{label}", page.outside) for j, label, page, _ in pages_now if page.outside]
    result.lines.append(
        harness.Line(
            "B5 pages naming other hosts",
            len(outside),
            len(pages_now),
            "pages",
            "none",
            not outside,
            note="; ".join(f"{w}: {', '.join(o[:3])}" for w, o in outside[:3]) or "src/href/action checked",
        )
    )
    for side in ("now", "rev"):
        errors = [
            p
            for run in sides[side]["runs"]
            for pages in run.values()
            if isinstance(pages, list)
            for p in pages
            if p.status >= 500
        ]
        for p in errors[:5]:
            result.problems.append(f"{side}: {p.status} on {p.method} {p.path} ({p.label})")
    memory = harness.Line(
        "Memory: peak worker RSS",
        sides["now"]["peak_mb"],
        sides["rev"]["peak_mb"],
        "MB",
        f"< {MEMORY_BAR_MB} MB",
        sides["now"]["peak_mb"] < MEMORY_BAR_MB,
        note="VmHWM of the gunicorn workers after warm-up + all rounds; ref = at rev",
    )
    global _last_memory
    _last_memory = memory  # the `memory` entry's line; printed here for information
    print(
        f"  peak worker RSS (VmHWM) {memory.figure:.0f} MB now, {memory.reference:.0f} MB at rev "
        f"(bar < {MEMORY_BAR_MB} MB: `python -m bench memory`)"
    )


def run_memory(quick: bool = False, rev: str | None = None) -> harness.Result:
    """Peak RSS of a gunicorn worker through all journeys; reuses B5's figure when B5 ran in
    this process, else serves the working tree alone through the journeys."""
    result = harness.Result("Memory")
    if _last_memory is not None:
        print("Memory: from the B5 run above")
        result.lines.append(_last_memory)
        return result
    rounds = 1 if quick else 3
    tmpdir = tempfile.mkdtemp(prefix="petitspas-mem-")
    try:
        with ExitStack() as stack:
            url = stack.enter_context(fresh_database(tmpdir, "mem"))
            env = harness.bench_env(url)
            seed(harness.ROOT, env)
            base, proc = stack.enter_context(harness.serve(WRAPPER, env, pythonpath=harness.ROOT / "bench"))
            print(f"Memory: gunicorn 2 sync workers, every journey {rounds + 1} times")
            runs = []
            for _ in range(rounds + 1):
                runs.append(play_all(base))
            peaks = [harness.status_kb(pid, "VmHWM") / 1024 for pid in harness.worker_pids(proc.pid)]
            now = [harness.status_kb(pid, "VmRSS") / 1024 for pid in harness.worker_pids(proc.pid)]
            for line in harness.log_problems(proc.log_path)[:5]:
                result.problems.append(f"server log: {line}")
            result.problems += record_problems(url)[:5]
        for run in runs:
            for pages in run.values():
                if isinstance(pages, list):
                    result.problems += [
                        f"{p.status} on {p.method} {p.path}" for p in pages if p.status >= 500
                    ]
        peak = max(peaks or [0])
        result.lines.append(
            harness.Line(
                "Memory: peak worker RSS",
                peak,
                MEMORY_BAR_MB,
                "MB",
                f"< {MEMORY_BAR_MB} MB",
                peak < MEMORY_BAR_MB,
                note=f"VmHWM per worker {', '.join(f'{p:.0f}' for p in peaks)} MB; now "
                f"{', '.join(f'{p:.0f}' for p in now)} MB",
            )
        )
    except JourneyBroke as broke:
        result.problems.append(f"a journey broke: {broke}")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rev", default=None)
    args = ap.parse_args(argv)
    result = run(args.quick, rev=args.rev)
    return result.print()


if __name__ == "__main__":
    sys.exit(main())
