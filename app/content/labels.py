"""Words people read for the content's internal names: a skill tag (`pao`) becomes "Choosing the
next action (PAO)", a node id (`call-yannick`) the opening words of what the trainee read there,
a score, concession or counterpart id (`credibilite`) its label in the scenario's language
("Crédibilité"). Reports show these, never the ids (the ids stay in links and exports)."""

import re
from typing import Any

from app.content.model import Course, Node

SKILL_TITLES = {
    "phase": "Reading the project's maturity",
    "pao": "Choosing the next action (PAO)",
    "negotiation": "Negotiating",
    "objection": "Handling objections",
    "qualification": "Qualifying the prospect",
    "preparation": "Preparing",
    "loyalty": "Building loyalty",
    "credibility": "Credibility",
    "co-construction": "Building the project together",
    "co-production": "Working together",
    "co-operation": "Co-operation",
    "prospecting": "Prospecting",
    "commitments": "Getting commitments",
    "personalisation": "Personalising the approach",
    "completion": "Completing the project",
    "gdpr": "Data protection (GDPR)",
}
UNTAGGED = "Other choices"


def skill_title(tag: str | None) -> str:
    """A skill tag in words; a tag no list knows reads as its words ("cross-selling" ->
    "Cross selling")."""
    if not tag or tag == "untagged":
        return UNTAGGED
    known = SKILL_TITLES.get(tag)
    if known:
        return known
    words = re.sub(r"[-_]+", " ", tag).strip()
    return words[:1].upper() + words[1:]


def name_label(scenario: Any, name: str) -> str:
    """A score, concession or counterpart id as the ledger, the debrief, the charts and the
    managers show it: the scenario's own `labels:` (in the language it is written in, accents
    and all), else the id in words (`walk_away` -> "Walk away")."""
    own = getattr(scenario, "labels", None) or {}
    if name in own:
        label: str = own[name]
        return label
    words = re.sub(r"[-_]+", " ", name or "").strip()
    return words[:1].upper() + words[1:]


def phase_title(course: Course | None, phase_id: str | None) -> str:
    """A maturation phase's title from the course ("latent" -> "Latent need")."""
    if not phase_id:
        return "no phase"
    for phase in course.phases if course else ():
        if phase.id == phase_id:
            return phase.title
    return skill_title(phase_id)


_MARKUP = re.compile(r"[*_`>#]+|\[([^\]]*)\]\([^)]*\)|\{[^}]*\}")


def plain(markdown: str) -> str:
    """Markdown as one line of plain text (links keep their words; emphasis, quotes and
    interpolations go)."""
    text = _MARKUP.sub(lambda m: m.group(1) or "", markdown or "")
    return re.sub(r"\s+", " ", text).strip()


def node_caption(node: Node | None, limit: int = 70) -> str:
    """A node as the trainee met it: the first words of its narrative, cut at a word."""
    if node is None:
        return "a step no longer in the scenario"
    text = plain(node.narrative)
    if not text:
        return "a step without text"
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.—-")
    return cut + "…"
