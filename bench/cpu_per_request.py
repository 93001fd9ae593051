"""Where B1's time goes, steadier than throughput: CPU per request of one gunicorn worker
(utime + stime from /proc) and of the client, for a role-play step and for the hello-world,
requests sent one at a time. Not a bar; a probe for tuning the step path.

A step is what B1 times (b1_step.Player): one accepted step POST (a choice, a sheet, a pick:
answered with its feedback; a Continue: with the next scene), plus the GET of a redirect. The
player posts what each scene offers, as a trainee does, through every published scenario;
the scene read after a feedback, the starts and any refused post are measured apart. The app
is served through bench/b5_wsgi.py, whose X-Bench-CPU header splits the worker's CPU by kind
of request (the app's share, from its WSGI call to its headers; the rest of the /proc figure
is gunicorn's HTTP handling and the body written out).

    .venv/bin/python -m bench.cpu_per_request [--steps 2000]"""

import argparse
import os
import tempfile
import time
from collections import defaultdict

from bench import b1_step, harness

BENCH = os.path.dirname(os.path.abspath(__file__))


def worker_cpu(master_pid):
    """Seconds of CPU used so far by the children (workers) of a gunicorn master."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class Tally:
    """The app's CPU (X-Bench-CPU) of each request the player sends, by what it was for."""

    def __init__(self, player):
        self.purpose = "start"
        self.ms = defaultdict(list)
        for client in player.clients:
            client.request = self._wrap(client.request)

    def _wrap(self, request):
        def measured(method, path, form=None):
            status, body, headers = request(method, path, form)
            kind = f"{self.purpose}: {method} {'step' if path.endswith('/step') else 'page'} {status}"
            self.ms[kind].append(float(headers.get("X-Bench-CPU", "nan")))
            return status, body, headers

        return measured


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        env, emails, app = b1_step.prepare(tmpdir, 1)
        scenarios = b1_step.scenarios_of(app)
        with (
            harness.serve("b5_wsgi:application", env, workers=1, pythonpath=BENCH) as (base, proc),
            harness.gunicorn("bench.b1_step:hello", env, workers=1) as (hello_base, hello_proc),
        ):
            player = b1_step.Player(base, emails[0], scenarios)
            tally = Tally(player)
            player.start()
            hello = harness.Client(hello_base)

            def untimed(action):
                """CPU of `action` (server, client), to take off the steps' figures."""
                s, c = worker_cpu(proc.pid), time.process_time()
                action()
                return worker_cpu(proc.pid) - s, time.process_time() - c

            def play(count):
                server = client = 0.0
                while player.steps < count:
                    tally.purpose = "scene after a feedback"
                    s, c = untimed(player.read_scene)
                    tally.purpose = "start"
                    if player.ended:
                        s2, c2 = untimed(player.start)
                        s, c = s + s2, c + c2
                    server, client = server + s, client + c
                    tally.purpose = "step"
                    before = player.steps
                    s, c = worker_cpu(proc.pid), time.process_time()
                    player.step()
                    if player.steps == before:  # refused: not a step
                        server += worker_cpu(proc.pid) - s
                        client += time.process_time() - c
                        tally.ms["refused"].append(0.0)
                return server, client

            play(200)  # warm-up
            for kind in tally.ms.values():
                kind.clear()
            player.steps, player.refused, player.kinds = 0, 0, {}
            server, client = worker_cpu(proc.pid), time.process_time()
            not_steps = play(args.steps)
            step_server = (worker_cpu(proc.pid) - server - not_steps[0]) / args.steps
            step_client = (time.process_time() - client - not_steps[1]) / args.steps
            server, client = worker_cpu(hello_proc.pid), time.process_time()
            for _ in range(args.steps * 3):
                hello.get("/hello")
            hello_server = (worker_cpu(hello_proc.pid) - server) / (args.steps * 3)
            hello_client = (time.process_time() - client) / (args.steps * 3)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(player.kinds.items()))
    print(f"{args.steps} steps over {len(scenarios)} scenarios ({kinds}); {player.refused} posts refused")
    print(f"step : server {step_server * 1000:.3f} ms CPU, client {step_client * 1000:.3f} ms")
    print(f"hello: server {hello_server * 1000:.3f} ms CPU, client {hello_client * 1000:.3f} ms")
    print(
        f"server-side ratio {hello_server / step_server:.3f}; with the client "
        f"{(hello_server + hello_client) / (step_server + step_client):.3f} (B1's guard: 0.20)"
    )
    print("the app's CPU by request (X-Bench-CPU, ms): count, median, mean")
    for kind, values in sorted(tally.ms.items()):
        if kind != "refused" and values:
            ordered = sorted(values)
            mean = sum(values) / len(values)
            print(f"  {kind:<40} {len(values):>6} {ordered[len(ordered) // 2]:>8.2f} {mean:>8.2f}")


if __name__ == "__main__":
    main()
