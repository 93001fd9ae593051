"""The interface's words for the domain's values (roles, ratings, endings, amounts), in the
page's language. The content core (app/content/words.py) keeps the ids and the English words;
the pages, mails and exports show these, so a rating reads the same for every role in each
language."""

from flask_babel import get_locale, lazy_pgettext, ngettext
from flask_babel import lazy_gettext as _l

from app.content import labels as content_labels
from app.content import words
from app.content.model import Scenario
from app.formats import number, percent

ROLE_NAMES = {
    "trainee": _l("Trainee"),
    "manager": _l("Manager"),
    "trainer": _l("Trainer"),
    "admin": lazy_pgettext("role", "Admin"),
}

RATING_WORDS = {
    "best": _l("Best answer"),
    "good": _l("Good answer"),
    "ok": _l("Partly right"),
    "poor": _l("Weak answer"),
}

OUTCOME_WORDS = {
    "win": _l("Well played"),
    "win-thin": _l("Through, but thin"),
    "partial": _l("Partly there"),
    "loss": _l("Not this time"),
    "walk-away-won": _l("You walked away, rightly"),
    "loss-margin": _l("Won at a loss of margin"),
    "loss-relationship": _l("The relationship suffered"),
    "loss-client": _l("Client lost"),
    "loss-deal": _l("Deal lost"),
    "loss-unlawful": _l("Signed on unlawful terms"),
    "loss-stalled": _l("The project stalled"),
    "loss-tender": _l("Sent to tender"),
}


# The content core's skill titles (app/content/labels.SKILL_TITLES), in the page's language.
SKILL_TITLES = {
    "phase": _l("Reading the project's maturity"),
    "pao": _l("Choosing the next action (PAO)"),
    "negotiation": _l("Negotiating"),
    "objection": _l("Handling objections"),
    "qualification": _l("Qualifying the prospect"),
    "preparation": _l("Preparing"),
    "loyalty": _l("Building loyalty"),
    "credibility": _l("Credibility"),
    "co-construction": _l("Building the project together"),
    "co-production": _l("Working together"),
    "co-operation": _l("Co-operation"),
    "prospecting": _l("Prospecting"),
    "commitments": _l("Getting commitments"),
    "personalisation": _l("Personalising the approach"),
    "completion": _l("Completing the project"),
    "gdpr": _l("Data protection (GDPR)"),
    "untagged": _l("Other choices"),
}


def skill_title(tag: str | None) -> str:
    """A skill tag in words, in the page's language; a tag no list knows reads as its words."""
    return (
        str(SKILL_TITLES[tag or "untagged"])
        if (tag or "untagged") in SKILL_TITLES
        else content_labels.skill_title(tag)
    )


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


def rating_words(rating: str | None) -> str:
    """'Partly right' ('Partiellement juste') for `ok`; '' for a choice without a rating."""
    if not rating:
        return ""
    return str(RATING_WORDS[rating]) if rating in RATING_WORDS else words.rating_words(rating)


def outcome_words(outcome: str | None) -> str:
    if not outcome:
        return str(_l("Ended"))
    return str(OUTCOME_WORDS[outcome]) if outcome in OUTCOME_WORDS else words.outcome_words(outcome)


def ending_headline(scenario: Scenario | None, node_id: str | None, outcome: str | None) -> str:
    """An ending's own `headline:` (the content's words, in the language it was played in),
    else its outcome in the page's language."""
    node = scenario.node(node_id) if scenario is not None and node_id else None
    if node is not None and node.headline:
        return node.headline
    return outcome_words(outcome if outcome is not None else (node.end if node is not None else None))


# Only the message the unit needs (the board shows a duration on many player pages; all five
# were looked up each time).
_MEASURES = {
    "day": lambda n, shown: ngettext("%(amount)s day", "%(amount)s days", n, amount=shown),
    "week": lambda n, shown: ngettext("%(amount)s week", "%(amount)s weeks", n, amount=shown),
    "month": lambda n, shown: ngettext("%(amount)s month", "%(amount)s months", n, amount=shown),
    "year": lambda n, shown: ngettext("%(amount)s year", "%(amount)s years", n, amount=shown),
    "hour": lambda n, shown: ngettext("%(amount)s hour", "%(amount)s hours", n, amount=shown),
}


def _measure(unit, amount):
    measure = _MEASURES.get(unit.rstrip("s"))
    return measure(amount, number(amount)) if measure else None


def amount_words(name, amount, unit, concession=False):
    """A ledger amount in the page's language: "5% off" / "5 % de remise", "30 days" / "30 jours";
    a unit that names a thing of the scenario keeps the content's words."""
    unit = (unit or "").strip().lower()
    if unit in ("percent", "%"):
        return _l("%(percent)s off", percent=percent(amount)) if concession else percent(amount)
    measured = (
        _measure(unit, amount) if unit.rstrip("s") in ("day", "week", "month", "year", "hour") else None
    )
    if measured:
        return str(measured)
    locale = get_locale()
    if locale is not None and locale.language != "en":
        # the content's words are English ids ("2 referrals"); the label beside the amount
        # (labels.name_label, in the scenario's language) already names the thing
        return number(amount)
    return words.amount_words(name, amount, unit, concession)


def limit_words(amount, unit):
    """The walk-away point of a concession: "walk-away 12%" / "point de rupture : 12 %"."""
    unit = (unit or "").strip().lower()
    if unit in ("percent", "%"):
        shown = percent(amount)
    else:
        shown = (
            _measure(unit, amount)
            if unit.rstrip("s") in ("day", "week", "month", "year", "hour")
            else number(amount)
        )
    return str(_l("walk-away %(amount)s", amount=shown))


def trade_words(scenario, name, amount, given):
    units = scenario.negotiation.concessions if given else scenario.negotiation.counterparts
    return str(amount_words(name, amount, units.get(name), concession=given))


def register(app):
    app.jinja_env.globals.update(
        role_name=role_name,
        rating_words=rating_words,
        rating_tone=words.rating_tone,
        outcome_words=outcome_words,
        ending_headline=ending_headline,
        trade_words=trade_words,
    )
    from app import sheet_words  # a preparation sheet's figures, graded, in words

    app.jinja_env.globals.update(
        sheet_figures=sheet_words.graded,
        sheet_figure=sheet_words.figure,
        sheet_figure_label=sheet_words.label,
    )
