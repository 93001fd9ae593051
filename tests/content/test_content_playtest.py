"""quicktest, randomtest, scripted tests and invariants on fixtures."""

import glob
import os

import pytest

from app.content import playtest
from app.content.parse import parse_scenario
from tests.content.samples import BASE, read


def load(text, path="demo.md"):
    value, findings = parse_scenario(text, path)
    assert value is not None, findings
    return value


def example():
    return load(read("scenarios", "fifteen-percent.md"), "fifteen-percent.md")


def test_quicktest_example():
    report = playtest.quicktest(example())
    assert report.failures == []
    assert report.paths == 5
    assert {k: v["paths"] for k, v in report.endings.items()} == {
        "end-win-strong": 2,
        "end-win-thin": 1,
        "end-margin-loss": 2,
    }
    assert report.endings["end-win-strong"]["scores"]["margin"] == (6, 7)
    assert report.endings["end-margin-loss"]["scores"]["relationship"] == (4, 5)


def test_full_report_example_passes():
    report = playtest.test_scenario(example(), games=50, seed=3)
    assert report.ok, report.failures
    text = playtest.format_report(report)
    assert "end-win-strong (win): 2 paths" in text and "randomtest: 50 games" in text
    assert sum(report.random.endings.values()) == 50
    assert report.random.node_visits["opening"] == 50


def test_randomtest_is_seeded():
    a = playtest.randomtest(example(), 30, seed=7)
    b = playtest.randomtest(example(), 30, seed=7)
    assert a.endings == b.endings and a.choice_visits == b.choice_visits


def test_many_branches_stay_fast():
    # 12 nodes in a row with 4 choices each: 4**12 (16 million) paths, counted not enumerated
    nodes = []
    for i in range(12):
        nxt = f"n{i + 1}" if i < 11 else "end"
        choices = "\n".join(
            f"- [c{k}](#{nxt}) `margin {'+' if k % 2 else '-'}1` `rating: ok`\n  > f" for k in range(4)
        )
        nodes.append(f"## n{i}\n\n{choices}\n")
    # pass reads no score, so margin stays an interval (the endings-agree check needs no more)
    text = (
        BASE.split("## opening")[0].replace("start: opening", 'start: n0\npass: "true"')
        + "\n".join(nodes)
        + "\n## end\n`end: done`\n\n### Debrief\nDone.\n"
    )
    report = playtest.quicktest(load(text))
    assert report.failures == [] and report.paths == 4**12


def test_an_ending_that_passes_on_one_path_and_fails_on_another_is_reported():
    text = BASE.replace("`goto: end-win if margin >= 5` `goto: end-loss`", "`goto: end-win`").replace(
        "`if asked` ", ""
    )
    text = text.replace("---\nBriefing.", "pass: margin >= 6\n---\nBriefing.", 1)
    report = playtest.quicktest(load(text))
    assert any("`end-win`" in f and "passes on some paths and fails on others" in f for f in report.failures)


def test_a_win_that_always_fails_is_reported():
    text = BASE.replace("---\nBriefing.", "pass: margin >= 11\n---\nBriefing.", 1)
    report = playtest.quicktest(load(text))
    assert any("`end-win`" in f and "fails on every path" in f for f in report.failures)


def test_never_offered_choice():
    text = BASE.replace("`if asked`", "`if asked and margin > 9`")
    report = playtest.quicktest(load(text))
    assert any("choice 1 of `trade`" in f and "never offered" in f for f in report.failures)


def test_every_choice_hidden():
    text = BASE.replace("`give discount 15` `unilateral`", "`if margin > 4` `give discount 15` `unilateral`")
    report = playtest.quicktest(load(text))
    assert any("every choice of `trade`" in f for f in report.failures)


def test_loop_without_exit():
    text = (
        BASE.replace(
            "`goto: end-win if margin >= 5` `goto: end-loss`", "`goto: end-win if margin > 20` `goto: spin`"
        )
        + "\n## spin\n\n- [Again](#spin) `rating: ok`\n  > Round.\n"
    )
    report = playtest.quicktest(load(text))
    assert any("never ends" in f for f in report.failures)


def test_path_over_200_steps():
    text = BASE.replace(
        "- [Cave](#end-loss)",
        "- [Nibble](#trade) `give discount 1` `unilateral` `rating: ok`\n  > More.\n- [Cave](#end-loss)",
    )
    text = text.replace("`if asked`", "`if given_discount > 300`")
    report = playtest.quicktest(load(text))
    assert any("longer than 200 steps" in f for f in report.failures)


