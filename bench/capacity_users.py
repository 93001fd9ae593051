"""The simulated people of benchmark B6 (Locust), run as a child process of bench.capacity so
that gevent's monkey-patching stays out of the harness:

    python -m bench.capacity_users PLAN.json RESULT.json

PLAN names the site, the accounts (made by bench.capacity), the content and the ramp: for each
level, the trainees wanted (one manager per 20 and the trainer come with them), then a settle
time and a measured hold. Each level's figures go to stdout as one JSON line ("level"); at the
end RESULT gets every record the server acknowledged, for the database check.

What a trainee does, with a think time of 3-8 s before every click: the dashboard, then one of
a lesson (module page and a few pages in order), a knowledge check (the form, answers, result),
a role-play to its debrief (briefing, start, each step's feedback and the next scene, answering
what each scene asks: a choice, Continue, a preparation sheet, a signal pick; one POST in
twenty is sent twice, a double click), or My progress. Managers alternate the team
dashboard and analytics; the trainer opens the editor, lints the text and saves a draft."""

from __future__ import annotations

import html
import json
import os
import random
import re
import sys
import time
import urllib.parse

import gevent
from locust import FastHttpUser, between, events, task
from locust.env import Environment

THINK = (3.0, 8.0)
DOUBLE_CLICK = 0.05
PLAN: dict = {}
ACKS: dict = {
    "steps": [],
    "quizzes": [],
    "starts": [],
    "saves": 0,
    "logins": 0,
    "login_posts": 0,
    "draft": None,
}

