"""What the team chooses and reads, for the manager's "What to coach" page: how often each
choice is taken at each step, the phase-reading matrix, scores by skill and by scenario. Every
label is the one the trainee saw (skill and phase titles, the first words of a step)."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import Select, bindparam, case, func, select

from app import vocabulary
from app.content import labels, signals
from app.content.model import Course, Scenario
from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt, User
from app.services import publishing, signal_picks, translations

GOOD_RATINGS = ("best", "good")


class ChoiceTaken(TypedDict):
    index: int
    label: str
    rating: str | None
    count: int
    share: int  # percent of the node's choices
    wrong: bool


class WrongChoice(ChoiceTaken):
    scenario: str
    scenario_title: str
    node: str
    caption: str


class NodeChoices(TypedDict):
    id: str
    caption: str
    skill: str | None
    phase: str | None
    total: int
    choices: list[ChoiceTaken]


class ScenarioChoices(TypedDict):
    slug: str
    title: str
    nodes: list[NodeChoices]


class PhaseRow(TypedDict):
    phase: str
    title: str
    cells: list[int]  # one per phase claimed, in the order of PhaseMatrix.phases
    none: int  # no phase claimed
    total: int
    accuracy: int | None


class PhaseMatrix(TypedDict):
    phases: list[tuple[str, str]]  # (id, title)
    rows: list[PhaseRow]
    total: int
    correct: int


class SignalReading(TypedDict):
    key: str
    label: str
    example: str
    right: bool
    seen: int
    wrong: int
    percent_wrong: int
    reading: str | None
    signal_of: str | None


class SkillScore(TypedDict):
    skill: str
    title: str
    total: int
    good: int
    poor: int
    score: int | None


class ScenarioScores(TypedDict):
    slug: str
    attempts: int
    finished: int
    average: int | None
    passed: int
    trainees: int


@cache
def team_attempts(scenario: bool = False, trainee: bool = False, since: bool = False) -> Select[tuple[int]]:
    """The ids of the attempts of the trainees of some teams (`team_ids`, an expanding
    parameter), of one `scenario`, of one trainee (`trainee_id`), played `since` (the manager's
    weekly digest): one statement per shape, built once, its values given as parameters
    (`attempt_params`). Building and keying a statement costs more than running it, and the
    analytics page runs nine that read these ids."""
    stmt = (
        select(ScenarioAttempt.id)
        .join(User, User.id == ScenarioAttempt.user_id)
        .where(User.team_id.in_(bindparam("team_ids", expanding=True)), User.role == "trainee")
    )
    if since:
        stmt = stmt.where(ScenarioAttempt.updated_at >= bindparam("since"))
    if trainee:
        stmt = stmt.where(User.id == bindparam("trainee_id"))
    if scenario:
        stmt = stmt.where(ScenarioAttempt.scenario_slug == bindparam("scenario"))
    return stmt


class AttemptsOf(NamedTuple):
    """Which attempts a report reads: the shape of team_attempts() and its parameters."""

    shape: tuple[bool, bool, bool]
    params: dict[str, Any]


def attempts_of(
    team_ids: Iterable[int],
    scenario: str | None = None,
    trainee_id: int | None = None,
    since: datetime | None = None,
) -> AttemptsOf:
    """The attempts of the trainees of `team_ids` (of one scenario, of one trainee, played
    since a time): team_attempts(*shape) is their statement, `params` its values."""
    params: dict[str, Any] = {"team_ids": sorted(team_ids)}
    if since is not None:
        params["since"] = since
    if trainee_id is not None:
        params["trainee_id"] = trainee_id
    if scenario:
        params["scenario"] = scenario
    return AttemptsOf((bool(scenario), trainee_id is not None, since is not None), params)


def _scenario_value(slug: str, language: str | None = None) -> Scenario | None:
    """The published scenario, in the reader's language where translated (same nodes and
    choices: the counts are the same, the words are the manager's)."""
    version = publishing.published("scenario", slug)
    scenario: Scenario | None = translations.localized("scenario", version, language)[0] if version else None
    return scenario


