"""The studio's pure helpers in the content core: where the graph draws each node and link,
and the templates a new text starts from."""

import os
from itertools import pairwise

import pytest

from app.content import playtest
from app.content.layout import NODE_H, NODE_W, graph_layout
from app.content.lint import check_text
from app.content.parse import parse_scenario
from app.content.templates import template_text
from tests.content.samples import ROOT

SCENARIO_PATH = os.path.join(ROOT, "scenarios", "fifteen-percent.md")


@pytest.fixture(scope="module")
def scenario():
    with open(SCENARIO_PATH, encoding="utf-8") as fh:
        return parse_scenario(fh.read(), "scenarios/fifteen-percent.md")[0]


def test_every_node_is_placed_inside_the_drawing_in_rows_from_start(scenario):
    layout = graph_layout(scenario)
    by_id = {n["id"]: n for n in layout["nodes"]}
    assert set(by_id) == set(scenario.node_ids())
    for n in layout["nodes"]:
        assert 0 <= n["x"] and n["x"] + NODE_W <= layout["width"]
        assert 0 <= n["y"] and n["y"] + NODE_H <= layout["height"]
    start_y = by_id[scenario.start]["y"]
    assert all(n["y"] >= start_y for n in layout["nodes"])  # the start is the top row
    rows = {}
    for n in layout["nodes"]:
        rows.setdefault(n["y"], []).append(n["x"])
    for xs in rows.values():  # no two nodes overlap in a row
        xs.sort()
        assert all(b - a >= NODE_W for a, b in pairwise(xs))


def test_links_are_merged_and_thicker_where_random_play_went_more(scenario):
    report = playtest.randomtest(scenario, 100, 1)
    layout = graph_layout(scenario, dict(report.choice_visits))
    keys = [(e["source"], e["target"], e["kind"]) for e in layout["edges"]]
    assert len(keys) == len(set(keys))  # parallel links drawn once
    widths = {e["width"] for e in layout["edges"]}
    assert len(widths) > 1 and all(1.2 <= w <= 7.2 for w in widths)
    assert all(e["d"].startswith("M") for e in layout["edges"])
    plain = graph_layout(scenario)
    assert {e["width"] for e in plain["edges"]} == {1.4}  # no play: all links alike


def test_a_missing_target_and_an_unreachable_node_still_draw(course):
    text = template_text("scenario", "first-call", "First call", course).replace("(#end-poor)", "(#nowhere)")
    text += "\n## island\n`end: lost`\n\n### Debrief\nx\n"
    value, _ = parse_scenario(text, "scenarios/first-call.md")
    layout = graph_layout(value)
    kinds = {n["id"]: (n["kind"], n["reachable"]) for n in layout["nodes"]}
    assert kinds["nowhere"][0] == "missing" and kinds["island"] == ("ending", False)
    island = next(n for n in layout["nodes"] if n["id"] == "island")
    assert island["y"] == max(n["y"] for n in layout["nodes"])  # unreachable: the last row


@pytest.mark.parametrize(
    "kind,path",
    [
        ("course", "courses/new-course/course.md"),
        ("module", "courses/demo-course/02-new-module.md"),
        ("scenario", "scenarios/new-one.md"),
    ],
)
def test_every_template_passes_lint_and_carries_its_title(course, kind, path):
    slug = {"course": "new-course", "module": "new-module", "scenario": "new-one"}[kind]
    title = 'Say "yes" \\ then $amount ${slug}'
    text = template_text(kind, slug, title, course)
    value, findings = check_text(kind, text, path, {course.id: course}, {"fifteen-percent"})
    assert [f for f in findings if f.is_error] == [], findings
    assert value.id == slug and value.title == title
    if kind != "course":
        assert value.stage == course.stages[0].id
    if kind == "scenario":
        assert value.course == course.id


def test_one_parse_then_lint_serves_the_catalog_and_single_texts():
    from app.content.catalog import ContentSet

    content = ContentSet.load(ROOT)
    for loaded in content.files.values():
        full = os.path.join(ROOT, loaded.path)
        with open(full, encoding="utf-8") as fh:
            value, findings = check_text(
                loaded.kind, fh.read(), full, content.courses, set(content.scenarios)
            )
        assert [(f.line, f.code, f.message) for f in findings] == [
            (f.line, f.code, f.message) for f in loaded.findings
        ], loaded.path
        assert value.id == loaded.value.id
