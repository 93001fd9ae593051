"""Item analysis: how trainees answer each choice of one published version (counts only)."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.content.model import Scenario
from app.extensions import db
from app.models import AttemptStep, ContentVersion, ScenarioAttempt
from app.services import publishing


@dataclass
class ChoiceStat:
    index: int  # 0-based in the node
    label: str
    target: str
    rating: str | None
    taken: int
    taken_by_passers: int
    share: int  # percent of the node's choices


@dataclass
class NodeStat:
    node_id: str
    line: int
    total: int
    passers_total: int
    choices: list[ChoiceStat]
    split: bool  # trainees who pass chose differently here


def item_analysis(
    slug: str, version_row: ContentVersion
) -> tuple[Scenario | None, list[NodeStat], dict[str, int]]:
    """Per choice, how often trainees take it (counts only, no names), over every attempt on
    one version; and the nodes where trainees who pass split between answers. One query."""
    scenario: Scenario | None = publishing.value_of(version_row)
    rows = db.session.execute(
        select(AttemptStep.node, AttemptStep.choice, ScenarioAttempt.passed, func.count())
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(
            ScenarioAttempt.scenario_slug == slug,
            ScenarioAttempt.version_id == version_row.id,
            AttemptStep.choice.is_not(None),
        )
        .group_by(AttemptStep.node, AttemptStep.choice, ScenarioAttempt.passed)
    ).all()
    counts: dict[tuple[str, int], int] = {}
    passers: dict[tuple[str, int], int] = {}
    for node_id, index, passed, n in rows:
        counts[(node_id, index)] = counts.get((node_id, index), 0) + n
        if passed:
            passers[(node_id, index)] = passers.get((node_id, index), 0) + n
    stats = []
    for node in scenario.nodes if scenario is not None else ():
        if not node.choices or node.gotos:
            continue
        total = sum(counts.get((node.id, i), 0) for i in range(len(node.choices)))
        ptotal = sum(passers.get((node.id, i), 0) for i in range(len(node.choices)))
        choices = [
            ChoiceStat(
                i,
                c.label,
                c.target,
                c.effects.rating,
                counts.get((node.id, i), 0),
                passers.get((node.id, i), 0),
                round(100 * counts.get((node.id, i), 0) / total) if total else 0,
            )
            for i, c in enumerate(node.choices)
        ]
        # A split: at least two answers each taken by a fifth or more of the passers' choices.
        split = (
            ptotal >= 2
            and sum(1 for c in choices if c.taken_by_passers * 5 >= ptotal and c.taken_by_passers > 0) >= 2
        )
        stats.append(NodeStat(node.id, node.line, total, ptotal, choices, split))
    attempts = db.session.execute(
        select(func.count(), func.sum(case((ScenarioAttempt.passed.is_(True), 1), else_=0))).where(
            ScenarioAttempt.scenario_slug == slug,
            ScenarioAttempt.version_id == version_row.id,
            ScenarioAttempt.status == "finished",
        )
    ).one()
    return scenario, stats, {"finished": int(attempts[0] or 0), "passed": int(attempts[1] or 0)}
