"""Signal-picking nodes: parsing, lint (codes and lines), the engine's grading and readings,
the play-tester's exhaustive picks and scripted tests (content/signals.py)."""

import random

import pytest

from app.content import engine, graph, hindsight, playtest, signals
from app.content.lint import check_scenario_text
from app.content.parse import parse_scenario

PICKING = """---
id: demo
title: Demo
course: demo-course
stage: negotiation
start: stand
scores: {insight: [0, 0, 10]}
pass: insight >= 3
tests:
  - {choose: [[1, 3]], expect: {node: end-win, insight: [3, 3]}}
  - {choose: [[1, 2, 3]], expect: {node: end-loss, passed: false}}
---
Briefing.

## stand
`skill: phase` `signals: decision`

Claire stops at the booth. Tick what says she is deciding.

- She gives you a signing date `signal: right` `phase-signal: decision/1`
  > A date to sign: a decision.
- She asks for a diagnosis `signal: distractor` `phase-signal: discovery/1`
  > Still defining the need.
- She names who signs `signal: right`
  > The signer is named.
- A plain prose list item, not an observation.

- [Well read](#end-win) `if missed == 0 and mistaken == 0` `insight +3` `rating: best`
  > Both signals and no noise.
- [Half read](#end-loss) `if mistaken == 0` `insight +1` `rating: poor`
  > One signal missed.
- [Misread](#end-loss) `rating: poor`
  > You took a discovery signal for a decision.

## end-win
`end: win`

### Debrief
Won.

## end-loss
`end: loss`

### Debrief
Lost.
"""


def _scenario(text=PICKING):
    value, findings = parse_scenario(text, "demo.md")
    assert not [f for f in findings if f.is_error], findings
    return value


def test_observations_parse_apart_from_choices_and_prose():
    node = _scenario().node("stand")
    assert node.kind == "signals" and node.reading == "decision"
    assert [(i.text, i.right, i.phase_signal) for i in node.signals] == [
        ("She gives you a signing date", True, "decision/1"),
        ("She asks for a diagnosis", False, "discovery/1"),
        ("She names who signs", True, None),
    ]
    assert node.signals[0].feedback == "A date to sign: a decision." and node.signals[0].line == 20
    assert [c.target for c in node.choices] == ["end-win", "end-loss", "end-loss"]
    assert "plain prose list item" in node.narrative and "signing date" not in node.narrative


def test_a_valid_signal_node_lints_clean(course):
    _value, findings = check_scenario_text(PICKING, "demo.md", course)
    assert findings == []


CASES = [
    # (name, change, code, line)
    (
        "no right signal",
        lambda t: t.replace("date `signal: right`", "date `signal: distractor`").replace(
            "signs `signal: right`", "signs `signal: distractor`"
        ),
        "E-SIGNALS",
        15,
    ),
    ("no distractor", lambda t: t.replace("`signal: distractor`", "`signal: right`"), "E-SIGNALS", 15),
    (
        "too many",
        lambda t: t.replace(
            "- A plain prose",
            "".join(f"- Noise {k} `signal: distractor`\n  > No.\n" for k in range(6)) + "- A plain prose",
        ),
        "E-SIGNALS",
        36,
    ),
    ("no feedback", lambda t: t.replace("  > Still defining the need.\n", ""), "E-SIGNALS", 22),
    ("bad kind", lambda t: t.replace("`signal: distractor`", "`signal: wrong`"), "E-SIGNALS", 22),
    ("bad phase-signal form", lambda t: t.replace("decision/1`", "decision-1`"), "E-SIGNALS", 20),
    ("unknown phase signal", lambda t: t.replace("decision/1`", "decision/7`"), "E-SIGNALS", 20),
    ("unknown phase", lambda t: t.replace("discovery/1`", "closing/1`"), "E-SIGNALS", 22),
    (
        "effect on an observation",
        lambda t: t.replace("signs `signal: right`", "signs `signal: right` `insight +1`"),
        "E-SIGNALS",
        24,
    ),
    (
        "conditional last reading",
        lambda t: t.replace(
            "[Misread](#end-loss) `rating: poor`", "[Misread](#end-loss) `if spotted > 0` `rating: poor`"
        ),
        "E-SIGNALS",
        32,
    ),
    (
        "no reading",
        lambda t: (
            t.replace(
                "- [Well read](#end-win) `if missed == 0 and mistaken == 0` `insight +3` "
                "`rating: best`\n  > Both signals and no noise.\n",
                "",
            )
            .replace(
                "- [Half read](#end-loss) `if mistaken == 0` `insight +1` `rating: poor`\n "
                " > One signal missed.\n",
                "",
            )
            .replace(
                "- [Misread](#end-loss) `rating: poor`\n  > You took a discovery signal for a decision.\n", ""
            )
        ),
        "E-SIGNALS",
        15,
    ),
    (
        "once reading",
        lambda t: t.replace("`insight +1` `rating: poor`", "`insight +1` `once` `rating: poor`"),
        "E-SIGNALS",
        30,
    ),
    (
        "phase instead of signals",
        lambda t: t.replace("`signals: decision`", "`phase: decision`"),
        "E-SIGNALS",
        15,
    ),
    ("unknown reading phase", lambda t: t.replace("`signals: decision`", "`signals: closing`"), "E-NAME", 15),
    ("unknown count", lambda t: t.replace("if mistaken == 0`", "if mistake == 0`"), "E-NAME", 30),
    (
        "count outside a signals node",
        lambda t: t.replace("pass: insight >= 3", "pass: insight >= 3 and missed == 0"),
        "E-NAME",
        8,
    ),
    ("a score named like a count", lambda t: t.replace("insight", "missed"), "E-NAME", 15),
    (
        "right signal of another phase",
        lambda t: t.replace(
            "date `signal: right` `phase-signal: decision/1`",
            "date `signal: right` `phase-signal: discovery/1`",
        ),
        "W-SIGNALS",
        20,
    ),
    (
        "distractor of the node's phase",
        lambda t: t.replace("`phase-signal: discovery/1`", "`phase-signal: decision/1`"),
        "W-SIGNALS",
        22,
    ),
]