SEQ = re.compile(r'name="seq"[^>]*value="(\d+)"')
CHOICES = re.compile(r'name="choice" value="(\d+)"')
ITEMS = re.compile(r'name="item" value="(\d+)"')
FIGURES = re.compile(r'name="(figure-[^"]+)".*?class="small muted hint">([^<]*)<', re.DOTALL)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STEP = re.compile(r"/attempts/(\d+)/steps/(\d+)$")
ATTEMPT = re.compile(r"/attempts/(\d+)$")
CHECK_RESULT = re.compile(r"/check/(\d+)$")
QUESTION = re.compile(r'name="(q\d+)"[^>]*value="(\d+)"')
HIDDEN = re.compile(r'name="(submission|version_id|revision|base_version_id)"[^>]*value="([^"]*)"')
SOURCE = re.compile(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', re.DOTALL)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

_accounts = {}


def next_account(role):
    if role not in _accounts:
        _accounts[role] = iter(PLAN["accounts"][role])
    return next(_accounts[role])


def answer(page, rng):
    """The form a trainee sends from a scene (learn/player.html, in its order): a preparation
    sheet's figures, each halfway between its bounds; Continue (the sequence number alone); a
    signal pick, some of the observations ticked; else one of the choices offered. Whether it
    is a Continue, whose next scene acknowledges it."""
    form = {"seq": int(SEQ.search(page).group(1))}
    if 'name="sheet" value="1"' in page:
        form["sheet"] = "1"
        for name, hint in FIGURES.findall(page):
            low, high = (float(n.replace(",", "")) for n in NUMBER.findall(hint)[:2])
            form[name] = f"{(low + high) / 2:g}"
        return form, False
    if "data-continue>" in page:
        return form, True
    if 'name="pick" value="1"' in page:
        items = ITEMS.findall(page)
        return {**form, "pick": "1", "item": rng.sample(items, rng.randint(1, len(items)))}, False
    choices = CHOICES.findall(page)
    return ({**form, "choice": rng.choice(choices)}, False) if choices else (form, True)


def path_of(location):
    return "/" + location.split("/", 3)[3] if location.startswith("http") else location


class Person(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)
    role = ""

    def on_start(self):
        self.email = next_account(self.role)
        self.csrf = None
        self.random = random.Random(self.email)
        with self.client.get("/login", name="login page", catch_response=True) as r:
            self.csrf = self._csrf(r.text)
        form = {"email": self.email, "password": PLAN["password"], "csrf_token": self.csrf or ""}
        ACKS["login_posts"] += 1
        with self.client.post(
            "/login",
            name="log in (POST)",
            data=urllib.parse.urlencode(form),
            headers=FORM,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code == 302:
                ACKS["logins"] += 1
                r.success()
            else:
                r.failure(f"log in answered {r.status_code}")

    def think(self):
        gevent.sleep(self.random.uniform(*THINK))

    def _csrf(self, text):
        match = CSRF.search(text or "")
        if match:
            self.csrf = match.group(1)
        return self.csrf

    def get(self, path, name):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{path} answered {r.status_code}")
            elif name == "player" and "data-debrief" in (r.text or ""):
                r.request_meta["name"] = "debrief"
            self._csrf(r.text)
            return r.status_code, r.text or "", r.headers

    def post(self, path, form, name, expect=(200, 302, 303)):
        form = {**form, "csrf_token": self.csrf or ""}
        with self.client.post(
            path,
            name=name,
            data=urllib.parse.urlencode(form, doseq=True),
            headers=FORM,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code not in expect:
                r.failure(f"{path} answered {r.status_code}")
            return r.status_code, r.text or "", r.headers


class Trainee(Person):
    weight = 20
    role = "trainees"

    @task
    def a_session(self):
        self.get("/learn/", "dashboard")
        self.think()
        activity = self.random.choices(("lesson", "check", "role-play", "progress"), (3, 1, 4, 1))[0]
        getattr(self, activity.replace("-", "_"))()

    def lesson(self):
        module, pages = self.random.choice(PLAN["modules"])
        self.get(f"/learn/modules/{module}", "module")
        first = self.random.randint(1, pages)
        for number in range(first, min(pages, first + self.random.randint(1, 4)) + 1):
            self.think()
            self.get(f"/learn/modules/{module}/pages/{number}", "lesson page")

    def check(self):
        module, _pages = self.random.choice(PLAN["checked_modules"])
        status, page, _ = self.get(f"/learn/modules/{module}/check", "knowledge check")
        form = dict(HIDDEN.findall(page))
        answers: dict = {}
        for name, value in QUESTION.findall(page):
            answers.setdefault(name, []).append(value)
        if status != 200 or not answers or "submission" not in form:
            return  # paused after two failed tries: nothing to send
        form.update({name: self.random.choice(values) for name, values in answers.items()})
        self.think()
        clicks = 2 if self.random.random() < DOUBLE_CLICK else 1
        for _ in range(clicks):
            status, _, headers = self.post(
                f"/learn/modules/{module}/check", form, "check answer (POST)", (303,)
            )
        location = path_of(headers.get("Location", "")) if status == 303 else ""
        match = CHECK_RESULT.search(location)
        if match:
            ACKS["quizzes"].append((form["submission"], int(match.group(1)), self.email))
            self.get(location, "check result")

    def role_play(self):
        slug = self.random.choice(PLAN["scenarios"])
        self.get(f"/learn/scenarios/{slug}", "briefing")
        self.think()
        clicks = 2 if self.random.random() < DOUBLE_CLICK else 1
        for _ in range(clicks):
            status, page, headers = self.post(
                f"/learn/scenarios/{slug}/start", {"mode": "practice"}, "start (POST)", (200,)
            )
        match = ATTEMPT.search(headers.get("Content-Location", "")) if status == 200 else None
        if not match:
            return
        attempt = int(match.group(1))
        ACKS["starts"].append((attempt, self.email))
        for _ in range(200):
            if not SEQ.search(page):
                return  # the debrief
            form, continued = answer(page, self.random)
            seq = form["seq"]
            self.think()
            clicks = 2 if self.random.random() < DOUBLE_CLICK else 1
            for _ in range(clicks):
                status, page, headers = self.post(f"/learn/attempts/{attempt}/step", form, "step (POST)")
            address = headers.get("Content-Location", "") if status == 200 else ""
            match = STEP.search(address)
            if match:  # the feedback, naming the step it acknowledges
                if (int(match.group(1)), int(match.group(2))) == (attempt, seq):
                    ACKS["steps"].append((attempt, seq))
                self.think()
            if not ATTEMPT.search(address):  # else the next scene came with the answer (Continue)
                status, page, _ = self.get(f"/learn/attempts/{attempt}", "player")
            if status == 200 and continued:  # a Continue: acknowledged by the next scene
                moved = SEQ.search(page)
                if moved is None or int(moved.group(1)) == seq + 1:
                    ACKS["steps"].append((attempt, seq))
            if status == 200 and "data-debrief" in page:
                self.think()
                self.get("/learn/", "dashboard")
                return

    def progress(self):
        self.get("/learn/progress", "my progress")


class Manager(Person):
    weight = 1
    role = "managers"

    @task
    def team(self):
        self.get("/manage/", "team dashboard")
        self.think()
        self.get("/manage/analytics", "team analytics")


class Trainer(Person):
    fixed_count = 1
    role = "trainers"

    @task
    def edit(self):
        kind, slug = "scenario", PLAN["edited"]
        status, page, _ = self.get(f"/author/{kind}/{slug}/edit", "studio editor")
        source = SOURCE.search(page)
        if status != 200 or not source:
            return
        text = html.unescape(source.group(1)).lstrip("\r\n")
        form = dict(HIDDEN.findall(page))
        text = text.rstrip("\n") + f"\n\n<!-- capacity run, edit {time.time():.0f} -->\n"
        self.think()
        self.post("/author/lint", {"kind": kind, "slug": slug, "source": text}, "studio lint (POST)", (200,))
        self.think()
        status, _, _ = self.post(
            f"/author/{kind}/{slug}/edit",
            {**form, "source": text, "action": "save"},
            "studio save (POST)",
            (302, 303),
        )
        if status in (302, 303):
            ACKS["saves"] += 1
            ACKS["draft"] = (kind, slug)


class cpu_seconds(dict):
    """CPU seconds of each process; the difference of two readings counts the processes in both
    (a killed host's workers drop out)."""

    def __init__(self, pids):
        super().__init__()
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                self[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass

    def __sub__(self, earlier):
        return sum(value - earlier[pid] for pid, value in self.items() if pid in earlier)


def database_pids():
    """The PostgreSQL backends serving the run's database (PLAN["database"]), found by their
    process titles ("postgres: 15/main: USER DATABASE HOST(PORT) STATE"): they take their share
    of the same cores, and a server's figure without them reads PostgreSQL as free. The
    server-wide processes (WAL writer, checkpointer) serve every database and are not counted."""
    name = PLAN.get("database")
    pids = []
    if not name:
        return pids
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    title = fh.read().replace(b"\0", b" ").decode(errors="replace").split()
            except OSError:
                continue
            if title[:1] == ["postgres:"] and name in title[2:5]:
                pids.append(int(entry))
    return pids


def database_seconds(earlier=None):
    """CPU seconds of the database's backends; with `earlier`, since then (a backend started in
    between counts from its start: its connection's set-up is the run's too)."""
    now = cpu_seconds(database_pids())
    return now if earlier is None else sum(value - earlier.get(pid, 0) for pid, value in now.items())


def server_pids():
    from bench.harness import worker_pids

    return [pid for master in PLAN.get("server_masters", []) for pid in [master, *worker_pids(master)]]


def level_figures(env, trainees, seconds, cpu_server, cpu_self, cpu_database=None):
    kinds = {}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        if entry.num_requests:
            kinds[name] = {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "max": entry.max_response_time,
            }
    errors = {f"{e.method} {e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()}
    total = env.stats.total
    return {
        "trainees": trainees,
        "managers": trainees // 20,
        "seconds": round(seconds, 1),
        "requests": total.num_requests,
        "rps": round(total.num_requests / seconds, 1) if seconds else 0,
        "failures": total.num_failures,
        "kinds": kinds,
        "errors": errors,
        "server_cores": round(cpu_server / seconds, 2) if seconds else 0,
        "generator_cores": round(cpu_self / seconds, 2) if seconds else 0,
        "database_cores": round(cpu_database / seconds, 2) if seconds and cpu_database is not None else None,
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def kill_phase(env, runner, kill):
    """B7: a load one host can carry, then one app host killed (SIGKILL to its process group):
    the figures before, during the few seconds after (requests in flight on the killed host
    fail there), and after, when the other host serves everyone."""
    import signal

    trainees = kill["trainees"]
    runner.start(trainees + trainees // 20 + 1, spawn_rate=PLAN.get("spawn_rate", 40))
    if runner.spawning_greenlet is not None:
        runner.spawning_greenlet.join()
    gevent.sleep(PLAN.get("settle", 10))
    for phase, seconds in (
        ("before the kill", kill["before"]),
        ("at the kill", kill["grace"]),
        ("after the kill", kill["after"]),
    ):
        env.stats.reset_all()
        if phase == "at the kill":
            os.killpg(kill["pgid"], signal.SIGKILL)
        pids = server_pids()
        cpu_server, cpu_self, began = cpu_seconds(pids), cpu_seconds([os.getpid()]), time.monotonic()
        cpu_database = database_seconds()
        gevent.sleep(seconds)
        figures = level_figures(
            env,
            trainees,
            time.monotonic() - began,
            cpu_seconds(pids) - cpu_server,
            cpu_seconds([os.getpid()]) - cpu_self,
            database_seconds(cpu_database) if PLAN.get("database") else None,
        )
        figures["phase"] = phase
        worst = max(figures["kinds"].items(), key=lambda kv: kv[1]["p95"], default=(None, {"p95": 0}))
        figures["worst"] = worst[0]
        figures["ok"] = (
            bool(figures["kinds"])
            and not figures["failures"]
            and worst[1]["p95"] < PLAN.get("p95_bar_ms", 300)
        )
        print(json.dumps({"level": figures}), flush=True)


def main(argv):
    plan_path, result_path = argv
    with open(plan_path) as fh:
        PLAN.update(json.load(fh))
    env = Environment(user_classes=[Trainee, Manager, Trainer], host=PLAN["host"], events=events)
    runner = env.create_local_runner()
    limit = PLAN.get("p95_bar_ms", 300)
    passed_any = failed_before = False
    for trainees in PLAN["levels"]:
        users = trainees + trainees // 20 + 1
        runner.start(users, spawn_rate=PLAN.get("spawn_rate", 40))
        if runner.spawning_greenlet is not None:
            runner.spawning_greenlet.join()
        gevent.sleep(PLAN.get("settle", 10))
        env.stats.reset_all()
        pids = server_pids()
        cpu_server, cpu_self, began = cpu_seconds(pids), cpu_seconds([os.getpid()]), time.monotonic()
        cpu_database = database_seconds()
        gevent.sleep(PLAN.get("hold", 45))
        seconds = time.monotonic() - began
        figures = level_figures(
            env,
            trainees,
            seconds,
            cpu_seconds(pids) - cpu_server,
            cpu_seconds([os.getpid()]) - cpu_self,
            database_seconds(cpu_database) if PLAN.get("database") else None,
        )
        worst = max(figures["kinds"].items(), key=lambda kv: kv[1]["p95"], default=(None, {"p95": 0}))
        figures["worst"] = worst[0]
        figures["ok"] = bool(figures["kinds"]) and not figures["failures"] and worst[1]["p95"] < limit
        print(json.dumps({"level": figures}), flush=True)
        if not figures["ok"] and (passed_any or failed_before):
            break  # the largest served is known
        passed_any, failed_before = passed_any or figures["ok"], not figures["ok"]
    kill = PLAN.get("kill")
    if kill:
        kill_phase(env, runner, kill)
    runner.quit()
    with open(result_path, "w") as fh:
        json.dump(ACKS, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
