"""Purity, serialization, graphs and the command functions."""

import ast
import io
import json
import os
import subprocess
import sys

from app.content.commands import run_graph, run_lint, run_test
from app.content.graph import graph_data, mermaid
from app.content.parse import parse_course, parse_module, parse_scenario
from app.content.serialize import course_from_json, module_from_json, scenario_from_json, to_json
from tests.content.samples import BASE, ROOT, read

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "..", "app", "content")
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "jinja2")


def test_no_framework_import_in_source():
    for name in os.listdir(PACKAGE):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(PACKAGE, name), encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        for node in ast.walk(tree):
            mods = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for mod in mods:
                assert mod.split(".")[0] not in FORBIDDEN, f"{name} imports {mod}"


def test_no_framework_module_loaded():
    # app/__init__.py is the Flask factory; stand in an empty `app` package so that only
    # what app.content itself imports is measured.
    app_dir = os.path.abspath(os.path.join(PACKAGE, ".."))
    code = (
        "import sys, types; pkg = types.ModuleType('app'); pkg.__path__ = "
        f"[{app_dir!r}]; sys.modules['app'] = pkg;"
        "import app.content, app.content.__main__, app.content.render, app.content.serialize, "
        "app.content.playtest, app.content.graph;"
        f"print(','.join(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=os.path.join(PACKAGE, "..", ".."),
        check=True,
    )
    assert out.stdout.strip() == ""


def test_round_trip():
    s, _ = parse_scenario(read("scenarios", "fifteen-percent.md"), "fifteen-percent.md")
    again = scenario_from_json(json.loads(json.dumps(to_json(s))))
    assert again == s and again.node("batna").choices[1].effects.condition == "discovery >= 4"
    path = os.path.join(ROOT, "courses", "demo-course", "01-reading-signals.md")
    m, _ = parse_module(read("courses", "demo-course", "01-reading-signals.md"), path)
    assert module_from_json(json.loads(json.dumps(to_json(m)))) == m
    path = os.path.join(ROOT, "courses", "demo-course", "course.md")
    c, _ = parse_course(read("courses", "demo-course", "course.md"), path)
    assert course_from_json(json.loads(json.dumps(to_json(c)))) == c


def test_graph():
    text = BASE + "\n## orphan\n\n- [x](#nowhere)\n  > f\n\n## stub\n"
    s, _ = parse_scenario(text, "demo.md")
    data = graph_data(s)
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    assert kinds == {
        "opening": "phase",
        "trade": "choice",
        "closing": "goto",
        "end-win": "ending",
        "end-loss": "ending",
        "orphan": "choice",
        "stub": "choice",
    }
    flags = {n["id"]: (n["reachable"], n["deadend"]) for n in data["nodes"]}
    assert flags["orphan"] == (False, False) and flags["stub"] == (False, True)
    assert {"source": "closing", "target": "end-win", "label": "margin >= 5", "kind": "goto"} in data["edges"]
    chart = mermaid(s)
    assert chart.startswith("flowchart TD")
    assert 'n_end_win(["end-win: win"])' in chart and 'n_closing{"closing"}' in chart
    assert "class n_stub deadend" in chart and "unreachable" in chart and "#gt;=" in chart


def test_run_lint(tmp_path):
    out = io.StringIO()
    assert run_lint(ROOT, [], False, out) == 0
    assert "3 files, 0 errors, 0 warnings" in out.getvalue()
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "courses" / "demo-course").mkdir(parents=True)
    (tmp_path / "courses" / "demo-course" / "course.md").write_text(
        read("courses", "demo-course", "course.md")
    )
    (tmp_path / "scenarios" / "demo.md").write_text(BASE.replace(" `get volume 3`", ""))
    out = io.StringIO()
    assert run_lint(str(tmp_path), [], False, out) == 0
    assert "scenarios/demo.md:28: W-GIFT" in out.getvalue()
    assert run_lint(str(tmp_path), [], True, io.StringIO()) == 1
    (tmp_path / "scenarios" / "demo.md").write_text(BASE.replace("(#closing)", "(#closin)"))
    out = io.StringIO()
    assert run_lint(str(tmp_path), [str(tmp_path / "scenarios")], False, out) == 1
    assert out.getvalue().startswith("scenarios/demo.md:28: E-TARGET ")


def test_run_test_and_graph():
    out = io.StringIO()
    assert run_test(ROOT, [], 10, 1, out) == 0
    assert "scenarios/fifteen-percent.md: ok" in out.getvalue()
    out = io.StringIO()
    assert run_graph(ROOT, "fifteen-percent", out) == 0 and "flowchart TD" in out.getvalue()
    assert run_graph(ROOT, "nope", io.StringIO()) == 1


def test_main_module():
    proc = subprocess.run(
        [sys.executable, "-m", "app.content", "lint", "--root", ROOT, "--strict"],
        capture_output=True,
        text=True,
        cwd=os.path.join(PACKAGE, "..", ".."),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
