"""B7, several hosts: two app hosts (two gunicorn instances) behind nginx, round robin with no
sticky sessions, on one PostgreSQL and one Redis; one host killed in the middle of a load.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME .venv/bin/python -m bench multihost
    .venv/bin/python -m bench.multihost --levels 700,1000,1300 --kill-at 400

Everything it needs is started here and stopped at the end: the two hosts (APP_ENV=production,
one SECRET_KEY, the rate-limit store in Redis), nginx with a generated configuration in a
temporary folder (it retries a request on the other host after a connection error or a
timeout, for idempotent requests only: `proxy_next_upstream error timeout` without
`non_idempotent`), and the simulated people of B6 (bench/capacity_users.py).

1. Whichever host answers: a trainee's session, a CSRF token taken from a page of one host and
   posted to the other, the steps of a role-play and a replayed step, a trainer's draft saved
   on one host and found (and a stale save refused) on the other.
2. Capacity with two hosts: the B6 ramp through nginx (each host with half the workers of B6's
   one host, on the same two cores).
3. One host killed (SIGKILL) under a load one host can carry: the requests in flight on it
   fail, the other host serves everyone after, and no acknowledged record is lost.
4. Limits: ten wrong passwords spread over both hosts spend the account's budget on both; five
   password-reset mails asked for on both hosts spend that budget. (Run last: they spend the
   loopback address's budget too.)
Every acknowledged record is checked in the database at the end, as in B6."""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import capacity, harness

NGINX_PORTS = range(8080, 8090)
HOST_PORTS = (5201, 5202)
LEVELS = (700, 1000, 1300)
QUICK_LEVELS = (20,)
KILL_AT = 400
SEQ = re.compile(rb'name="seq"[^>]*value="(\d+)"')
CHOICES = re.compile(rb'name="choice" value="(\d+)"')
HIDDEN = re.compile(rb'name="(revision|base_version_id)"[^>]*value="([^"]*)"')
SOURCE = re.compile(rb'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', re.DOTALL)

NGINX_HELP = (
    "nginx is not installed. On Debian or Ubuntu: sudo apt-get install nginx-light (or nginx); "
    "the benchmark runs /usr/sbin/nginx with its own configuration and never touches /etc/nginx."
)

