"""B2: the manager's team dashboard with 500 trainees x 60 modules x 20 attempts each, against
the same page with 10 trainees and a bare SQL aggregate route, under gunicorn (2 workers) on
loopback. Bars (docs/performance.md): SQL statements per request the same at 500 as at 10 and
<= 10; p95 of the 500-trainee page <= 3x the bare aggregate's.

    .venv/bin/python -m bench.b2_team_dashboard [--db /tmp/petitspas-b2.db] [--requests 60] [--concurrency 2]

Generates the data first if the database is empty (bench/b2_generate.py). Any 5xx fails."""
import argparse
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PORT = 5199


def count_statements(url):
    """SQL statements of one request to each target, in-process on the same database."""
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from config import DevelopmentConfig
    from bench.b2_generate import PASSWORD
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    out = {}
    for label in ("small", "big"):
        client = app.test_client()
        client.post("/login", data={"email": f"b2-{label}@example.com", "password": PASSWORD})
        client.get("/manage/")
        seen = []
        with app.app_context():
            listener = lambda *a: seen.append(a[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            response = client.get("/manage/")
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200, response.status_code
        out[label] = len(seen)
    return out


def login(email, password):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urlencode({"email": email, "password": password, "csrf_token": token})
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                       "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def load(path, cookie, requests, concurrency):
    """`requests` GETs over `concurrency` keep-alive connections: (latencies, 5xx count, wall time)."""
    latencies, errors = [], []
    per_worker = requests // concurrency

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        for _ in range(per_worker):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != 200:
                errors.append(response.status)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start


def p95(values):
    values = sorted(values)
    return values[max(0, int(round(0.95 * len(values))) - 1)]


def main():
    parser = argparse.ArgumentParser(description="B2 team dashboard benchmark")
    parser.add_argument("--db", default="/tmp/petitspas-b2.db")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.abspath(args.db)
    from bench.b2_generate import PASSWORD, generate
    from config import normalise_database_url
    generate(normalise_database_url(url))
    counts = count_statements(normalise_database_url(url))

    env = dict(os.environ, DATABASE_URL=url, APP_ENV="production", SECRET_KEY=secrets.token_hex(32),
               SESSION_COOKIE_SECURE="false", REMEMBER_COOKIE_SECURE="false", RATELIMIT_ENABLED="false")
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}",
                               "--log-level", "warning", "bench.b2_wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/login")
                break
            except OSError:
                time.sleep(0.1)
        big, small = login("b2-big@example.com", PASSWORD), login("b2-small@example.com", PASSWORD)
        targets = {"page-500": ("/manage/", big), "page-10": ("/manage/", small),
                   "aggregate-500": ("/bench/aggregate", big)}
        for path, cookie in targets.values():                     # warm-up: caches, connections
            load(path, cookie, 4 * args.concurrency, args.concurrency)
        results = {name: [] for name in targets}
        failures = []
        for _ in range(args.rounds):
            for name, (path, cookie) in targets.items():          # in turn, within each round
                latencies, errors, wall = load(path, cookie, args.requests, args.concurrency)
                failures += errors
                results[name].append((p95(latencies), statistics.median(latencies), len(latencies) / wall))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"B2 team dashboard: {args.requests} requests x {args.rounds} rounds, {args.concurrency} connections, "
          f"gunicorn 2 workers, {url.split(':')[0]}")
    summary = {}
    for name, runs in results.items():
        summary[name] = {"p95": statistics.median(r[0] for r in runs), "median": statistics.median(r[1] for r in runs),
                         "rps": statistics.median(r[2] for r in runs)}
        s = summary[name]
        print(f"  {name:14} p95 {1000 * s['p95']:7.1f} ms  median {1000 * s['median']:7.1f} ms  {s['rps']:6.1f} req/s")
    ratio = summary["page-500"]["p95"] / summary["aggregate-500"]["p95"]
    print(f"  SQL statements per request: {counts['small']} at 10 trainees, {counts['big']} at 500 (bar: equal and <= 10)")
    print(f"  p95 page-500 / aggregate-500 = {ratio:.2f} (bar <= 3.0); page-500 / page-10 = "
          f"{summary['page-500']['p95'] / summary['page-10']['p95']:.2f}")
    ok = not failures and counts["small"] == counts["big"] <= 10 and ratio <= 3.0
    print("  errors:", failures or "none")
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
