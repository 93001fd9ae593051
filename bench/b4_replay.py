"""B4: the same step POST replayed by 16 connections at once (a storm of double clicks,
replays and second tabs), against B1's step throughput measured in the same run.

Each burst: 16 keep-alive connections sharing one trainee's session wait on a barrier, then
all POST the same (attempt, seq, choice) and GET where they are sent. Exactly one step must be
recorded per burst; the others are answered with the current state.

    .venv/bin/python -m bench b4 [--quick]
    .venv/bin/python -m bench.b4_replay [--connections 16] [--bursts 40] [--quick]

Bar: exactly one step per burst, no 5xx, no "database is locked"; replay throughput >= 0.8 x B1."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time

from bench import harness
from bench.b1_step import Player, check_records, prepare, server_log_problems, timed_steps


def bursts(base, email, connections, count):
    """`count` bursts of `connections` identical step POSTs; returns (Load, steps expected)."""
    leader = Player(base, email)
    leader.start()
    clients = [harness.Client(base) for _ in range(connections)]
    for c in clients:
        c.cookies = dict(leader.client.cookies)
    load = harness.Load()
    expected = 0
    for _ in range(count):
        barrier = threading.Barrier(connections)
        results = [None] * connections
        attempt, seq = leader.attempt, leader.seq

        def fire(i, barrier=barrier, results=results, attempt=attempt, seq=seq):
            client = clients[i]
            barrier.wait()
            started = time.perf_counter()
            status, page, headers = client.post(f"/learn/attempts/{attempt}/step", {"seq": seq, "choice": 1})
            if status in (302, 303):  # POST/redirect/GET; a step answered 200 carries its page
                status, page, _ = client.get(headers["Location"])
            results[i] = (status, time.perf_counter() - started, page)

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(connections)]
        begun = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load.seconds += time.perf_counter() - begun
        expected += 1
        for status, latency, _page in results:
            load.latencies.append(latency)
            load.statuses[status] = load.statuses.get(status, 0) + 1
        leader.seq += 1
        if any(b"See your debrief" in page for _s, _l, page in results):
            leader.attempt_ended()
            leader.start()
        else:  # a prospect's reaction to read first: Continue, untimed
            _, page, _ = leader.client.get(f"/learn/attempts/{leader.attempt}")
            match = re.search(rb'name="seq" value="(\d+)"', page)
            while match and b"data-choice=" not in page:
                leader.client.post(f"/learn/attempts/{leader.attempt}/step", {"seq": int(match.group(1))})
                expected += 1  # a Continue is a recorded step too
                _, page, _ = leader.client.get(f"/learn/attempts/{leader.attempt}")
                match = re.search(rb'name="seq" value="(\d+)"', page)
            if match:
                leader.seq = int(match.group(1))
    for c in clients:
        c.close()
    return load, expected


def run(
    quick: bool = False,
    connections: int = 16,
    bursts_per_round: int | None = None,
    clients: int | None = None,
    seconds: float | None = None,
    rounds: int | None = None,
) -> harness.Result:
    """B4 for `python -m bench`: quick = 10 bursts and 2 s of B1 per round, one round; else 40
    bursts, 5 s and the median of 3."""
    bursts_per_round = bursts_per_round or (10 if quick else 40)
    clients = clients or (4 if quick else 8)
    seconds = seconds or (2.0 if quick else 5.0)
    rounds = rounds or (1 if quick else 3)
    result = harness.Result("B4")
    with tempfile.TemporaryDirectory() as tmpdir:
        env, emails, app = prepare(tmpdir, clients + rounds + 1)
        replay_emails, b1_emails = emails[: rounds + 1], emails[rounds + 1 :]
        print(
            f"B4 replayed step: gunicorn 2 sync workers, {connections} connections x "
            f"{bursts_per_round} bursts, "
            f"{rounds} round(s), database {harness.database_kind(env['DATABASE_URL'])}; "
            f"reference B1 with {clients} clients, {seconds:g}s per round"
        )
        replays, steps, expected = [], [], {}
        with harness.gunicorn("app:create_app()", env) as (base, proc):
            players = [Player(base, e) for e in b1_emails]
            for p in players:
                p.start()
            timed_steps(players, 1.0)
            bursts(base, replay_emails[0], connections, 5)  # warm-up
            for r in range(rounds):
                steps.append(timed_steps(players, seconds))
                load, n = bursts(base, replay_emails[r + 1], connections, bursts_per_round)
                replays.append(load)
                expected[replay_emails[r + 1]] = n
            problems = server_log_problems(proc)
        recorded = {}
        for email in expected:
            recorded[email] = check_records(app, [email])
    replay_rps = harness.median([burst.throughput for burst in replays])
    step_rps = harness.median([s.throughput for s in steps])
    errors = sum(burst.server_errors for burst in replays) + sum(s.server_errors for s in steps)
    result.lines.append(
        harness.Line(
            "B4 replayed POST throughput",
            replay_rps,
            step_rps,
            "posts/s",
            ">= 0.8x B1",
            replay_rps >= 0.8 * step_rps,
            note=f"p95 {harness.median([burst.p(0.95) for burst in replays]) * 1000:.0f} ms; "
            "a post = the POST, + the GET it redirects to if any",
        )
    )
    print(
        "  rounds: replays/s "
        + ", ".join(f"{burst.throughput:.0f}" for burst in replays)
        + "; B1 steps/s "
        + ", ".join(f"{s.throughput:.0f}" for s in steps)
    )
    for email, n in expected.items():
        total, problems_ = recorded[email]
        print(
            f"  {n} bursts of {connections} -> {total} steps recorded"
            + (f"; {problems_[:3]}" if problems_ else "")
        )
        if total != n:
            result.problems.append(
                f"{n} bursts of {connections} identical posts recorded {total} steps, not {n}"
            )
        result.problems += problems_[:5]
    if errors:
        result.problems.append(f"{errors} server errors (5xx)")
    result.problems += [f"server log: {p}" for p in problems[:5]]
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--bursts", type=int, default=40)
    ap.add_argument("--clients", type=int, default=8, help="B1 reference clients")
    ap.add_argument("--seconds", type=float, default=5.0, help="B1 reference seconds per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        result = run(True, connections=args.connections)
    else:
        result = run(False, args.connections, args.bursts, args.clients, args.seconds, args.rounds)
    for line in result.lines:
        print(line.format())
    for problem in result.problems:
        print("PROBLEM", problem)
    print(
        "B4 "
        + ("FAILED (records or errors)" if result.problems else ("PASS" if result.ok else "SHORT of the bar"))
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