NGINX_CONF = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream petitspas {{
        # round robin, no sticky sessions; a host that fails is left alone for 5 s
        server 127.0.0.1:{a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 3m;
        location / {{
            proxy_pass http://petitspas;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
            # another host after a connection error or a timeout, for GET and HEAD only: a POST
            # that reached a host is never sent twice (non_idempotent is not set)
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def nginx_binary():
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Nginx:
    def __init__(self, binary, tmp, hosts):
        self.port = next(p for p in NGINX_PORTS if port_free(p))
        self.tmp = Path(tmp) / "nginx"
        self.tmp.mkdir()
        conf = self.tmp / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(tmp=self.tmp, user=user, a=hosts[0], b=hosts[1], port=self.port))
        self.proc = subprocess.Popen(
            [binary, "-p", str(self.tmp), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 10
        while time.time() < deadline and port_free(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError("nginx did not start: " + (self.tmp / "error.log").read_text()[-2000:])
            time.sleep(0.1)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


class Browser(harness.Client):
    """A browser (CSRF tokens kept and sent) that notes which host answered each request
    (nginx's X-Upstream)."""

    def __init__(self, base):
        super().__init__(base, csrf=True)
        self.hosts: list[str] = []

    def request(self, method, path, form=None):
        status, body, headers = super().request(method, path, form)
        self.hosts.append(headers.get("X-Upstream", "?"))
        return status, body, headers

    def log_in(self, email, password=capacity.PASSWORD):
        self.get("/login")  # each log-in from the login page, on whichever host answers it
        return self.post("/login", {"email": email, "password": password})[0]


def whichever_host(base, made) -> tuple[list, list, dict]:
    """Part 1: (lines of what was seen, problems, acks for the database check)."""
    seen, problems, acks = (
        [],
        [],
        {"steps": [], "quizzes": [], "starts": [], "saves": 0, "logins": 0, "login_posts": 0, "draft": None},
    )
    trainee = Browser(base)
    if trainee.log_in(made["warm"]["trainee"]) != 302:
        return seen, ["the check trainee could not log in through nginx"], acks, trainee
    statuses = [trainee.get("/learn/")[0] for _ in range(6)]
    hosts = set(trainee.hosts[-6:])
    seen.append(f"session: 6 dashboard views answered {statuses.count(200)}x 200 by {len(hosts)} hosts")
    if statuses.count(200) != 6 or len(hosts) != 2:
        problems.append(f"session: dashboard statuses {statuses} from hosts {sorted(hosts)}")
    slug = made["scenarios"][0]
    trainee.get(f"/learn/scenarios/{slug}")
    token_host = trainee.hosts[-1]
    status, page, headers = trainee.post(f"/learn/scenarios/{slug}/start", {"mode": "practice"})
    attempt = int(re.search(r"/attempts/(\d+)", headers.get("Content-Location", "/attempts/0")).group(1))
    if status != 200 or not attempt:
        problems.append(f"start answered {status}")
        return seen, problems, acks, trainee
    # Round robin with one browser: a step is a POST and a GET, so every other step asks for
    # /healthz in between, or every POST would reach the same host.
    step_hosts, replays = [], []
    for number in range(60):
        seq = SEQ.search(page)
        if not seq:
            break
        seq = int(seq.group(1))
        choices = CHOICES.findall(page)
        form = {"seq": seq, **({"choice": choices[0].decode()} if choices else {})}
        if number % 2:
            trainee.get("/healthz")
        status, page, headers = trainee.post(f"/learn/attempts/{attempt}/step", form)
        step_hosts.append(trainee.hosts[-1])
        address = headers.get("Content-Location", "")
        if status == 200 and address.endswith(f"/attempts/{attempt}/steps/{seq}"):
            acks["steps"].append((attempt, seq))
            if not replays:  # a double click, reaching the other host too
                for _ in range(2):
                    again, _, again_headers = trainee.post(f"/learn/attempts/{attempt}/step", form)
                    replays.append(
                        (again, again_headers.get("Content-Location") == address, trainee.hosts[-1])
                    )
        # a Continue is answered with the next scene; after a feedback, the trainee asks for it
        if not (status == 200 and address.endswith(f"/attempts/{attempt}")):
            status, page, _ = trainee.get(f"/learn/attempts/{attempt}")
        if "choice" not in form and status == 200:
            acks["steps"].append((attempt, seq))
    seen.append(
        f"CSRF and steps: the start posted with a token from {token_host}; {len(step_hosts)} steps "
        f"answered by {len(set(step_hosts))} hosts"
    )
    if len(set(step_hosts)) != 2:
        problems.append(f"steps answered by {sorted(set(step_hosts))} only")
    seen.append(
        f"replayed step: {[(status, same) for status, same, _ in replays]} (status, same feedback) on "
        f"{sorted({host for *_, host in replays})}"
    )
    if not replays or any(status != 200 or not same for status, same, _ in replays):
        problems.append(f"replayed step: {replays}")
    trainer = Browser(base)
    trainer.log_in(made["warm"]["trainer"])
    path = f"/author/scenario/{capacity.EDITED}/edit"
    status, page, _ = trainer.get(path)
    fields = {k.decode(): v.decode() for k, v in HIDDEN.findall(page)}
    source = SOURCE.search(page)
    text = (source.group(1).decode() if source else "").lstrip("\r\n")
    text = html.unescape(text).rstrip("\n") + f"\n\n<!-- multihost check {uuid.uuid4().hex[:6]} -->\n"
    status, _, _ = trainer.post(path, {**fields, "source": text, "action": "save"})
    saved_on = trainer.hosts[-1]
    _, page, _ = trainer.get(path)
    found_on = trainer.hosts[-1]
    found = html.escape(text.strip().splitlines()[-1], quote=False).encode() in page
    stale, _, _ = trainer.post(path, {**fields, "source": text + "\nsecond tab\n", "action": "save"})
    seen.append(
        f"draft: saved on {saved_on} ({status}), found on {found_on} ({'yes' if found else 'NO'}), "
        f"a save from the old revision on {trainer.hosts[-1]} answered {stale}"
    )
    if status not in (302, 303) or not found or stale != 409:
        problems.append(f"draft: save {status}, found {found}, stale save {stale}")
    acks["saves"] += status in (302, 303)
    return seen, problems, acks, trainee


def limits(base, made, run) -> tuple[list, list]:
    """Part 4, last: the login and reset budgets are shared by both hosts."""
    seen, problems = [], []
    email = made["limit"]
    answers, hosts = [], []
    for number in range(10):
        browser = Browser(base)
        if number % 2:
            browser.get("/healthz")  # the POSTs alternate hosts
        answers.append(browser.log_in(email, "not-the-password"))
        hosts.append(browser.hosts[-1])
        browser.close()
    refused = []
    for number in range(2):
        browser = Browser(base)
        if number % 2:
            browser.get("/healthz")
        refused.append((browser.log_in(email), browser.hosts[-1]))
        browser.close()
    seen.append(
        f"login limit: 10 wrong passwords answered {sorted(set(answers))} by {len(set(hosts))} hosts; "
        f"then the right one answered {[s for s, _ in refused]} on {sorted({h for _, h in refused})}"
    )
    if set(answers) != {200} or [s for s, _ in refused] != [429, 429] or len(set(hosts)) != 2:
        problems.append(f"login limit: {answers} then {refused}")
    asked = []
    for number in range(6):
        browser = Browser(base)
        if number % 2:
            browser.get("/healthz")
        browser.get("/forgot-password")
        asked.append((browser.post("/forgot-password", {"email": email})[0], browser.hosts[-1]))
        browser.close()
    seen.append(
        f"reset limit: six reset links asked for answered {[s for s, _ in asked]} on "
        f"{len({h for _, h in asked})} hosts"
    )
    if [s for s, _ in asked] != [302] * 5 + [429] or len({h for _, h in asked}) != 2:
        problems.append(f"reset limit: {asked}")
    return seen, problems


def run(quick: bool = False, levels=None, kill_at=None, hold=None, workers=2) -> harness.Result:
    result = harness.Result("B7")
    binary = nginx_binary()
    if binary is None:
        print(NGINX_HELP)
        result.problems.append(NGINX_HELP)
        return result
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres"):
        why = "B7 needs PostgreSQL: set DATABASE_URL=postgresql://... (hosts share one database server)"
        print(why)
        result.problems.append(why)
        return result
    if not capacity.redis_up():
        why = "B7 needs Redis on 127.0.0.1:6379 (the hosts share the rate-limit store)"
        print(why)
        result.problems.append(why)
        return result
    levels = levels or (QUICK_LEVELS if quick else LEVELS)
    kill_at = kill_at or (20 if quick else KILL_AT)
    hold = hold or (10 if quick else 45)
    run_id = uuid.uuid4().hex[:6]
    print(
        f"B7: nginx round robin over 2 hosts x {workers} gunicorn workers, "
        f"{harness.database_kind(database)}, "
        f"Redis; ramp {', '.join(map(str, levels))} trainees, then one host killed at {kill_at}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmpdir:
        made = capacity.prepare(database, max(max(levels), kill_at), run_id)
        made["limit"] = made["accounts"]["trainees"].pop()  # kept out of the load
        env = capacity.site_env(database, run_id, PROXY_FIX_X_FOR=1)  # behind nginx
        draft_before = capacity.draft_revision(made["app"], "scenario", capacity.EDITED)
        with (
            harness.serve("app:create_app()", env, workers=workers, port=HOST_PORTS[0]) as (base_a, host_a),
            harness.serve("app:create_app()", env, workers=workers, port=HOST_PORTS[1]) as (base_b, host_b),
        ):
            capacity.warm_up(base_a)
            capacity.warm_up(base_b)
            nginx = Nginx(binary, tmpdir, HOST_PORTS)
            try:
                capacity.warm_pages(nginx.base, made, rounds=6 * workers)
                seen, problems, check_acks, trainee = whichever_host(nginx.base, made)
                for line in seen:
                    print("  " + line, flush=True)
                plan = {
                    "host": nginx.base,
                    "password": capacity.PASSWORD,
                    "accounts": made["accounts"],
                    "modules": made["modules"],
                    "checked_modules": made["checked_modules"],
                    "scenarios": made["scenarios"],
                    "edited": capacity.EDITED,
                    "levels": list(levels),
                    "hold": hold,
                    "settle": 3 if quick else 10,
                    "spawn_rate": 40,
                    "p95_bar_ms": capacity.P95_BAR_MS,
                    "server_masters": [host_a.pid, host_b.pid],
                    "database": capacity.database_name(database),  # its backends' CPU, as B6's
                    "kill": {
                        "pgid": host_b.pid,
                        "trainees": kill_at,
                        "before": 10 if quick else 20,
                        "grace": 3,
                        "after": 10 if quick else 30,
                    },
                }
                measured, acks = capacity.drive(plan, tmpdir)
                status, _, _ = trainee.get("/learn/")
                kept = (
                    f"the check trainee's session, opened before the kill: {status} from {trainee.hosts[-1]}"
                )
                print("  " + kept, flush=True)
                if status != 200:
                    problems.append(kept)
                # the killed host comes back (a restart): nginx sends it requests again after its 5 s
                with harness.serve("app:create_app()", env, workers=workers, port=HOST_PORTS[1]) as (
                    base_b,
                    back,
                ):
                    capacity.warm_up(base_b)
                    time.sleep(6)
                    statuses = [trainee.get("/learn/")[0] for _ in range(4)]
                    line = (
                        f"host B restarted: the same session answered {statuses} by "
                        f"{sorted(set(trainee.hosts[-4:]))}"
                    )
                    print("  " + line, flush=True)
                    if statuses != [200] * 4 or len(set(trainee.hosts[-4:])) != 2:
                        problems.append(line)
                    limit_seen, limit_problems = limits(nginx.base, made, run_id)
                    for line in limit_seen:
                        print("  " + line, flush=True)
                    problems += limit_problems
                    log_problems_back = harness.log_problems(back.log_path)
            finally:
                nginx.stop()
            log_problems = [
                f"host {name}: {line}"
                for name, proc in (("A", host_a), ("B", host_b))
                for line in harness.log_problems(proc.log_path)
            ]
            log_problems += [f"host B restarted: {line}" for line in log_problems_back]
        acks["steps"] += check_acks["steps"]
        acks["saves"] += check_acks["saves"]
        emails = [e for group in made["accounts"].values() for e in group]
        problems += capacity.check_records(
            made["app"], acks, emails + [made["warm"]["trainee"]], draft_before, session_emails=emails
        )
    ramp = [level for level in measured if "phase" not in level]
    phases = {level["phase"]: level for level in measured if "phase" in level}
    served = capacity.verdict(
        "B7 two hosts", ramp, acks, [], capacity.BAR_TRAINEES if not quick else QUICK_LEVELS[-1]
    )
    result.lines += served.lines
    after = phases.get("after the kill")
    at = phases.get("at the kill", {"failures": 0, "errors": {}})
    if after is None:
        problems.append("the kill phase did not run")
    else:
        result.lines.append(
            harness.Line(
                "B7 after one host killed",
                after["failures"],
                0,
                "errors",
                "= 0, p95 < 300",
                after["ok"],
                f"{kill_at} trainees on the host left: {after['rps']:.0f} req/s, worst p95 {after['worst']} "
                f"{after['kinds'][after['worst']]['p95']:.0f} ms; {at['failures']} "
                "requests failed in the 3 s of the "
                f"kill (in flight on the killed host)",
            )
        )
    result.problems += problems + log_problems[:5]
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", default=",".join(map(str, LEVELS)))
    ap.add_argument("--kill-at", type=int, default=KILL_AT)
    ap.add_argument("--hold", type=float, default=45)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    args = ap.parse_args(argv)
    return run(
        levels=tuple(int(n) for n in args.levels.split(",")),
        kill_at=args.kill_at,
        hold=args.hold,
        workers=args.workers,
    ).print()


if __name__ == "__main__":
    sys.exit(main())
