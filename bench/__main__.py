"""Run the benchmarks of docs/performance.md and judge them against their bars.

    .venv/bin/python -m bench all [--quick]
    .venv/bin/python -m bench b1 b3 b5 [--quick] [--rev REV]
    .venv/bin/python -m bench memory

Each benchmark module exposes `run(quick=False) -> harness.Result`; this prints one line per
figure (figure, reference, ratio, bar, ok or short), the problems that fail a run whatever the
ratios (a 5xx, a lost or doubled record, "database is locked"), and a summary. Exit code 0 only
if every line is ok and there is no problem. Machines here are shared and noisy: compare the
figures of one run with each other, never across runs."""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import datetime

from bench import harness

# name -> (candidate modules, function); the first module that has the function is used
BENCHMARKS = {
    "b1": (("bench.b1_step",), "run"),
    "b2": (("bench.b2_team_dashboard",), "run"),
    "b3": (("bench.b3_content",), "run"),
    "b4": (("bench.b4_replay",), "run"),
    "b5": (("bench.b5_journeys",), "run"),
    "memory": (("bench.b5_journeys",), "run_memory"),
    "capacity": (("bench.capacity",), "run"),
    "multihost": (("bench.multihost",), "run"),
}
ALL = ("b1", "b2", "b3", "b4", "b5", "memory")


def find(name):
    """(callable, None) or (None, why it cannot run)."""
    modules, function = BENCHMARKS[name]
    why = []
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # a module being edited may not even import
            why.append(f"{module_name} does not import ({type(error).__name__}: {error})")
            continue
        fn = getattr(module, function, None)
        if callable(fn):
            return fn, None
        why.append(f"{module_name} has no {function}(quick) yet")
    return None, "; ".join(why)


def call(fn, quick, rev):
    params = inspect.signature(fn).parameters
    kwargs = {"rev": rev} if "rev" in params and rev else {}
    if "quick" in params or len(params) >= 1:
        return fn(quick, **kwargs)
    return fn(**kwargs)


def header(names, quick, rev):
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=harness.ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        sha, dirty = "?", ""
    print(
        "Petits Pas benchmarks "
        f"{' '.join(names)}{' --quick' if quick else ''}{f' --rev {rev}' if rev else ''}"
        f"  ({datetime.now():%Y-%m-%d %H:%M}, git {sha}{' + uncommitted changes' if dirty else ''})"
    )
    print(f"machine:  {harness.machine()}; Python {platform.python_version()}")
    print(f"database: {harness.database_kind()}")
    print("columns:  figure, reference, ratio, bar, ok or short")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument(
        "names",
        nargs="+",
        metavar="NAME",
        help="all ("
        + ", ".join(ALL)
        + "), or any of "
        + ", ".join(BENCHMARKS)
        + " (capacity and multihost take minutes each: not in all)",
    )
    ap.add_argument("--quick", action="store_true", help="smaller counts and shorter rounds (a smoke run)")
    ap.add_argument(
        "--rev",
        default=None,
        help="B5: the revision to compare with (default: the previous tag, "
        "else the previous commit that touched app/)",
    )
    args = ap.parse_args(argv)
    names = []
    for name in args.names:
        name = name.lower()
        if name == "all":
            names += [n for n in ALL if n not in names]
        elif name in BENCHMARKS:
            if name not in names:
                names.append(name)
        else:
            ap.error(f"unknown benchmark {name!r}: choose all, or any of {', '.join(BENCHMARKS)}")
    header(names, args.quick, args.rev)

    lines, problems, summary = [], [], []
    for name in names:
        print(f"\n== {name} ==", flush=True)
        fn, why = find(name)
        if fn is None:
            print(f"{name}: cannot run: {why}")
            problems.append(f"{name}: not run ({why})")
            summary.append(f"{name} not run")
            continue
        saved_env = dict(os.environ)  # benchmarks set DATABASE_URL & co. for their own run
        started = time.perf_counter()
        try:
            result = call(fn, args.quick, args.rev)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a broken benchmark fails the run, with its reason
            last = traceback.format_exception(error)[-3:]
            print(f"{name}: failed with {type(error).__name__}: {error}".rstrip())
            print("".join("    " + line for line in "".join(last).splitlines(True)[-6:]), end="")
            problems.append(
                f"{name}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            )
            summary.append(f"{name} crashed")
            continue
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
        if not isinstance(result, harness.Result):
            problems.append(f"{name}: run() returned {type(result).__name__}, not a harness.Result")
            summary.append(f"{name} no result")
            continue
        for line in result.lines:
            print(line.format())
        for problem in result.problems:
            print(f"PROBLEM {name}: {problem}")
        lines += result.lines
        problems += [f"{name}: {p}" for p in result.problems]
        short = sum(1 for line in result.lines if not line.ok)
        summary.append(
            f"{name} {'ok' if result.ok else ('short' if not result.problems else 'FAILED')}"
            f" ({len(result.lines)} lines{f', {short} short' if short else ''}"
            f"{f', {len(result.problems)} problems' if result.problems else ''}, "
            f"{time.perf_counter() - started:.0f}s)"
        )

    ok = bool(lines) and not problems and all(line.ok for line in lines)
    print()
    if problems:
        print("Problems (each fails the run):")
        for p in problems:
            print(f"  {p}")
    short = sum(1 for line in lines if not line.ok)
    print(
        f"SUMMARY: {'PASS' if ok else 'FAIL'}: {len(lines)} lines, {len(lines) - short} ok, {short} short, "
        f"{len(problems)} problems | " + "; ".join(summary)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