def _course(course_id: str | None, language: str | None) -> Course | None:
    return translations.localized_course(course_id or publishing.course_id(), language)


@cache
def _choices_statement(shape: tuple[bool, bool, bool]) -> Select[Any]:
    return (
        select(
            ScenarioAttempt.scenario_slug,
            AttemptStep.node,
            AttemptStep.choice,
            AttemptStep.rating,
            func.min(AttemptStep.choice_label),
            func.count(),
            func.sum(case((AttemptStep.phase_correct.is_(False), 1), else_=0)),
        )
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(AttemptStep.attempt_id.in_(team_attempts(*shape)), AttemptStep.choice.is_not(None))
        .group_by(ScenarioAttempt.scenario_slug, AttemptStep.node, AttemptStep.choice, AttemptStep.rating)
    )


def choice_analytics(
    team_ids: Collection[int],
    scenario: str | None = None,
    since: datetime | None = None,
    language: str | None = None,
) -> tuple[list[ScenarioChoices], list[WrongChoice]]:
    """How often each choice is taken at each node, per scenario (labels from the published
    version; a choice only an older version had keeps its recorded label)."""
    attempts = attempts_of(team_ids, scenario, since=since)
    rows = db.session.execute(_choices_statement(attempts.shape), attempts.params).all()
    per_node: defaultdict[tuple[str, str], defaultdict[int, dict[str, Any]]] = defaultdict(
        lambda: defaultdict(lambda: {"count": 0, "rating": None, "label": "", "misread": 0})
    )
    for slug, node, choice, rating, label, count, misread in rows:
        entry = per_node[(slug, node)][choice]
        entry["count"] += count
        entry["rating"] = entry["rating"] or rating
        entry["label"] = entry["label"] or label or ""
        entry["misread"] += misread or 0
    scenarios: dict[str, dict[str, defaultdict[int, dict[str, Any]]]] = {}
    for (slug, node_id), choices in per_node.items():
        scenarios.setdefault(slug, {})[node_id] = choices
    out: list[ScenarioChoices] = []
    wrong: list[WrongChoice] = []
    course = _course(None, language)
    skill_titles = cache(vocabulary.skill_title)  # a few tags over hundreds of nodes
    for slug in sorted(scenarios):
        value = _scenario_value(slug, language)
        node_order = {n.id: i for i, n in enumerate(value.nodes)} if value else {}
        nodes: list[NodeChoices] = []
        for node_id in sorted(scenarios[slug], key=lambda n: (node_order.get(n, 10_000), n)):
            taken = scenarios[slug][node_id]
            node = value.node(node_id) if value else None
            caption = labels.node_caption(node)
            total = sum(c["count"] for c in taken.values())
            listed: list[ChoiceTaken] = []
            indices = range(len(node.choices)) if node else sorted(taken)
            for index in sorted(set(indices) | set(taken)):
                entry = taken.get(index, {"count": 0, "rating": None, "label": "", "misread": 0})
                source = node.choices[index] if node and index < len(node.choices) else None
                rating = (source.effects.rating if source else None) or entry["rating"]
                label = source.label if source else entry["label"]
                is_wrong = (
                    (rating not in GOOD_RATINGS and rating is not None)
                    or entry["misread"] > 0
                    or (
                        source is not None
                        and node is not None
                        and node.phase
                        and source.effects.claims not in (None, node.phase)
                    )
                )
                item: ChoiceTaken = {
                    "index": index,
                    "label": label,
                    "rating": rating,
                    "count": entry["count"],
                    "share": round(100 * entry["count"] / total) if total else 0,
                    "wrong": bool(is_wrong),
                }
                listed.append(item)
                if is_wrong and entry["count"]:
                    wrong.append(
                        {
                            **item,
                            "scenario": slug,
                            "scenario_title": value.title if value else slug,
                            "node": node_id,
                            "caption": caption,
                        }
                    )
            nodes.append(
                {
                    "id": node_id,
                    "caption": caption,
                    "skill": skill_titles(node.skill) if node and node.skill else None,
                    "phase": labels.phase_title(course, node.phase) if node and node.phase else None,
                    "total": total,
                    "choices": listed,
                }
            )
        out.append({"slug": slug, "title": value.title if value else slug, "nodes": nodes})
    wrong.sort(key=lambda w: (-w["count"], -w["share"], w["scenario"], w["node"]))
    return out, wrong


