"""The engine on hand-made scenarios, and the example of the format page played as described."""

import json

import pytest

from app.content import engine
from app.content.parse import parse_scenario
from tests.content.samples import read


def scenario(body, front=""):
    text = f"""---
id: t
title: T
course: c
stage: s
start: a
scores: {{margin: [0, 5, 10], trust: [0, 0, 4]}}
state: {{asked: false, mood: "calm"}}
negotiation:
  walkaway: {{discount: 10}}
  concessions: {{discount: percent}}
  counterparts: {{volume: sites}}
{front}---
{body}"""
    value, findings = parse_scenario(text, "t.md")
    assert not [f for f in findings if f.is_error], findings
    return value


def example():
    value, _ = parse_scenario(read("scenarios", "fifteen-percent.md"), "fifteen-percent.md")
    return value


def test_example_plays_as_described():
    s = example()
    state = engine.start_state(s)
    assert state["node"] == "opening"
    state, out = engine.step(s, state, 2)
    assert out.phase == "decision" and out.phase_correct is True and out.claims == "decision"
    assert out.deltas == {"discovery": 2} and out.skill == "phase" and out.rating == "best"
    state, out = engine.step(s, state, 1)
    assert out.pao == "A2" and state["vars"]["batna_known"] is True and out.phase_correct is None
    # discovery is 4 now, so the 12% package is offered
    assert [i for i, _ in engine.offered_choices(s, state)] == [0, 1]
    state, out = engine.step(s, state, 1)
    assert out.ended and out.outcome == "win" and state["node"] == "end-win-strong"
    assert state["ledger"] == {"given": {"discount": 8}, "got": {"volume": 3}}
    assert out.passed is True and out.walkaway_breached is False
    # this is best play (the best-rated answer at every step): the yardstick of percent
    assert engine.share(s, state["scores"]) == engine.best_share(s) == (5 / 10 + 6 / 10 + 4 / 10) / 3
    assert out.percent == engine.percent(s, state) == 100
    assert json.loads(json.dumps(state)) == state
    json.dumps(out.to_json())


def test_example_walkaway_breach_and_wrong_phase():
    s = example()
    state = engine.start_state(s)
    state, out = engine.step(s, state, 1)
    assert out.phase_correct is False
    assert [i for i, _ in engine.offered_choices(s, state)] == [0, 1]
    state, out = engine.step(s, state, 2)
    assert out.outcome == "loss-margin" and out.walkaway_breached is True and out.passed is False
    assert out.unilateral and out.given == {"discount": 15}
    with pytest.raises(engine.AttemptFinished):
        engine.step(s, state, 1)


def test_if_hides_and_renumbers():
    s = example()
    state = engine.start_state(s)
    state, _ = engine.step(s, state, 1)  # discovery stays 0
    state, _ = engine.step(s, state, 1)  # discovery 2: the package needs 4
    assert [i for i, _ in engine.offered_choices(s, state)] == [0]
    with pytest.raises(engine.ChoiceNotOffered):
        engine.step(s, state, 2)
    for bad in (0, -1, 3, "1", None, True):
        with pytest.raises(engine.ChoiceNotOffered):
            engine.step(s, state, bad)


def test_once_and_clamping():
    s = scenario("""
## a

- [Push](#a) `once` `margin +4` `trust +9`
  > Pushed.
- [Leave](#end) `margin -20`
  > Left.

## end
`end: done`

### Debrief
Margin {margin}.
""")
    state = engine.start_state(s)
    state, out = engine.step(s, state, 1)
    assert out.deltas == {"margin": 4, "trust": 4}  # clamped at 10 and 4
    assert state["scores"] == {"margin": 9, "trust": 4}
    assert state["used_once"] == ["a/0"]
    offered = engine.offered_choices(s, state)
    assert [i for i, _ in offered] == [1]
    state, out = engine.step(s, state, 1)
    assert out.deltas == {"margin": -9} and state["scores"]["margin"] == 0
    assert engine.share(s, state["scores"]) == 0.5 and out.percent == 100  # the only way to end


def test_gotos_pass_through_and_continue():
    s = scenario(
        """
## a

- [Go](#route) `margin +3` `give discount 12` `get volume 1`
  > Went.
- [Stay](#route)
  > Stayed.

## route
`goto: told if margin >= 8` `goto: end-low`

## told
`goto: end-high if given_discount > 10` `goto: end-low`

She tells you her budget: {margin} points of margin, {given_discount}% given.

## end-high
`end: high`

### Debrief
Gave {given_discount}, got {got_volume}.

## end-low
`end: low`

### Debrief
Low.
""",
        "pass: margin >= 8 and not asked\n",
    )
    state = engine.start_state(s)
    state, out = engine.step(s, state, 1)
    assert state["node"] == "told" and not out.ended  # text: waits for Continue
    assert engine.needs_continue(s, state) and engine.offered_choices(s, state) == []
    with pytest.raises(engine.ChoiceNotOffered):
        engine.step(s, state, 1)
    known = engine.values(s, state)
    assert (
        engine.interpolate(s.node("told").narrative, known)
        == "She tells you her budget: 8 points of margin, 12% given."
    )
    state, out = engine.continue_(s, state)
    assert out.ended and out.outcome == "high" and out.walkaway_breached is True
    assert out.passed is True  # the pass expression decides
    state2 = engine.start_state(s)
    state2, out2 = engine.step(s, state2, 2)  # route passes through to end-low
    assert out2.ended and state2["node"] == "end-low" and out2.passed is False


