"""Hindsight: the best choice at each weak step of a played path, found by replaying it."""

from types import SimpleNamespace as Step

from app.content import hindsight
from app.content.parse import parse_scenario
from tests.content.samples import BASE


def base():
    value, findings = parse_scenario(BASE, "demo.md")
    assert not [f for f in findings if f.is_error], findings
    return value


def test_a_weak_choice_names_the_best_one_offered_and_its_feedback():
    scenario = base()
    # Discovery (poor) at `opening`, then Cave (poor) at `trade`: `Trade` is hidden there
    # (`if asked` is false), so no better choice was offered at the second step.
    steps = [Step(seq=1, node="opening", choice=1), Step(seq=2, node="trade", choice=1)]
    better = hindsight.better_choices(scenario, steps)
    assert list(better) == [1]
    assert better[1].choice.label == "Decision" and better[1].choice.feedback.strip() == "Right."
    assert better[1].number == 1


def test_best_choices_and_continues_need_no_hindsight():
    scenario = base()
    steps = [
        Step(seq=1, node="opening", choice=0),
        Step(seq=2, node="trade", choice=0),
        Step(seq=3, node="closing", choice=None),
    ]
    assert hindsight.better_choices(scenario, steps) == {}


def test_a_record_that_parts_from_the_content_stops_the_replay_quietly():
    scenario = base()
    steps = [Step(seq=1, node="opening", choice=1), Step(seq=2, node="elsewhere", choice=0)]
    assert [r.seq for r in hindsight.replay(scenario, steps)] == [1]
    assert hindsight.replay(scenario, [Step(seq=1, node="opening", choice=7)]) == []