@cache
def _step_counts_statement(shape: tuple[bool, bool, bool]) -> Select[Any]:
    """The choices made, counted by skill, rating and phase (true and claimed): one read of the
    team's steps serves the phase matrix and the skill scores (each read all of them; a team's
    history is tens of thousands of steps)."""
    return (
        select(
            AttemptStep.skill, AttemptStep.rating, AttemptStep.phase, AttemptStep.phase_claimed, func.count()
        )
        .where(AttemptStep.attempt_id.in_(team_attempts(*shape)), AttemptStep.choice.is_not(None))
        .group_by(AttemptStep.skill, AttemptStep.rating, AttemptStep.phase, AttemptStep.phase_claimed)
    )


class StepCount(NamedTuple):
    skill: str | None
    rating: str | None
    phase: str | None
    phase_claimed: str | None
    taken: int  # choices


def step_counts(
    team_ids: Collection[int], scenario: str | None = None, since: datetime | None = None
) -> list[StepCount]:
    """The team's choices counted (_step_counts_statement), for phase_matrix and skill_scores: a
    page that shows both reads them once and hands them to each."""
    attempts = attempts_of(team_ids, scenario, since=since)
    rows = db.session.execute(_step_counts_statement(attempts.shape), attempts.params).all()
    return [StepCount(*row) for row in rows]


def _sql_order(value: str | None) -> tuple[bool, str]:
    """SQLite's order of a text column (NULL first), that the grouped reads came in before they
    were read once: where it settled a tie, it still does."""
    return (value is not None, value or "")


def phase_matrix(
    team_ids: Collection[int],
    scenario: str | None = None,
    course_id: str | None = None,
    since: datetime | None = None,
    language: str | None = None,
    counts: list[StepCount] | None = None,
) -> PhaseMatrix:
    """Signal reading: true phase (rows) against the phase claimed (columns), with counts.
    `counts`: the step_counts of the same teams and scenario, when the caller has them."""
    read: dict[tuple[str, str | None], int] = {}
    for step in counts if counts is not None else step_counts(team_ids, scenario, since):
        if step.phase is not None:
            read[(step.phase, step.phase_claimed)] = (
                read.get((step.phase, step.phase_claimed), 0) + step.taken
            )
    rows = [(t, c, n) for (t, c), n in sorted(read.items(), key=lambda i: (i[0][0], _sql_order(i[0][1])))]
    course = _course(course_id, language)
    phases = [(p.id, p.title) for p in course.phases] if course else []
    known = {p for p, _ in phases}
    for true, claimed, _ in rows:
        for p in (true, claimed):
            if p and p not in known:
                phases.append((p, labels.phase_title(course, p)))
                known.add(p)
    read_as = {(t, c or ""): n for t, c, n in rows}
    matrix: list[PhaseRow] = []
    for true, title in phases:
        cells = [read_as.get((true, claimed), 0) for claimed, _ in phases]
        none = read_as.get((true, ""), 0)
        total = sum(cells) + none
        if total == 0:
            continue
        right = read_as.get((true, true), 0)
        matrix.append(
            {
                "phase": true,
                "title": title,
                "cells": cells,
                "none": none,
                "total": total,
                "accuracy": round(100 * right / total) if total else None,
            }
        )
    return {
        "phases": phases,
        "rows": matrix,
        "total": sum(r["total"] for r in matrix),
        "correct": sum(read_as.get((p, p), 0) for p, _ in phases),
    }


