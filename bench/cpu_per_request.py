"""Where B1's time goes, steadier than throughput: CPU per request of one gunicorn worker
(utime + stime from /proc) and of the client, for a scenario step and for the hello-world,
requests sent one at a time. Not a bar; a probe for tuning the step path.

    .venv/bin/python -m bench.cpu_per_request [--steps 2000]"""

import argparse
import os
import tempfile
import time

from bench import b1_step, harness


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        env, emails, _app = b1_step.prepare(tmpdir, 1)
        with (
            harness.gunicorn("app:create_app()", env, workers=1) as (base, proc),
            harness.gunicorn("bench.b1_step:hello", env, workers=1) as (hello_base, hello_proc),
        ):
            player = b1_step.Player(base, emails[0])
            player.start()
            hello = harness.Client(hello_base)
            for _ in range(200):  # warm-up
                player.ended = False
                player.step()
                if player.ended:
                    player.start()
                hello.get("/hello")
            server, client, restarts = worker_cpu(proc.pid), time.process_time(), 0.0
            for _ in range(args.steps):
                player.ended = False
                player.step()
                if player.ended:  # restarts are not steps
                    s, c = worker_cpu(proc.pid), time.process_time()
                    player.start()
                    restarts += worker_cpu(proc.pid) - s
                    client += time.process_time() - c
            step_server = (worker_cpu(proc.pid) - server - restarts) / args.steps
            step_client = (time.process_time() - client) / args.steps
            server, client = worker_cpu(hello_proc.pid), time.process_time()
            for _ in range(args.steps * 3):
                hello.get("/hello")
            hello_server = (worker_cpu(hello_proc.pid) - server) / (args.steps * 3)
            hello_client = (time.process_time() - client) / (args.steps * 3)
    print(f"step : server {step_server * 1000:.3f} ms CPU, client {step_client * 1000:.3f} ms")
    print(f"hello: server {hello_server * 1000:.3f} ms CPU, client {hello_client * 1000:.3f} ms")
    print(
        f"server-side ratio {hello_server / step_server:.3f}; with the client "
        f"{(hello_server + hello_client) / (step_server + step_client):.3f} (B1's bar: 0.30)"
    )


if __name__ == "__main__":
    main()
