"""`python -m app.content lint|test|graph`: the content commands without Flask."""

from __future__ import annotations

import argparse
import sys

from .commands import run_graph, run_lint, run_test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.content", description="Lint, play-test and draw Petits Pas content."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    lint = sub.add_parser("lint", help="check files against the content format")
    lint.add_argument("--root", default=".", help="folder holding courses/ and scenarios/")
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    lint.add_argument("paths", nargs="*")
    test = sub.add_parser("test", help="play-test scenarios")
    test.add_argument("--root", default=".")
    test.add_argument("--random", type=int, default=0, metavar="N", help="also play N seeded random games")
    test.add_argument("--seed", type=int, default=0)
    test.add_argument("paths", nargs="*")
    graph = sub.add_parser("graph", help="print a scenario's Mermaid flowchart")
    graph.add_argument("--root", default=".")
    graph.add_argument("id")
    args = parser.parse_args(argv)
    if args.command == "lint":
        return run_lint(args.root, args.paths, args.strict)
    if args.command == "test":
        return run_test(args.root, args.paths, args.random, args.seed)
    return run_graph(args.root, args.id)


if __name__ == "__main__":
    sys.exit(main())