def test_interpolation_escapes_and_keeps_unknown():
    assert engine.interpolate("{a} {b} {c}", {"a": "<b>", "b": True, "c": 2.5}) == "&lt;b&gt; true 2.5"
    assert engine.interpolate("{unknown} {Upper}", {}) == "{unknown} {Upper}"


def test_percent_rounds_half_up():
    s = scenario("""
## a
`end: x`

### Debrief
.
""")
    state = engine.start_state(s)
    assert engine.best_share(s) == 0.25  # (5/10 + 0/4) / 2, best play ends at once
    state["scores"] = {"margin": 0, "trust": 0.75}  # (0 + 0.1875) / 2 / 0.25 = 37.5%
    assert engine.percent(s, state) == 38
    state["scores"] = {"margin": 10, "trust": 4}  # more than best play: 100, not 400
    assert engine.percent(s, state) == 100


def test_percent_measures_against_best_play_not_declared_maxima():
    """Declared maxima no path reaches (a trade-off, a clamp) no longer cap perfect play at 85%."""
    s = scenario("""
## a

- [Best](#end) `margin +2` `trust +1` `rating: best`
  > Yes.
- [Weaker](#end) `margin +1` `rating: good`
  > Fine.
- [Worst](#end) `margin -5` `rating: poor`
  > No.

## end
`end: done`

### Debrief
.
""")
    best = engine.step(s, engine.start_state(s), 1)[1]
    assert engine.best_share(s) == (7 / 10 + 1 / 4) / 2 and best.percent == 100 and best.passed
    weaker = engine.step(s, engine.start_state(s), 2)[1]
    assert weaker.percent == round(100 * (6 / 10) / (7 / 10 + 1 / 4)) == 63
    worst = engine.step(s, engine.start_state(s), 3)[1]
    assert worst.percent == 0 and not worst.passed


def test_percent_keeps_declared_maxima_when_routing_reads_it():
    s = scenario("""
## a

- [Best](#b) `margin +2` `rating: best`
  > Yes.

## b
`goto: end if percent >= 30` `goto: end`

Text.

## end
`end: done`

### Debrief
.
""")
    state = engine.start_state(s)
    assert engine.best_share(s) == 1.0
    state, out = engine.step(s, state, 1)
    state, out = engine.continue_(s, state)
    assert out.percent == round(100 * (7 / 10 + 0) / 2) == 35


def test_percent_keeps_declared_maxima_when_a_sheet_routes_by_it():
    """A sheet's routes are routing too (they were once left out of the engine's list of names
    routing reads, though the play-tester counted them): percent is not measured against a best
    play that reads percent itself."""
    s = scenario("""
## a

- [Best](#prep) `margin +2` `rating: best`
  > Yes.

## prep
`goto: end if percent >= 30` `goto: end`

- Your **offer** `field: offer` `unit: percent` `min: 0` `max: 10`
  - `range: 0..10` `rating: best`
    > Fine.

## end
`end: done`

### Debrief
.
""")
    assert "percent" in engine.routing_reads(s)
    assert engine.best_share(s) == 1.0


def test_start_on_ending_is_finished():
    s = scenario("""
## a
`end: x`

### Debrief
.
""")
    state = engine.start_state(s)
    assert state["finished"] and engine.is_ending(s, state)
    with pytest.raises(engine.AttemptFinished):
        engine.step(s, state, 1)


def test_stuck_goto_is_a_content_error():
    s = scenario("""
## a

- [Go](#r)
  > Went.

## r
`goto: end if margin > 9`

## end
`end: x`

### Debrief
.
""")
    with pytest.raises(engine.ContentError):
        engine.step(s, engine.start_state(s), 1)


def test_the_engine_never_stores_a_number_out_of_range():
    """A version published before lint refused infinities: refused as content, never a state
    holding Infinity (not JSON: every step failed on PostgreSQL)."""
    import dataclasses

    from tests.content.samples import BASE

    good, _ = parse_scenario(BASE, "demo.md")
    state = engine.start_state(good)
    dim = dataclasses.replace(good.scores[0], min=float("-inf"), max=float("inf"))
    broken = dataclasses.replace(good, scores=(dim,))
    with pytest.raises(engine.ContentError, match="out of range"):
        engine.start_state(broken)
    with pytest.raises(engine.ContentError, match="out of range"):
        engine.step(broken, state, 1)
    state["vars"]["price"] = float("nan")
    with pytest.raises(engine.ContentError):
        engine.step(good, state, 1)
    json.dumps(engine.start_state(good), allow_nan=False)
