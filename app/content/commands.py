"""The content commands, as plain functions the CLI (`python -m app.content`) and the Flask
CLI (`flask content lint|test|graph`) both call. Each writes to `out` and returns an exit code.
"""

from __future__ import annotations

import sys
from typing import TextIO

from . import branching
from .catalog import ContentSet
from .graph import mermaid
from .model import Scenario
from .playtest import format_report, test_scenario


def run_lint(
    root: str = ".", paths: list[str] | None = None, strict: bool = False, out: TextIO | None = None
) -> int:
    """Print `PATH:LINE: CODE message` lines; 1 on an error (or, with strict, a warning)."""
    out = out or sys.stdout
    content = ContentSet.load(root)
    findings = content.findings(paths or None)
    for f in findings:
        print(f.format(), file=out)
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    files = len(content.select(paths or None))
    print(f"{files} files, {errors} errors, {warnings} warnings", file=out)
    return 1 if errors or (strict and warnings) else 0


def run_test(
    root: str = ".", paths: list[str] | None = None, games: int = 0, seed: int = 0, out: TextIO | None = None
) -> int:
    """Play every selected scenario; 1 on any failure (lint errors count as failures)."""
    out = out or sys.stdout
    content = ContentSet.load(root)
    failed = played = 0
    for loaded in content.select(paths or None):
        if loaded.kind != "scenario":
            continue
        played += 1
        errors = [f for f in loaded.findings if f.is_error]
        if not isinstance(loaded.value, Scenario) or errors:  # None: unreadable
            failed += 1
            print(f"{loaded.path}: FAILED (lint errors; fix them first)", file=out)
            for f in errors:
                print(f"  {f.format()}", file=out)
            continue
        report = test_scenario(loaded.value, games, seed)
        failed += not report.ok
        print(format_report(report), file=out)
        print(f"  {branching.measure(loaded.value).describe()}", file=out)
    print(f"{played} scenarios played, {failed} failed", file=out)
    return 1 if failed else 0


def run_graph(root: str = ".", scenario_id: str = "", out: TextIO | None = None) -> int:
    """Print the Mermaid flowchart of one scenario."""
    out = out or sys.stdout
    content = ContentSet.load(root)
    scenario = content.scenarios.get(scenario_id)
    if scenario is None:
        print(f"unknown scenario `{scenario_id}`", file=out)
        return 1
    print(mermaid(scenario), file=out)
    return 0