def signal_readings(
    team_ids: Collection[int],
    scenario: str | None = None,
    trainee_id: int | None = None,
    course_id: str | None = None,
    language: str | None = None,
) -> list[SignalReading]:
    """Signal picking, observation by observation (services/signal_picks.py): the right signals
    the team misses and the distractors it takes for signals, most often wrong first, each
    named by the course's words for it when the scenario links one (`phase-signal:`)."""
    attempts = attempts_of(team_ids, scenario, trainee_id=trainee_id)
    found = signal_picks.results(team_attempts(*attempts.shape), attempts.params)
    if not found:
        return []
    course = _course(course_id, language)  # the course's words in the reader's language
    out: list[SignalReading] = []
    for r in found:
        parsed = signals.parse_phase_signal(r.phase_signal)
        out.append(
            {
                "key": r.key,
                "label": signals.phase_signal_text(course, r.phase_signal) or r.label,
                "example": r.label,
                "right": r.right,
                "seen": r.seen,
                "wrong": r.wrong,
                "percent_wrong": r.percent_wrong,
                "reading": labels.phase_title(course, r.reading) if r.reading else None,
                "signal_of": labels.phase_title(course, parsed[0]) if parsed else None,
            }
        )
    return out


def skill_scores(
    team_ids: Collection[int], scenario: str | None = None, counts: list[StepCount] | None = None
) -> list[SkillScore]:
    """Per skill tag: choices made and the share rated best or good. `counts`: the step_counts
    of the same teams and scenario, when the caller has them."""
    rated: dict[tuple[str | None, str | None], int] = {}
    for step in counts if counts is not None else step_counts(team_ids, scenario):
        rated[(step.skill, step.rating)] = rated.get((step.skill, step.rating), 0) + step.taken
    rows = [
        (k, r, n)
        for (k, r), n in sorted(rated.items(), key=lambda i: (_sql_order(i[0][0]), _sql_order(i[0][1])))
    ]
    skills: defaultdict[str, dict[str, int]] = defaultdict(lambda: {"total": 0, "good": 0, "poor": 0})
    for skill, rating, count in rows:
        entry = skills[skill or "untagged"]
        entry["total"] += count
        entry["good"] += count if rating in GOOD_RATINGS else 0
        entry["poor"] += count if rating == "poor" else 0
    out: list[SkillScore] = [
        {
            "skill": s,
            "title": vocabulary.skill_title(s),
            "total": v["total"],
            "good": v["good"],
            "poor": v["poor"],
            "score": round(100 * v["good"] / v["total"]) if v["total"] else None,
        }
        for s, v in skills.items()
    ]
    out.sort(key=lambda s: (s["score"] if s["score"] is not None else 101, s["title"]))
    return out


@lru_cache(maxsize=1)
def _scenario_scores_statement() -> Select[Any]:
    return (
        select(
            ScenarioAttempt.scenario_slug,
            func.count(),
            func.sum(case((ScenarioAttempt.status == "finished", 1), else_=0)),
            func.avg(ScenarioAttempt.percent),
            func.sum(case((ScenarioAttempt.passed.is_(True), 1), else_=0)),
            func.count(func.distinct(ScenarioAttempt.user_id)),
        )
        .where(ScenarioAttempt.id.in_(team_attempts()))
        .group_by(ScenarioAttempt.scenario_slug)
        .order_by(ScenarioAttempt.scenario_slug)
    )


def scenario_scores(team_ids: Collection[int]) -> list[ScenarioScores]:
    rows = db.session.execute(_scenario_scores_statement(), attempts_of(team_ids).params).all()
    return [
        {
            "slug": slug,
            "attempts": n,
            "finished": int(finished or 0),
            "average": round(float(avg)) if avg is not None else None,
            "passed": int(passed or 0),
            "trainees": people,
        }
        for slug, n, finished, avg, passed, people in rows
    ]
