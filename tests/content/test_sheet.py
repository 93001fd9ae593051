"""Preparation sheets and negotiation rounds in the content core: parse, lint (line-numbered
E-SHEET, E-BOUNDS, E-RANGES, E-UNIT), the engine's submit_sheet, the walk-away the rep wrote,
shrinking/growing moves, and the play-tester's sampled figures."""

import pytest

from app.content import engine, expr, playtest
from app.content.lint import check_scenario_text
from app.content.parse import parse_scenario

SHEET = """---
id: sheet-demo
title: Sheet demo
course: demo-course
stage: negotiation
start: prep
pass: shrinking(discount)
scores: {margin: [0, 5, 10]}
negotiation:
  walkaway: {discount: 20}
  concessions: {discount: percent}
  counterparts: {duration: months}
tests:
  - {choose: [{walkaway: "12,5", first_move: 3}, 1, 1], expect: {node: end-held}}
---
Briefing.

## prep
`skill: preparation` `goto: reckless if walkaway > 15` `goto: round-1`

Write your preparation down.

- Your **walk-away discount** `field: walkaway` `unit: percent` `min: 0` `max: 40` `walkaway: discount`
  - `range: 0..15` `rating: best` `margin +1`
    > Below your MESORE: {walkaway}%.
  - `range: 15..40` `rating: poor` `margin -2`
    > Past what Ferrand pays.
- Your first move `field: first_move` `unit: percent` `min: 0` `max: 10`
  - `range: 0..4` `rating: best`
    > Small first moves leave room.
  - `range: 4..10` `rating: poor`
    > A big first move.

## reckless

Your sheet allows a lot. Claire pushes.

- [Give 10](#round-1) `give discount 10` `get duration 12` `rating: ok`
  > Big.

## round-1

- [Give 4](#round-2) `give discount 4` `get duration 12` `rating: best`
  > Then smaller.
- [Give 2](#round-2) `give discount 2` `get duration 12` `rating: poor`
  > Then larger.

## round-2

- [Give 1](#answer) `give discount 1` `get duration 6` `rating: best`
  > Smaller again.
- [Give 5](#answer) `give discount 5` `get duration 6` `rating: poor`
  > Larger.

## answer
`goto: end-held if shrinking(discount)` `goto: end-pushed`

## end-held
`end: win`

### Debrief
Held at {given_discount}.

## end-pushed
`end: loss`

### Debrief
Pushed.
"""


def parse(text=SHEET):
    scenario, findings = parse_scenario(text, "scenarios/sheet-demo.md")
    return scenario, findings


def lint(text):
    _, findings = check_scenario_text(text, "scenarios/sheet-demo.md", check_course=False)
    return findings


def codes(text):
    return sorted((f.line, f.code) for f in lint(text) if f.is_error)


def test_a_sheet_parses_into_fields_ranges_and_routes():
    scenario, findings = parse()
    assert [f for f in findings if f.is_error] == []
    node = scenario.node("prep")
    assert node.kind == "sheet" and node.gotos == () and node.choices == ()
    assert [g.target for g in node.sheet.routes] == ["reckless", "round-1"]
    walkaway, _first = node.sheet.fields
    assert (walkaway.name, walkaway.unit, walkaway.min, walkaway.max, walkaway.walkaway) == (
        "walkaway",
        "percent",
        0,
        40,
        "discount",
    )
    assert walkaway.label == "Your **walk-away discount**"
    assert [(r.lo, r.hi, r.effects.rating) for r in walkaway.ranges] == [(0, 15, "best"), (15, 40, "poor")]
    assert walkaway.ranges[0].feedback == "Below your MESORE: {walkaway}%."
    assert walkaway.line == 23 and walkaway.ranges[1].line == 26
    assert node.narrative == "Write your preparation down."
    assert scenario.variable("walkaway").initial == 0 and scenario.variable("first_move")
    assert lint(SHEET) == []


def test_the_sheet_survives_the_compiled_json():
    from app.content.serialize import scenario_from_json, to_json

    scenario, _ = parse()
    assert scenario_from_json(to_json(scenario)) == scenario


