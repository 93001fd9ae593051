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


# --- amounts of the negotiation ledger --------------------------------------------------------

# Units that are measures: the number reads with the unit ("30 days", "12 months").
_MEASURES = {"day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours"}
# Units that only say "how many of the thing named": the name is the noun ("2 referrals").
_COUNTS = {"count", "counts", "number", "person", "people"}


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _noun(word: str, amount: float) -> str:
    """A noun agreeing with its number, for the regular English plurals units use."""
    word = word.replace("_", " ").strip()
    one = amount == 1
    if word.endswith("ies") and one:
        return word[:-3] + "y"
    if word.endswith("ses") and one:
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1] if one else word
    if one:
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def amount_words(name: str, amount: float, unit: str | None, concession: bool = False) -> str:
    """A ledger amount in words, never a bare unit name: "5% off" (a concession in percent),
    "30 days", "2 sites" (a unit naming the thing), "2 referrals" (`count`: the name is the
    thing), "1 onboarding service" (a unit saying what kind of thing the name is)."""
    unit = (unit or "").strip().lower()
    shown = _number(amount)
    if unit in ("percent", "%"):
        return f"{shown}% off" if concession else f"{shown}%"
    if unit in _MEASURES:
        return f"{shown} {_noun(unit, amount)}"
    if unit in _COUNTS or not unit:
        return f"{shown} {_noun(name, amount)}"
    if unit.endswith("s") and not unit.endswith("ss"):  # a plural unit is the thing: sites, clinics
        return f"{shown} {_noun(unit, amount)}"
    return f"{shown} {name.replace('_', ' ')} {_noun(unit, amount)}"


def limit_words(amount: float, unit: str | None) -> str:
    """The walk-away point of a concession: "walk-away 12%", "walk-away 8 weeks"."""
    unit = (unit or "").strip().lower()
    if unit in ("percent", "%"):
        return f"walk-away {_number(amount)}%"
    if unit in _MEASURES or (unit.endswith("s") and not unit.endswith("ss")):
        return f"walk-away {_number(amount)} {_noun(unit, amount)}"
    return f"walk-away {_number(amount)}"


def trade_words(scenario: Scenario, name: str, amount: float, given: bool) -> str:
    """A concession given (`given`) or a counterpart obtained in a scenario, in words."""
    units = scenario.negotiation.concessions if given else scenario.negotiation.counterparts
    return amount_words(name, amount, units.get(name), concession=given)