def test_scripted_tests():
    s = example()
    assert playtest.scripted(s) == []
    bad = read("scenarios", "fifteen-percent.md").replace(
        "  - {choose: [2, 1, 1], expect: {node: end-win-strong}}",
        "  - {choose: [2, 1, 1], expect: {node: end-win-strong}}\n"
        "  - {choose: [1, 2], expect: {outcome: win, margin: [5, 10]}}\n"
        "  - {choose: [2, 1, 2], expect: {passed: true, margin: [7, 7], percent: [60, 90]}}\n"
        "  - {choose: [1, 1, 2], expect: {node: closing}}",
    )
    failures = playtest.scripted(load(bad, "fifteen-percent.md"))
    text = "\n".join(failures)
    assert len({f.split(":")[0] for f in failures}) == 3  # the first test passes, three fail
    assert "expected outcome `win`" in text and "expected margin in [5, 10], got 1" in text
    # 5/10, 7/10, 4/10 is more than best play's 5/10, 6/10, 4/10: percent stops at 100
    assert "expected percent in [60, 90], got 100" in text
    assert "choice 2 is not offered at `batna`" in text


def test_invariants():
    assert playtest.invariants(example()) == []
    flipped = (
        read("scenarios", "fifteen-percent.md")
        .replace("`rating: poor`", "`rating: tmp`")
        .replace("`rating: best`", "`rating: poor`")
        .replace("`rating: tmp`", "`rating: best`")
    )
    failures = playtest.invariants(load(flipped, "fifteen-percent.md"))
    assert any("best-rated choice fails" in f for f in failures)
    assert any("lowest-rated choice passes" in f for f in failures)


def _both_ways(scenario):
    """quicktest's report explored by control and state by state (None: not by control)."""
    comp = playtest._Compiled(scenario)
    start = playtest._settle(comp, comp.start())
    by_control = playtest.QuickReport(scenario.id)
    if not playtest._quick_by_control(comp, start, by_control):
        return None, None
    by_state = playtest.QuickReport(scenario.id)
    playtest._quick_by_state(playtest._Compiled(scenario), start, by_state)
    return by_control, by_state


def _scored_text(nodes=8):
    """Every score read (by a router and `pass:`), so every value is a state of its own; `if`s
    on a variable and a ledger entry, a `once` choice and a Continue node on the way."""
    parts = [
        BASE.split("## opening")[0]
        .replace("start: opening", "start: n0\npass: margin >= 5 and relationship >= 4")
        .replace("scores: {margin: [0, 5, 10]}", "scores: {margin: [0, 5, 10], relationship: [0, 5, 10]}")
    ]
    for k in range(nodes):
        nxt = [f"n{k + d}" if k + d < nodes else "closing" for d in (1, 2)]
        parts.append(
            f"## n{k}\n\nClaire asks.\n\n"
            f"- [a](#{nxt[0]}) `margin +{1 + k % 2}` `relationship +1` `rating: best`\n  > f\n"
            f"- [b](#{nxt[1]}) `margin -1` `relationship +2` `give discount 4` `rating: good`\n  > f\n"
            f"- [c](#{nxt[0]}) `margin -2` `relationship -1` `set asked = true` `once` `rating: ok`\n  > f\n"
            f"- [d](#{nxt[1]}) `margin +1` `relationship -2` `if not asked and given_discount < 8` "
            "`rating: poor`\n  > f\n"
        )
    parts.append("## closing\n`goto: routing`\n\nClaire thinks.\n")
    parts.append(
        "## routing\n`goto: end-win if margin >= 7 and relationship >= 4` "
        "`goto: end-thin if margin >= 5 and relationship >= 4` `goto: end-loss`\n"
    )
    for end, outcome in (("end-win", "win"), ("end-thin", "win-thin"), ("end-loss", "loss")):
        parts.append(f"## {end}\n`end: {outcome}`\n\n### Debrief\nDone.\n")
    return "\n".join(parts)


def test_exploring_by_control_reports_what_exploring_state_by_state_does():
    by_control, by_state = _both_ways(load(_scored_text()))
    assert by_control is not None, "explored state by state"
    assert by_control == by_state
    assert by_control.states > 200 and by_control.failures == [] and by_control.notes == []


def test_a_fault_is_said_state_by_state():
    fault = load(_scored_text().replace("`goto: end-loss`", "`goto: end-loss if margin < 2`"))
    assert _both_ways(fault) == (None, None)
    assert any("no goto of node `routing`" in f for f in playtest.quicktest(fault).failures)


SCENARIOS = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")
SHIPPED = sorted(
    os.path.relpath(p, SCENARIOS) for p in glob.glob(os.path.join(SCENARIOS, "**", "*.md"), recursive=True)
)


@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_scenarios_explored_by_control_as_state_by_state(path):
    with open(os.path.join(SCENARIOS, path), encoding="utf-8") as fh:
        scenario = load(fh.read(), path)
    by_control, by_state = _both_ways(scenario)
    assert by_control == by_state