def test_submit_sheet_grades_sets_routes_and_holds_the_rep_to_their_walkaway():
    scenario, _ = parse()
    state = engine.start_state(scenario)
    assert state["node"] == "prep" and not engine.needs_continue(scenario, state)
    assert engine.offered_choices(scenario, state) == []
    with pytest.raises(engine.ChoiceNotOffered):
        engine.step(scenario, state, 1)
    new, outcome = engine.submit_sheet(scenario, state, {"walkaway": "12,5 %", "first_move": "3"})
    assert state["vars"]["walkaway"] == 0  # the given state is not changed
    assert new["vars"] == {"walkaway": 12.5, "first_move": 3} and new["node"] == "round-1"
    assert new["scores"]["margin"] == 6 and outcome.deltas == {"margin": 1}
    assert outcome.kind == "sheet" and outcome.new_node == "round-1"
    assert [(f["field"], f["value"], f["rating"], f["range"]) for f in outcome.figures] == [
        ("walkaway", 12.5, "best", [0, 15]),
        ("first_move", 3, "best", [0, 4]),
    ]
    assert outcome.figures[0]["feedback"].startswith("Below your MESORE")
    assert engine.walkaway_limits(scenario, new) == {"discount": 12.5}
    assert engine.walkaway_limits(scenario, state) == {"discount": 20}  # before the sheet: the file's
    new, _ = engine.step(scenario, new, 1)  # 4
    new, out = engine.step(scenario, new, 2)  # 5: 9 in all, within 12.5
    assert out.ended and out.outcome == "loss" and out.walkaway_breached is False
    assert new["moves"] == {"discount": [4, 5]}


def test_the_walkaway_written_is_the_one_breached():
    scenario, _ = parse()
    state, _ = engine.submit_sheet(
        scenario, engine.start_state(scenario), {"walkaway": "8", "first_move": "3"}
    )
    state, _ = engine.step(scenario, state, 1)
    state, out = engine.step(scenario, state, 2)  # 9 > 8, though under the file's 20
    assert out.walkaway_breached is True


def test_a_shared_end_belongs_to_the_lower_range_and_figures_route():
    scenario, _ = parse()
    start = engine.start_state(scenario)
    at15, out = engine.submit_sheet(scenario, start, {"walkaway": "15", "first_move": "4"})
    assert [f["rating"] for f in out.figures] == ["best", "best"] and at15["node"] == "round-1"
    above, out = engine.submit_sheet(scenario, start, {"walkaway": "15,01", "first_move": "4.5"})
    assert [f["rating"] for f in out.figures] == ["poor", "poor"] and above["node"] == "reckless"
    assert above["scores"]["margin"] == 3


def test_refused_figures_say_why_per_field_and_record_nothing():
    scenario, _ = parse()
    start = engine.start_state(scenario)
    with pytest.raises(engine.FiguresRefused) as caught:
        engine.submit_sheet(scenario, start, {"walkaway": "41", "first_move": ""})
    assert set(caught.value.errors) == {"walkaway", "first_move"}
    assert caught.value.errors["walkaway"].code == "bounds"
    assert caught.value.errors["first_move"].code == "empty"
    with pytest.raises(engine.FiguresRefused) as caught:
        engine.submit_sheet(scenario, start, {"walkaway": "douze", "first_move": "2"})
    assert set(caught.value.errors) == {"walkaway"}


def test_moves_shrinking_and_growing():
    assert expr.move_values("d", []) == {"shrinking(d)": False, "growing(d)": False}
    assert expr.move_values("d", [4]) == {"shrinking(d)": False, "growing(d)": False}
    assert expr.move_values("d", [4, 2, 1]) == {"shrinking(d)": True, "growing(d)": False}
    assert expr.move_values("d", [2, 5]) == {"shrinking(d)": False, "growing(d)": True}
    assert expr.move_values("d", [3, 3]) == {"shrinking(d)": False, "growing(d)": False}
    assert expr.move_values("d", [4, 1, 2]) == {"shrinking(d)": False, "growing(d)": True}
    assert expr.parse("shrinking(discount) and not growing(discount)") == (
        "and",
        ("name", "shrinking(discount)"),
        ("not", ("name", "growing(discount)")),
    )
    for bad in ("shrink(discount)", "shrinking(3)", "shrinking(discount", "shrinking()"):
        with pytest.raises(expr.ExprError):
            expr.parse(bad)


def test_rounds_read_the_moves():
    scenario, _ = parse()
    state, _ = engine.submit_sheet(
        scenario, engine.start_state(scenario), {"walkaway": "12", "first_move": "3"}
    )
    shrinking, _ = engine.step(scenario, state, 1)
    shrinking, _ = engine.step(scenario, shrinking, 1)
    assert shrinking["node"] == "end-held"
    growing, _ = engine.step(scenario, state, 2)
    growing, _ = engine.step(scenario, growing, 2)
    assert growing["node"] == "end-pushed"


