"""The role-plays added to complete the course (issue 18, coverage): what they must keep true.

The course quality tests check every scenario's shape; these check what the new role-plays were
written for: the decision and completion phases practised with A9-A12 as right answers, the
objections French buyers raise, the qualification grid's arithmetic in the answers a rep picks,
and debriefs whose "{score}/max" a perfect run actually fills.
"""

from __future__ import annotations

import re

import pytest

from app.content.catalog import ContentSet
from app.content.playtest import best_pick, play
from tests.helpers import shipped

NEW_ROLEPLAYS = [
    "the-signing-date",
    "the-first-ninety-days",
    "five-objections",
    "the-warm-introduction",
    "the-inherited-territory",
]
FRENCH_OBJECTIONS = [
    "envoyez-moi une plaquette",
    "on a déjà un fournisseur",
    "pas de budget",
    "c'est trop cher",
    "je dois en parler à mon dg",
]


def content() -> ContentSet:
    return shipped()


def scenario(sid):
    found = content().scenarios.get(sid)
    assert found is not None, f"scenarios/{sid}.md did not load"
    return found


def plain(text: str) -> str:
    """Lower case, typographic apostrophes straightened, French quotes and spacing dropped."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("«", "").replace("»", "")).lower()


@pytest.mark.parametrize(
    "pao,phase", [("A9", "decision"), ("A10", "decision"), ("A11", "completion"), ("A12", "completion")]
)
def test_decision_and_completion_actions_are_right_answers_where_that_phase_is_read(pao, phase):
    """A9-A12 were never the right answer: each is now rated best in a role-play that also asks
    the trainee to read that phase from its signals."""
    found = []
    for s in content().scenarios.values():
        reads_phase = any(n.phase == phase for n in s.nodes)
        best = any(c.effects.pao == pao and c.effects.rating == "best" for n in s.nodes for c in n.choices)
        if reads_phase and best:
            found.append(s.id)
    assert found, f"no role-play reads the {phase} phase and rates {pao} best"


GRID_LABEL = re.compile(r"^(\d+): fit (\d), timing (\d) \(× 2 = (\d+)\), access (\d), signals (\d)")


def test_qualification_scores_offered_to_the_trainee_add_up():
    """Every score a rep can pick, right or wrong, is the grid's sum of its own parts (Fit + 2 x
    Timing + Access + Signals), and the number the choice records is the one it shows: a wrong
    answer is wrong by its reading of the facts, never by its arithmetic."""
    checked = 0
    for s in content().scenarios.values():
        for n in s.nodes:
            for c in n.choices:
                m = GRID_LABEL.match(c.label)
                if not m:
                    continue
                total, fit, timing, doubled, access, signals = map(int, m.groups())
                where = f"{s.id}#{n.id}: {c.label[:40]}"
                assert doubled == 2 * timing, where
                assert total == fit + doubled + access + signals, where
                assert 0 <= fit <= 3 and 1 <= timing <= 3 and 0 <= access <= 3 and 0 <= signals <= 3, where
                recorded = [v for _name, v in c.effects.sets if isinstance(v, (int, float))]
                assert recorded == [total], f"{where}: records {recorded}"
                checked += 1
    assert checked >= 7


def test_the_objections_module_and_role_play_cover_the_five_french_objections():
    module = content().modules.get("handling-objections")
    assert module is not None and module.stage == "prospecting"
    assert "five-objections" in module.scenarios
    assert len(module.quiz) >= 10
    lesson = plain(" ".join(p.markdown for p in module.pages))
    role_play = scenario("five-objections")
    played = plain(role_play.briefing + " ".join(n.narrative for n in role_play.nodes))
    for objection in FRENCH_OBJECTIONS:
        assert objection in lesson, f"the lesson never quotes « {objection} »"
        assert objection in played, f"the role-play never quotes « {objection} »"


@pytest.mark.parametrize("sid", NEW_ROLEPLAYS)
def test_a_perfect_run_fills_every_score_its_debrief_shows(sid):
    """Debriefs show `{score}/max`: taking the best-rated choice at every step reaches each
    declared maximum, so a perfect run reads 10/10, not 8/10."""
    s = scenario(sid)
    game = play(s, best_pick)
    assert game.error is None and game.ended, game.error
    for dim in s.scores:
        assert game.state["scores"][dim.name] == dim.max, (
            f"best play ends with {dim.name} {game.state['scores'][dim.name]} of {dim.max}"
        )


@pytest.mark.parametrize("sid", NEW_ROLEPLAYS)
def test_at_least_half_of_the_choices_lead_to_different_places(sid):
    s = scenario(sid)
    nodes = [n for n in s.nodes if n.choices]
    branching = [n for n in nodes if len({c.target for c in n.choices}) > 1]
    assert 2 * len(branching) >= len(nodes), (
        f"{len(branching)} of {len(nodes)} choice steps branch: {[n.id for n in nodes if n not in branching]}"
    )
