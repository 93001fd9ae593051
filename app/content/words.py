"""The words people read for a choice's rating and a role-play's ending: one vocabulary for
trainees, managers and trainers, so "Partly right" on a trainee's feedback is "Partly right"
on the manager's drill-down and in the studio's play-test.

Templates reach these through the Jinja globals registered by the app factory
(`rating_words`, `rating_tone`, `ending_headline`, `outcome_words`) and the `rating_badge`
macro of templates/_macros/words.html."""
from __future__ import annotations

from .model import Scenario

# rating -> (words, tone of its badge: ok, warn, bad)
RATINGS: dict[str, tuple[str, str]] = {
    "best": ("Best answer", "ok"),
    "good": ("Good answer", "ok"),
    "ok": ("Partly right", "warn"),
    "poor": ("Weak answer", "bad"),
}

# The usual outcomes of the course; an ending may say better with `headline:`. None of them
# assumes a deal: a qualification or prospecting role-play has none to win.
OUTCOMES: dict[str, str] = {
    "win": "Well played",
    "win-thin": "Through, but thin",
    "partial": "Partly there",
    "loss": "Not this time",
    "walk-away-won": "You walked away, rightly",
    "loss-margin": "Won at a loss of margin",
    "loss-relationship": "The relationship suffered",
    "loss-client": "Client lost",
    "loss-deal": "Deal lost",
    "loss-unlawful": "Signed on unlawful terms",
    "loss-stalled": "The project stalled",
    "loss-tender": "Sent to tender",
}


def rating_words(rating: str | None) -> str:
    """'Partly right' for `ok`; an empty string for a choice without a rating."""
    if not rating:
        return ""
    return RATINGS.get(rating, (rating.capitalize(), ""))[0]


def rating_tone(rating: str | None) -> str:
    return RATINGS.get(rating or "", ("", ""))[1]


def outcome_words(outcome: str | None) -> str:
    """An outcome id in words: the course's usual ones, else the id itself made readable."""
    if not outcome:
        return "Ended"
    return OUTCOMES.get(outcome) or outcome.replace("-", " ").capitalize()


def ending_headline(scenario: Scenario | None, node_id: str | None, outcome: str | None) -> str:
    """What an ending says at the top of its debrief: its own `headline:` when it has one."""
    node = scenario.node(node_id) if scenario is not None and node_id else None
    if node is not None and node.headline:
        return node.headline
    return outcome_words(outcome if outcome is not None else (node.end if node is not None else None))
