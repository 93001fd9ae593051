"""Best play scores 100% in every role-play of the course: choosing the best-rated answer at
every step is the yardstick of percent (engine.best_share), it passes, and nothing scores more."""

import functools
import glob
import itertools
import json
import os

import pytest

from app.content import engine, playtest, signals
from app.content import sheet as sheets
from app.content.lint import check_scenario_text
from app.content.parse import parse_scenario
from tests.helpers import play_group, play_report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.md")))
IDS = [os.path.basename(p)[:-3] for p in SCENARIOS]
PLAYED = [play_group(p) for p in SCENARIOS]  # the tests that read a play report or _endings


@functools.cache
def _load(path):
    with open(path, encoding="utf-8") as fh:
        value, findings = parse_scenario(fh.read(), os.path.relpath(path, ROOT))
    assert not [f for f in findings if f.is_error], findings
    return value


@functools.cache
def _endings(path):
    """The state at the end of every distinct path (each state explored once), played by the
    engine; three tests read them."""
    scenario = _load(path)
    seen, ends, stack = set(), [], [engine.start_state(scenario)]
    while stack:
        state = stack.pop()
        key = json.dumps(state, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        if state["finished"]:
            ends.append(state)
        elif engine.needs_continue(scenario, state):
            stack.append(engine.continue_(scenario, state)[0])
        elif (node := engine.current_node(scenario, state)).signals:  # every pick a rep can submit
            stack += [engine.pick_signals(scenario, state, pick)[0] for pick in signals.subsets(node)]
        elif node.sheet is not None:
            # a figure from each range of each field (scores depend on the range alone)
            combos = itertools.product(
                *[[v for v, _r in sheets.samples(f, exact=False)] for f in node.sheet.fields]
            )
            names = [f.name for f in node.sheet.fields]
            stack += [
                engine.submit_sheet(scenario, state, dict(zip(names, combo, strict=True)))[0]
                for combo in combos
            ]
        else:
            stack += [
                engine.step(scenario, state, n)[0]
                for n in range(1, len(engine.offered_choices(scenario, state)) + 1)
            ]
    return ends


def test_there_are_scenarios():
    assert len(SCENARIOS) >= 8


@pytest.mark.parametrize("path", PLAYED, ids=IDS)
def test_best_play_scores_100_and_passes(path):
    scenario = _load(path)
    best = playtest.play(scenario, playtest.best_pick)
    assert best.ended and not best.error
    assert engine.percent(scenario, best.state) == 100
    assert engine.passed(scenario, best.state)
    worst = playtest.play(scenario, playtest.lowest_pick)
    assert engine.percent(scenario, worst.state) < 100 and not engine.passed(scenario, worst.state)
    percents = [engine.percent(scenario, s) for s in _endings(path)]
    assert 0 <= min(percents) and max(percents) == 100


@pytest.mark.parametrize("path", SCENARIOS, ids=IDS)
def test_lint_finds_best_play_can_pass(path):
    with open(path, encoding="utf-8") as fh:
        _value, findings = check_scenario_text(fh.read(), os.path.relpath(path, ROOT), check_course=False)
    assert not [f.format() for f in findings if f.code == "W-BEST"]


@pytest.mark.parametrize("path", PLAYED, ids=IDS)
def test_quicktest_finds_the_top_share_exactly(path):
    """The play-tester's top share (a set of score vectors per state) is what every path
    played by the engine reaches at most."""
    scenario = _load(path)
    top = max(engine.share(scenario, s["scores"]) for s in _endings(path))
    assert play_report(path).quick.top_share == top


@pytest.mark.parametrize("path", PLAYED, ids=IDS)
def test_no_path_of_the_course_scores_more_than_best_play(path):
    """Ratings and scores agree: a path through weaker answers never ends with more of the
    scores than the best-rated one (it would teach that the weak answers pay)."""
    scenario = _load(path)
    assert (
        max(engine.share(scenario, s["scores"]) for s in _endings(path)) <= engine.best_share(scenario) + 1e-9
    )


def test_a_path_above_best_play_is_noted():
    text = """---
id: t
title: T
course: c
stage: s
start: a
scores: {margin: [0, 5, 10], trust: [0, 5, 10]}
---
## a

- [Right](#b) `margin +1` `rating: best`
  > Yes.
- [Wrong but lucky](#b) `margin -1` `trust +4` `rating: poor`
  > No.

## b

- [Close](#end) `rating: best`
  > Done.

## end
`end: done`

### Debrief
.
"""
    scenario, findings = parse_scenario(text, "t.md")
    assert not [f for f in findings if f.is_error], findings
    report = playtest.quicktest(scenario)
    assert report.top_share == (4 / 10 + 9 / 10) / 2 and engine.best_share(scenario) == (6 / 10 + 5 / 10) / 2
    assert any("more of the scores than best play" in note for note in report.notes)
    lucky = engine.step(scenario, engine.start_state(scenario), 2)[0]
    lucky = engine.step(scenario, lucky, 1)[0]
    assert engine.percent(scenario, lucky) == 100  # capped, as best play