def test_playtest_samples_the_figures_and_plays_every_path():
    scenario, _ = parse()
    report = playtest.test_scenario(scenario, games=20, seed=1)
    assert report.ok, report.failures
    # walkaway is read (a goto): ends and middles of each range; first_move is not: one per range
    comp = playtest._Compiled(scenario)
    samples = comp.sheet_samples(scenario.node("prep"))
    assert sorted({s["walkaway"] for s in samples}) == [0, 7.5, 15, 27.5, 40]
    assert sorted({s["first_move"] for s in samples}) == [2, 7]
    assert set(report.quick.endings) == {"end-held", "end-pushed"}
    assert report.quick.endings["end-held"]["paths"] > 0


def test_lint_unknown_names_in_moves():
    text = SHEET.replace("shrinking(discount)", "shrinking(price)")
    assert any(f.code == "E-NAME" and "shrinking(price)" in f.message for f in lint(text))


@pytest.mark.parametrize(
    "old, new, line, code",
    [
        ("`min: 0` `max: 40`", "`min: 40` `max: 40`", 23, "E-BOUNDS"),
        ("`min: 0` `max: 40`", "`max: 40`", 23, "E-BOUNDS"),
        ("`range: 15..40` `rating: poor`", "`range: 16..40` `rating: poor`", 26, "E-RANGES"),  # a gap
        ("`range: 15..40` `rating: poor`", "`range: 14..40` `rating: poor`", 26, "E-RANGES"),  # an overlap
        ("`range: 15..40` `rating: poor`", "`range: 15..45` `rating: poor`", 26, "E-RANGES"),  # outside
        ("`range: 15..40` `rating: poor`", "`range: 15..30` `rating: poor`", 26, "E-RANGES"),  # short of max
        ("`range: 15..40` `rating: poor`", "`range: 15-40` `rating: poor`", 26, "E-RANGES"),
        ("`unit: percent` `min: 0` `max: 40`", "`unit: parsecs` `min: 0` `max: 40`", 23, "E-UNIT"),
        ("`walkaway: discount`", "`walkaway: price`", 23, "E-NAME"),
        ("`walkaway: discount`", "`colour: red`", 23, "E-SHEET"),
        ("`field: first_move`", "`field: walkaway`", 28, "E-SHEET"),
        ("`field: first_move`", "`field: percent`", 28, "E-SHEET"),
        (
            "`range: 15..40` `rating: poor` `margin -2`",
            "`range: 15..40` `rating: poor` `give discount 2`",
            26,
            "E-SHEET",
        ),
        ("    > Past what Ferrand pays.\n", "", 26, "E-FEEDBACK"),
        (
            "`range: 15..40` `rating: poor` `margin -2`",
            "`range: 15..40` `rating: poor` `trust -2`",
            26,
            "E-NAME",
        ),
    ],
)
def test_lint_sheet_findings_on_their_line(old, new, line, code):
    assert old in SHEET
    assert (line, code) in codes(SHEET.replace(old, new, 1))


def test_lint_a_sheet_without_a_goto_and_with_choices():
    text = SHEET.replace(
        "`skill: preparation` `goto: reckless if walkaway > 15` `goto: round-1`", "`skill: preparation`"
    )
    assert (18, "E-SHEET") in codes(text)
    text = SHEET.replace("Write your preparation down.", "Write.\n\n- [Skip](#round-1) `rating: ok`\n  > No.")
    assert (18, "E-SHEET") in codes(text)
    text = SHEET.replace("`goto: round-1`\n\nWrite", "\n\nWrite")
    assert (18, "W-GOTO") in [(f.line, f.code) for f in lint(text)]


def test_a_state_text_variable_cannot_hold_a_figure():
    text = SHEET.replace("start: prep\n", 'start: prep\nstate: {walkaway: "high"}\n')
    assert any(code == "E-SHEET" for _line, code in codes(text))


def test_w_rounds_when_the_moves_cannot_change_the_answer():
    assert not [f for f in lint(SHEET) if f.code == "W-ROUNDS"]
    same = SHEET.replace(
        "[Give 2](#round-2) `give discount 2`", "[Give 6](#round-2) `give discount 6`"
    ).replace("[Give 5](#answer) `give discount 5`", "[Give 0.5](#answer) `give discount 0.5`")
    found = [(f.line, f.code) for f in lint(same) if f.code == "W-ROUNDS"]
    assert found == [(55, "W-ROUNDS")]  # every path shrinks: the buyer always holds
