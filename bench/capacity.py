"""B6, capacity of one host: how many simulated trainees one 2-core machine serves, the load
generator included, with p95 under 300 ms on every page kind, no error, and nothing lost or
doubled in the database.

    .venv/bin/python -m bench capacity                          # SQLite (a fresh WAL file)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME .venv/bin/python -m bench capacity
    .venv/bin/python -m bench.capacity --levels 600,800,1000,1200 --hold 45 --workers 4

The site runs as the README's production section says: gunicorn, APP_ENV=production, the
rate-limit store in Redis when one answers on 127.0.0.1:6379 (else memory://), CSRF on. The
accounts are made by the real use cases (accounts.create_user, accounts.create_team,
assigning.assign: every module and scenario given to every team, so nothing is locked) with
the cheap password hash of the test configuration (one pbkdf2 round instead of scrypt): 1,000
scrypt hashes would take a minute to make, and each log-in would cost 50-100 ms of CPU
instead of well under one (see docs/performance.md). The simulated people are Locust users
(bench/capacity_users.py, FastHttpUser) in a child process on the same machine. The ramp adds
trainees level by level; each level is measured over a hold after the new users have logged
in. The figure is the largest level that met the bar; the database check covers the whole run
(every acknowledged step, knowledge check, start and draft save, exactly once)."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench import harness

PASSWORD = "capacity-password-123"
CHEAP_HASH = "pbkdf2:sha256:1"
P95_BAR_MS = 300
BAR_TRAINEES = 1000
TRAINEES_PER_MANAGER = 20
EDITED = "the-warm-introduction"  # the scenario the simulated trainer edits (drafts only)
LEVELS = (400, 700, 1000, 1300, 1600)
QUICK_LEVELS = (20, 40)
WORKERS, THREADS = 4, 1  # chosen by measurement: docs/performance.md, "B6"


def redis_up(host="127.0.0.1", port=6379):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def database_name(url: str) -> str | None:
    """PostgreSQL's database name in a DATABASE_URL (its backends' CPU is measured), else None."""
    if not url.startswith("postgres"):
        return None
    from sqlalchemy import make_url

    return make_url(url).database


def site_env(database_url: str, run: str, **extra) -> dict:
    """The production configuration of the README, on loopback (no TLS: cookies not Secure)."""
    env = dict(os.environ)
    env.update(
        {
            "APP_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_DISABLED": "1",
            "SESSION_COOKIE_SECURE": "false",
            "REMEMBER_COOKIE_SECURE": "false",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0" if redis_up() else "memory://",
            "RATELIMIT_KEY_PREFIX": f"bench-{run}:",
            "FLASK_APP": "app",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def prepare(database_url: str, trainees: int, run: str) -> dict:
    """Migrate, sync the content, make the run's accounts; returns what the simulated people need."""
    env = harness.bench_env(database_url)
    harness.flask(env, "db", "upgrade")
    harness.flask(env, "content", "sync")
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from app import create_app
        from app.extensions import db
        from app.services import accounts, publishing
        from app.services.assignments import assigning
        from app.services.learning import published

        app = create_app(PASSWORD_HASH_METHOD=CHEAP_HASH)
        started = time.perf_counter()
        with app.app_context():
            trainer = accounts.create_user(
                f"cap-{run}-trainer@example.com",
                f"Trainer {run}",
                PASSWORD,
                role="trainer",
                check_password=False,
            )
            modules = []
            for slug in sorted(publishing.published_all("module")):
                _version, module = published.published_module(slug)
                modules.append((slug, len(module.pages), bool(module.quiz)))
            scenarios = sorted(publishing.published_all("scenario"))
            managers, people = [], []
            for team_number in range(-(-trainees // TRAINEES_PER_MANAGER)):
                manager = accounts.create_user(
                    f"cap-{run}-m{team_number}@example.com",
                    f"Manager {team_number}",
                    PASSWORD,
                    role="manager",
                    check_password=False,
                )
                team = accounts.create_team(f"Capacity {run} {team_number}", manager)
                db.session.flush()
                # The team's work is given before its trainees join (as a manager sets up a new
                # team): each assignment would otherwise queue a notification and a mail per
                # trainee, 26,000 of them at 1,000 trainees, which this benchmark does not measure.
                for kind, slugs in (("module", [m[0] for m in modules]), ("scenario", scenarios)):
                    for slug in slugs:
                        assigning.assign(manager, kind, slug, team_id=team.id, due_date=date(2099, 1, 1))
                for n in range(TRAINEES_PER_MANAGER):
                    number = team_number * TRAINEES_PER_MANAGER + n
                    if number >= trainees:
                        break
                    person = accounts.create_user(
                        f"cap-{run}-t{number}@example.com",
                        f"Trainee {number}",
                        PASSWORD,
                        role="trainee",
                        team=team,
                        hire_date=date.today(),
                        check_password=False,
                    )
                    people.append(person.email)
                managers.append(manager.email)
                db.session.commit()
            trainer_email = trainer.email
            # accounts of the warm-up (outside the checked run): a trainee of the first team, a
            # second manager of nothing, a second trainer
            warm = {
                "trainee": accounts.create_user(
                    f"cap-{run}-warm-t@example.com",
                    "Warm trainee",
                    PASSWORD,
                    role="trainee",
                    team=team,
                    hire_date=date.today(),
                    check_password=False,
                ).email,
                "manager": accounts.create_user(
                    f"cap-{run}-warm-m@example.com",
                    "Warm manager",
                    PASSWORD,
                    role="manager",
                    check_password=False,
                ).email,
                "trainer": accounts.create_user(
                    f"cap-{run}-warm-a@example.com",
                    "Warm trainer",
                    PASSWORD,
                    role="trainer",
                    check_password=False,
                ).email,
            }
            db.session.commit()
            db.engine.dispose()
        made = time.perf_counter() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "app": app,
        "env": env,
        "made_seconds": made,
        "warm": warm,
        "accounts": {"trainees": people, "managers": managers, "trainers": [trainer_email]},
        "modules": [(slug, pages) for slug, pages, _quiz in modules if pages],
        "checked_modules": [(slug, pages) for slug, pages, quiz in modules if quiz],
        "scenarios": scenarios,
    }


def draft_revision(app, kind, slug):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import ContentDraft

    with app.app_context():
        revision = db.session.scalar(
            select(ContentDraft.revision).where(ContentDraft.kind == kind, ContentDraft.slug == slug)
        )
        db.engine.dispose()
    return revision or 0


def check_records(app, acks: dict, emails: list, draft_before: int, session_emails=None) -> list[str]:
    """What the database says about everything the server acknowledged: the problems found.
    Sessions are counted for `session_emails` (the simulated people; default `emails`)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import AttemptStep, QuizAttempt, ScenarioAttempt, User, UserSession

    problems = []
    with app.app_context():
        users = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
        ids = list(users.values())
        rows = db.session.execute(
            select(AttemptStep.attempt_id, AttemptStep.seq)
            .join(ScenarioAttempt)
            .where(ScenarioAttempt.user_id.in_(ids))
        ).all()
        recorded: dict = {}
        for key in rows:
            recorded[tuple(key)] = recorded.get(tuple(key), 0) + 1
        lost = sorted(key for key in {tuple(a) for a in acks["steps"]} if not recorded.get(key))
        doubled = sorted(key for key, n in recorded.items() if n > 1)
        attempts = db.session.execute(
            select(ScenarioAttempt.id, ScenarioAttempt.user_id, ScenarioAttempt.step_count).where(
                ScenarioAttempt.user_id.in_(ids)
            )
        ).all()
        by_attempt: dict = {}
        for attempt_id, seq in recorded:
            by_attempt.setdefault(attempt_id, []).append(seq)
        broken = [
            a for a, _u, count in attempts if sorted(by_attempt.get(a, [])) != list(range(1, count + 1))
        ]
        owners = {a: u for a, u, _c in attempts}
        lost_starts = [a for a, email in acks["starts"] if owners.get(a) != users.get(email)]
        quizzes = dict(
            db.session.execute(
                select(QuizAttempt.submission, QuizAttempt.id).where(QuizAttempt.user_id.in_(ids))
            ).all()
        )
        lost_quizzes = [s for s, quiz_id, _e in acks["quizzes"] if quizzes.get(s) != quiz_id]
        doubled_quizzes = db.session.scalar(
            select(func.count()).select_from(
                select(QuizAttempt.submission)
                .where(QuizAttempt.user_id.in_(ids))
                .group_by(QuizAttempt.submission)
                .having(func.count() > 1)
                .subquery()
            )
        )
        counted = [users[e] for e in (session_emails or emails) if e in users]
        sessions = db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id.in_(counted))
        )
        db.engine.dispose()
    if lost or doubled or broken:
        problems.append(
            f"steps: {len(lost)} acknowledged and lost {lost[:5]}, {len(doubled)} doubled {doubled[:5]}, "
            f"{len(broken)} attempts whose steps are not 1..step_count {broken[:5]}"
        )
    if lost_starts:
        problems.append(f"{len(lost_starts)} acknowledged starts not in the database: {lost_starts[:5]}")
    if lost_quizzes or doubled_quizzes:
        problems.append(
            f"knowledge checks: {len(lost_quizzes)} acknowledged and lost, {doubled_quizzes} doubled"
        )
    # a log-in still on its way when the run stopped may be recorded without its answer
    if not acks["logins"] <= sessions <= acks["login_posts"]:
        problems.append(
            f"{acks['logins']} log-ins acknowledged ({acks['login_posts']} sent), "
            f"{sessions} sessions in the database"
        )
    if acks["draft"]:
        after = draft_revision(app, *acks["draft"])
        if after - draft_before != acks["saves"]:
            problems.append(
                f"draft: {acks['saves']} saves acknowledged, revision moved {draft_before} -> {after}"
            )
    return problems


def warm_up(base: str, seconds: float = 120):
    """Wait until every worker has loaded the app (gunicorn binds the port before its workers
    have imported anything): ten quick answers in a row on fresh connections. Then fill each
    worker's per-process caches (templates, compiled content, outline) as a site that has been
    up a while has them: every page kind, by accounts outside the measured run."""
    deadline, quick = time.time() + seconds, 0
    while quick < 10 and time.time() < deadline:
        client = harness.Client(base)
        started = time.perf_counter()
        try:
            status, _, _ = client.get("/healthz")
        except OSError:
            status = 0
        finally:
            client.close()
        quick = quick + 1 if status == 200 and time.perf_counter() - started < 0.5 else 0
        time.sleep(0.05)


def warm_pages(base: str, made: dict, rounds: int):
    def session(email):
        client = harness.Client(base, csrf=True)
        client.login(email, PASSWORD)
        return client

    trainee = session(made["warm"]["trainee"])
    manager = session(made["warm"]["manager"])
    trainer = session(made["warm"]["trainer"])
    for _ in range(rounds):
        for path in ("/learn/", "/learn/progress"):
            trainee.get(path)
        for slug, pages in made["modules"]:
            trainee.get(f"/learn/modules/{slug}")
            trainee.get(f"/learn/modules/{slug}/pages/{pages}")
        for slug, _pages in made["checked_modules"]:
            trainee.get(f"/learn/modules/{slug}/check")
        for slug in made["scenarios"]:
            trainee.get(f"/learn/scenarios/{slug}")
            trainee.post(f"/learn/scenarios/{slug}/start", {})
        manager.get("/manage/")
        manager.get("/manage/analytics")
        trainer.get(f"/author/scenario/{EDITED}/edit")
    for client in (trainee, manager, trainer):
        client.close()


def describe(level: dict) -> str:
    worst = level["worst"]
    kinds = level["kinds"]
    p95s = ", ".join(
        f"{name} {k['p95']:.0f}" for name, k in sorted(kinds.items(), key=lambda kv: -kv[1]["p95"])
    )
    # Which pages the load is made of: with bench.profile_pages' CPU per kind, where a cut pays.
    total = sum(k["requests"] for k in kinds.values()) or 1
    mix = ", ".join(
        f"{name} {100 * k['requests'] / total:.0f}%"
        for name, k in sorted(kinds.items(), key=lambda kv: -kv[1]["requests"])
    )
    return (
        f"  {level.get('phase', '') + ': ' if 'phase' in level else ''}"
        f"{level['trainees']:>5} trainees + {level['managers']} managers + "
        f"trainer: {level['rps']:.0f} req/s over "
        f"{level['seconds']:.0f}s, server {level['server_cores']:.2f} cores "
        f"({1000 * level['server_cores'] / level['rps'] if level['rps'] else 0:.1f} ms CPU a request), "
        f"generator {level['generator_cores']:.2f} cores"
        + (
            f", PostgreSQL {level['database_cores']:.2f} cores "
            f"({1000 * level['database_cores'] / level['rps'] if level['rps'] else 0:.1f} ms a request)"
            if level.get("database_cores") is not None
            else ""
        )
        + f", load {' '.join(map(str, level['load']))}; worst p95 {worst} "
        f"{kinds[worst]['p95'] if worst else 0:.0f} ms; failures {level['failures']} -> "
        f"{'ok' if level['ok'] else 'over the bar'}\n      p95 ms: {p95s}\n      mix: {mix}"
        + ("".join(f"\n      error: {e} x{n}" for e, n in list(level["errors"].items())[:5]))
    )


def drive(plan: dict, tmpdir: str, echo=print) -> tuple[list, dict]:
    """Run the simulated people (a child process) through the ramp; (levels, acknowledgements)."""
    plan_path, result_path = Path(tmpdir) / "plan.json", Path(tmpdir) / "acks.json"
    plan_path.write_text(json.dumps(plan))
    child = subprocess.Popen(
        [harness.PYTHON, "-m", "bench.capacity_users", str(plan_path), str(result_path)],
        cwd=harness.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    levels, noise = [], []
    for line in child.stdout:
        if line.startswith('{"level"'):
            levels.append(json.loads(line)["level"])
            echo(describe(levels[-1]), flush=True)
        elif line.strip():
            noise.append(line.rstrip())
    child.wait()
    if child.returncode or not result_path.exists():
        raise RuntimeError("the simulated people stopped:\n" + "\n".join(noise[-30:]))
    return levels, json.loads(result_path.read_text())


def measure(
    database_url: str,
    levels,
    hold: float,
    settle: float,
    workers: int,
    threads: int,
    tmpdir: str,
    spawn_rate: float = 40,
    echo=print,
):
    run = uuid.uuid4().hex[:6]
    made = prepare(database_url, max(levels), run)
    echo(
        f"accounts: {len(made['accounts']['trainees'])} trainees, "
        f"{len(made['accounts']['managers'])} managers and "
        f"a trainer made in {made['made_seconds']:.1f}s by the real use cases (password hash {CHEAP_HASH})",
        flush=True,
    )
    app = made["app"]
    draft_before = draft_revision(app, "scenario", EDITED)
    env = site_env(database_url, run)
    with harness.serve("app:create_app()", env, workers=workers, threads=threads) as (base, proc):
        warm_up(base)
        warm_pages(base, made, rounds=3 * workers)
        plan = {
            "host": base,
            "password": PASSWORD,
            "accounts": made["accounts"],
            "modules": made["modules"],
            "checked_modules": made["checked_modules"],
            "scenarios": made["scenarios"],
            "edited": EDITED,
            "levels": list(levels),
            "hold": hold,
            "settle": settle,
            "spawn_rate": spawn_rate,
            "p95_bar_ms": P95_BAR_MS,
            "server_masters": [proc.pid],
            "database": database_name(database_url),
        }
        measured, acks = drive(plan, tmpdir, echo)
        log_problems = harness.log_problems(proc.log_path)
    emails = [e for group in made["accounts"].values() for e in group]
    problems = check_records(app, acks, emails, draft_before) + [
        f"server log: {line}" for line in log_problems[:5]
    ]
    return measured, acks, problems, env["RATELIMIT_STORAGE_URI"]


def verdict(
    name: str, measured: list, acks: dict, problems: list, bar: int, note_extra: str = ""
) -> harness.Result:
    result = harness.Result(name)
    measured = [level for level in measured if "phase" not in level]
    served = max((level["trainees"] for level in measured if level["ok"]), default=0)
    above = next((level for level in measured if not level["ok"]), None)
    limit = (
        f"limiting page at {above['trainees']}: {above['worst']} p95 "
        f"{above['kinds'][above['worst']]['p95']:.0f} ms"
        + (f", {above['failures']} failures" if above["failures"] else "")
        if above and above["worst"]
        else "no level over the bar"
    )
    steps = len({tuple(a) for a in acks["steps"]})
    result.lines.append(
        harness.Line(
            f"{name} trainees served",
            served,
            bar,
            "trainees",
            f">= {bar}",
            served >= bar,
            f"{limit}; {steps} steps, {len(acks['quizzes'])} checks, {acks['saves']} drafts "
            f"acknowledged, each once in the database{note_extra}",
        )
    )
    result.problems += problems
    return result


def run(quick: bool = False, levels=None, hold=None, workers=WORKERS, threads=THREADS) -> harness.Result:
    levels = levels or (QUICK_LEVELS if quick else LEVELS)
    hold = hold or (10 if quick else 45)
    with tempfile.TemporaryDirectory() as tmpdir:
        database = harness.default_database(tmpdir)
        print(
            f"B6: gunicorn {workers} workers x {threads} threads, levels "
            f"{', '.join(map(str, levels))} trainees "
            f"(+1 manager per {TRAINEES_PER_MANAGER}, +1 trainer), think 3-8 s, hold {hold:g}s each; "
            f"{harness.database_kind(database)}",
            flush=True,
        )
        measured, acks, problems, store = measure(
            database, levels, hold, 3 if quick else 10, workers, threads, tmpdir
        )
    bar = QUICK_LEVELS[-1] if quick else BAR_TRAINEES
    return verdict(
        "B6",
        measured,
        acks,
        problems,
        bar,
        f"; {workers}x{threads} gunicorn, limits in {store.split(':')[0]}",
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", default=",".join(map(str, LEVELS)), help="trainee counts of the ramp")
    ap.add_argument("--hold", type=float, default=45, help="seconds measured at each level")
    ap.add_argument("--workers", type=int, default=WORKERS)
    ap.add_argument("--threads", type=int, default=THREADS)
    args = ap.parse_args(argv)
    levels = tuple(int(n) for n in args.levels.split(","))
    return run(levels=levels, hold=args.hold, workers=args.workers, threads=args.threads).print()


if __name__ == "__main__":
    sys.exit(main())
