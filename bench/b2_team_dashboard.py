"""B2: the manager's team dashboard with 500 trainees x 60 modules x 20 attempts each, against
the same page with 10 trainees and a bare SQL aggregate route (bench/b2_wsgi.py), under the
common harness: gunicorn (2 sync workers) on a free loopback port, keep-alive clients, a
warm-up, then the three targets in turn, median of three rounds.

    .venv/bin/python -m bench.b2_team_dashboard [--quick]

Bars (docs/performance.md): SQL statements per request the same at 500 as at 10 and <= 10;
p95 of the 500-trainee page <= 3x the bare aggregate's p95. Any 5xx, "database is locked" or
Traceback in the gunicorn log fails the run whatever the ratios.

Data: generated fresh by bench/b2_generate.py (a few seconds) in a temporary SQLite file, or,
when DATABASE_URL is set, in a scratch PostgreSQL database `<name>_b2` on the same server,
dropped at the end. After the bulk load the planner statistics are refreshed (ANALYZE; VACUUM
ANALYZE on PostgreSQL), as autovacuum would do on a live database; target and references read
the same database."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import urllib.parse
from contextlib import contextmanager

from bench import harness

NAME = "B2 team dashboard"
CONNECTIONS = 2


# --- the database ----------------------------------------------------------------------------


@contextmanager
def scratch_database(tmpdir: str):
    """A database URL to generate into: a SQLite file in tmpdir, or a fresh PostgreSQL database
    next to DATABASE_URL's (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmpdir}/b2.db"
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = (parts.path.lstrip("/") or "postgres") + "_b2"
    admin = urllib.parse.urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    scratch = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))

    def admin_run(sql):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    admin_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_run(f'CREATE DATABASE "{name}"')
    try:
        yield scratch
    finally:
        admin_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def refresh_statistics(url: str):
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()


def count_statements(url: str) -> dict:
    """SQL statements of one (warm) request to the page, per team size, in-process on the same database."""
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 40)
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from bench.b2_generate import PASSWORD
    from config import DevelopmentConfig

    app = create_app(
        DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False
    )
    out = {}
    for label in ("small", "big"):
        client = app.test_client()
        client.post("/login", data={"email": f"b2-{label}@example.com", "password": PASSWORD})
        client.get("/manage/")  # warm the outline cache
        seen = []
        with app.app_context():
            listener = lambda *a, seen=seen: seen.append(a[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                response = client.get("/manage/")
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        if response.status_code != 200:
            raise RuntimeError(f"/manage/ for the {label} team answered {response.status_code}")
        out[label] = len(seen)
    with app.app_context():
        db.engine.dispose()
    return out


# --- the load --------------------------------------------------------------------------------


def log_problems(proc) -> list:
    with open(proc.log_path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    return [line for line in text.splitlines() if "database is locked" in line or "Traceback" in line]


def run(quick: bool = False) -> harness.Result:
    from bench.b2_generate import PASSWORD, generate
    from config import normalise_database_url

    requests = 20 if quick else 60  # per connection per round
    rounds = 3
    result = harness.Result(NAME)
    with tempfile.TemporaryDirectory() as tmpdir, scratch_database(tmpdir) as url:
        sa_url = normalise_database_url(url)
        generate(sa_url)  # 500 x 60 x 20 and 10 x 60 x 20: seconds
        refresh_statistics(sa_url)
        counts = count_statements(sa_url)
        env = harness.bench_env(url)
        with harness.gunicorn("bench.b2_wsgi:app", env, workers=2) as (base, proc):
            targets = {}
            for name, email, path in (
                ("page-500", "b2-big@example.com", "/manage/"),
                ("page-10", "b2-small@example.com", "/manage/"),
                ("aggregate-500", "b2-big@example.com", "/bench/aggregate"),
            ):
                clients = [harness.Client(base) for _ in range(CONNECTIONS)]
                for client in clients:
                    client.login(email, PASSWORD)
                targets[name] = (clients, path)

            def action_for(path):
                def action(client, _i):
                    status, _, _ = client.get(path)
                    return status

                return action

            for clients, path in targets.values():  # warm-up: caches, connections, parsed texts
                harness.run_load(clients, action_for(path), 5)
            loads = {name: [] for name in targets}
            for _ in range(rounds):  # in turn, within each round
                for name, (clients, path) in targets.items():
                    loads[name].append(harness.run_load(clients, action_for(path), requests))
            for clients, _ in targets.values():
                for client in clients:
                    client.close()
            result.problems += log_problems(proc)

    for name, runs in loads.items():
        bad = {status: n for load in runs for status, n in load.statuses.items() if status != 200}
        if bad:
            result.problems.append(f"{name}: answers other than 200: {bad}")
    p95 = {name: harness.median([load.p(0.95) for load in runs]) * 1000 for name, runs in loads.items()}
    p50 = {name: harness.median([load.p(0.50) for load in runs]) * 1000 for name, runs in loads.items()}
    database = "postgresql" if url.startswith("postgres") else "sqlite"
    result.lines = [
        harness.Line(
            "B2 SQL statements/request",
            counts["big"],
            counts["small"],
            "stmts",
            "= ref, <= 10",
            counts["big"] == counts["small"] <= 10,
            note="500 trainees vs 10 trainees",
        ),
        harness.Line(
            "B2 dashboard p95 (500)",
            p95["page-500"],
            p95["aggregate-500"],
            "ms",
            "<= 3x",
            p95["page-500"] <= 3 * p95["aggregate-500"],
            note=f"{database}; page-10 p95 {p95['page-10']:.1f} ms; p50 page-500 {p50['page-500']:.1f} / "
            f"aggregate {p50['aggregate-500']:.1f} ms; {rounds} x {CONNECTIONS * requests} requests"
            + ("; quick" if quick else ""),
        ),
    ]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests per round (same data)")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    for line in result.lines:
        print(line.format())
    for problem in result.problems[:20]:
        print("  problem:", problem)
    print(f"{NAME}: " + ("ok" if result.ok else "short" if not result.problems else "FAILED"))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
