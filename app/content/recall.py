"""What a boost asks, from the content alone: which question, phase-reading or signal-picking
node an item is, what its right answer is (so a new version that changes it starts the item's
memory again), the situation a role-play item shows again, and how an answer is graded for the
scheduler.

Pure: no Flask, no database. The scheduler itself (FSRS) is applied by services/boosts_memory.py."""

from __future__ import annotations

import hashlib
import re

from . import engine
from . import signals as signal_picking
from .model import Module, Node, Question, Scenario

# The scheduler's grades (the values of fsrs.Rating): a boost never asks the rep to grade
# themselves; the grade follows from the answer.
AGAIN, HARD, GOOD = 1, 2, 3

SITUATION_CHARS = 700  # about 30 seconds of reading: a boost takes two minutes in all


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def question_ref(question: Question) -> str:
    """A question's identity across versions: its wording (a question reworded is a new one)."""
    return digest(_normal(question.text))


def question_answer_key(question: Question) -> str:
    """The right answers' texts: reordering the answers or rewording feedback keeps the key."""
    return digest("\n".join(sorted(_normal(a.text) for a in question.answers if a.correct)))


def right_answers(question: Question) -> list[int]:
    return [i for i, a in enumerate(question.answers, 1) if a.correct]


def find_question(module: Module, ref: str) -> tuple[int, Question] | None:
    """(number in the module, question) of the question with this identity, if it is still asked."""
    for number, question in enumerate(module.quiz, 1):
        if question_ref(question) == ref:
            return number, question
    return None


def phase_node(scenario: Scenario, node_id: str) -> Node | None:
    """The node, while it still asks the rep to read the prospect's phase."""
    node = scenario.node(node_id)
    return node if node is not None and node.phase and not node.is_ending else None


def signal_node(scenario: Scenario, node_id: str) -> Node | None:
    """The node, while it still asks the rep to pick the prospect's signals."""
    node = scenario.node(node_id)
    return node if node is not None and node.signals and not node.is_ending and not node.gotos else None


def signals_answer_key(node: Node) -> str:
    """The right signals' texts: reordering the observations, rewording their feedback or the
    distractors keeps the key; changing which observations are signals starts the memory again."""
    return digest("\n".join(sorted(_normal(item.text) for item in node.signals if item.right)))


def read_signals(scenario: Scenario, node: Node, picks: list[int]) -> tuple[list[str], int, bool]:
    """A boost's pick graded as the role-play grades it (engine.pick_signals, from the
    scenario's opening state at this node): the verdict on each observation in source order,
    the reading taken (0-based) and whether it reads the phase right (signals.is_well_read, the
    rule the role-play records). Raises engine.NothingPicked, ChoiceNotOffered, ContentError."""
    state = engine.start_state(scenario)
    state["node"], state["finished"] = node.id, False
    _new, outcome = engine.pick_signals(scenario, state, picks)
    verdicts = outcome.verdicts or []
    return verdicts, outcome.choice_index or 0, signal_picking.is_well_read(outcome.rating)


def situation(node: Node, limit: int = SITUATION_CHARS) -> str:
    """The scene of a phase-reading or signal-picking node as Markdown, without the node's own
    question ("Which phase is Marc in?": the boost asks it) and cut at a paragraph once past
    `limit` characters (the first paragraph always stays)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", node.narrative or "") if p.strip()]
    while len(paragraphs) > 1 and paragraphs[-1].rstrip("*_ ").endswith("?"):
        paragraphs.pop()
    kept: list[str] = []
    for paragraph in paragraphs:
        if kept and sum(len(p) for p in kept) + len(paragraph) > limit:
            kept.append("…")
            break
        kept.append(paragraph)
    return "\n\n".join(kept)


def claim_feedback(node: Node, phase: str) -> str:
    """The node's own feedback on reading the phase as `phase` (the author's explanation of the
    signals), or "" when no choice of the node claims it."""
    for choice in node.choices:
        if choice.effects.claims == phase:
            return choice.feedback
    return ""


def grade(correct: bool, last: int | None) -> int:
    """Wrong is Again. Right straight after a wrong answer (in a check, a role-play or a boost)
    is Hard: the rep is relearning it, so it comes back sooner than a sure answer. Otherwise
    Good. Speed is not used: a rep reading on a phone is slow, not unsure."""
    if not correct:
        return AGAIN
    return HARD if last == AGAIN else GOOD
