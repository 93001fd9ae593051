"""Consequences: W-FUNNEL when most answers lead to the same place, W-LOSS when an acceptable
answer loses at once, and the branching figures `flask content test` prints."""

import io

from app.content import branching
from app.content.commands import run_test
from app.content.lint import lint_scenario
from app.content.parse import parse_scenario
from tests.content.samples import ROOT


def scenario(body):
    text = f"""---
id: t
title: T
course: c
stage: s
start: a
scores: {{margin: [0, 5, 10]}}
state: {{warm: false}}
---
{body}"""
    value, findings = parse_scenario(text, "t.md")
    assert not [f for f in findings if f.is_error], findings
    return value


def codes(value):
    return [f.code for f in lint_scenario(value, check_course=False)]


def ending(node_id, end):
    return f"## {node_id}\n`end: {end}`\n\n### Debrief\nDone.\n\n"


def choose(node_id, targets, ratings=None, skill=""):
    ratings = ratings or ["best"] + ["poor"] * (len(targets) - 1)
    lines = [f"## {node_id}\n{skill}\n\nSay something.\n"]
    for n, (target, rating) in enumerate(zip(targets, ratings, strict=True)):
        effect = "`margin +2`" if rating == "best" else "`margin -2`"
        lines.append(f"- [Answer {n}](#{target}) {effect} `rating: {rating}`\n  > Why.")
    return "\n".join(lines) + "\n\n"


FUNNELS = (
    choose("a", ["b", "b"])
    + choose("b", ["c", "c"])
    + choose("c", ["win", "lose"])
    + ending("win", "win")
    + ending("lose", "loss")
)


def test_most_answers_to_one_node_is_a_funnel():
    value = scenario(FUNNELS)
    assert codes(value).count("W-FUNNEL") == 1
    measured = branching.measure(value)
    assert (measured.choice_nodes, measured.branching_nodes) == (3, 1)
    assert measured.sequences == 2 and "1 of 3" in measured.describe()


def test_half_or_fewer_funnels_and_desk_steps_are_not_warned():
    half = (
        choose("a", ["b", "c"])
        + choose("b", ["win", "lose"])
        + choose("c", ["d", "d"])
        + choose("d", ["win", "win"])
        + ending("win", "win")
        + ending("lose", "loss")
    )
    assert "W-FUNNEL" not in codes(scenario(half))
    desk = FUNNELS.replace("## a\n\n", "## a\n`skill: preparation`\n").replace(
        "## b\n\n", "## b\n`skill: preparation`\n"
    )
    assert "W-FUNNEL" not in codes(scenario(desk))  # no prospect reacts to desk work
    assert branching.measure(scenario(desk)).choice_nodes == 1


def test_a_router_after_the_answers_counts_as_branching():
    routed = (
        choose("a", ["route", "route"])
        + "## route\n`goto: win if margin >= 5` `goto: lose`\n\n"
        + ending("win", "win")
        + ending("lose", "loss")
    )
    value = scenario(routed)
    assert "W-FUNNEL" not in codes(value) and branching.measure(value).branching_nodes == 1


def test_an_acceptable_answer_that_loses_at_once_is_warned():
    body = (
        choose("a", ["win", "lose", "lose"], ["best", "ok", "poor"])
        + ending("win", "win")
        + ending("lose", "loss")
    )
    findings = [f for f in lint_scenario(scenario(body), check_course=False) if f.code == "W-LOSS"]
    assert len(findings) == 1 and "`ok`" in findings[0].message  # the poor one is rightly a loss
    assert findings[0].line == scenario(body).node("a").choices[1].line
    # through a router that always loses, too; a router that may win is a consequence, not a loss
    always = (
        choose("a", ["win", "route"], ["best", "good"])
        + "## route\n`goto: lose if margin < 9` `goto: lose`\n\n"
        + ending("win", "win")
        + ending("lose", "loss-deal")
    )
    assert "W-LOSS" in codes(scenario(always))
    maybe = always.replace(
        "`goto: lose if margin < 9` `goto: lose`", "`goto: lose if margin < 9` `goto: win`"
    )
    assert "W-LOSS" not in codes(scenario(maybe))


def test_node_sequences_count_conversations_not_paths():
    # two answers that reach the same nodes are one conversation
    same = choose("a", ["b", "b"]) + choose("b", ["win", "win"]) + ending("win", "win")
    assert branching.node_sequences(scenario(same)) == 1
    split = (
        choose("a", ["b", "c"])
        + choose("b", ["win", "lose"])
        + choose("c", ["win", "lose"])
        + ending("win", "win")
        + ending("lose", "loss")
    )
    assert branching.node_sequences(scenario(split)) == 4


def test_content_test_prints_the_branching_of_each_scenario():
    out = io.StringIO()
    run_test(ROOT, out=out)
    text = out.getvalue()
    assert "branching:" in text and "distinct node sequences:" in text