@pytest.mark.parametrize("name,change,code,line", CASES, ids=[c[0] for c in CASES])
def test_each_signal_lint_code_on_its_line(course, name, change, code, line):
    _value, findings = check_scenario_text(change(PICKING), "demo.md", course)
    assert (code, line) in [(f.code, f.line) for f in findings], [f.format() for f in findings]


def test_grading_counts_and_the_first_reading_that_holds():
    scenario = _scenario()
    state = engine.start_state(scenario)
    assert engine.offered_choices(scenario, state) == []
    with pytest.raises(engine.ChoiceNotOffered):
        engine.step(scenario, state, 1)
    with pytest.raises(engine.NothingPicked):
        engine.pick_signals(scenario, state, [])
    with pytest.raises(engine.ChoiceNotOffered):
        engine.pick_signals(scenario, state, [0, 3])
    new, outcome = engine.pick_signals(scenario, state, [2, 0, 0])
    assert outcome.verdicts == ["spotted", "avoided", "spotted"] and outcome.picks == [0, 2]
    assert (outcome.choice_index, outcome.rating, new["node"], new["scores"]) == (
        0,
        "best",
        "end-win",
        {"insight": 3},
    )
    assert outcome.phase == "decision" and outcome.phase_correct is True and outcome.passed
    assert state["node"] == "stand"  # the given state is not modified
    _new, outcome = engine.pick_signals(scenario, state, [0])
    assert (outcome.verdicts, outcome.choice_index, outcome.phase_correct) == (
        ["spotted", "avoided", "missed"],
        1,
        False,
    )
    _new, outcome = engine.pick_signals(scenario, state, [0, 1, 2])
    assert (
        outcome.verdicts[1] == "mistaken"
        and outcome.choice_index == 2
        and outcome.feedback.startswith("You took")
    )
    assert outcome.to_json()["verdicts"] == ["spotted", "mistaken", "spotted"]


def test_the_play_tester_tries_every_pick_and_runs_list_entries_of_scripted_tests():
    scenario = _scenario()
    assert len(list(signals.subsets(scenario.node("stand")))) == 7
    report = playtest.test_scenario(scenario, games=30, seed=3)
    assert report.ok, report.failures
    assert report.quick.endings["end-win"]["paths"] == 1 and report.quick.endings["end-loss"]["paths"] == 2
    bad = PICKING.replace(
        "{choose: [[1, 3]], expect: {node: end-win", "{choose: [[1]], expect: {node: end-win"
    )
    assert any("expected node `end-win`" in f for f in playtest.scripted(_scenario(bad)))
    wrong_kind = PICKING.replace("{choose: [[1, 3]]", "{choose: [1]")
    assert any("give the item numbers picked" in f for f in playtest.scripted(_scenario(wrong_kind)))


def test_a_reading_no_pick_reaches_fails_the_play_test():
    never = PICKING.replace(
        "[Half read](#end-loss) `if mistaken == 0`", "[Half read](#end-loss) `if mistaken > 5`"
    )
    report = playtest.quicktest(_scenario(never))
    assert any("choice 2 of `stand`" in f and "never offered" in f for f in report.failures)


def test_best_play_ticks_the_right_signals_and_lowest_play_the_distractors():
    scenario = _scenario()
    assert playtest.play(scenario, playtest.best_pick).state["node"] == "end-win"
    worst = playtest.play(scenario, playtest.lowest_pick)
    assert worst.state["node"] == "end-loss" and worst.path == [("stand", 2)]
    assert playtest.invariants(scenario) == []


def test_the_shown_order_is_shuffled_and_stable_per_attempt():
    node = _scenario().node("stand")
    orders = {tuple(signals.shown_order(node, str(seed))) for seed in range(30)}
    assert len(orders) > 1 and all(sorted(o) == [0, 1, 2] for o in orders)
    assert signals.shown_order(node, "17") == signals.shown_order(node, "17")


def test_hindsight_replays_a_signal_pick_from_its_recorded_items():
    scenario = _scenario()

    class Step:
        def __init__(self, seq, node, choice, picks):
            self.seq, self.node, self.choice, self.effects = seq, node, choice, {"picks": picks}

    played = hindsight.replay(scenario, [Step(1, "stand", 2, [0, 1, 2])])
    assert [p.node for p in played] == ["stand"]
    assert (
        hindsight.replay(scenario, [Step(1, "stand", 0, [0, 1, 2])]) == []
    )  # the record and content part ways


def test_the_graph_shows_the_kind_and_the_readings_conditions():
    data = graph.graph_data(_scenario())
    assert next(n for n in data["nodes"] if n["id"] == "stand")["kind"] == "signals"
    labels = [e["label"] for e in data["edges"] if e["source"] == "stand"]
    assert labels[0] == "Well read (if missed == 0 and mistaken == 0)"
    assert 'n_stand[["stand"]]' in graph.mermaid(_scenario())


def test_random_picks_are_never_empty():
    node = _scenario().node("stand")
    rng = random.Random(1)
    assert all(signals.random_items(node, rng) for _ in range(200))
