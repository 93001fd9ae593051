"""Coaching a trainee: the skills and phases to work on (from the attempts that did not pass),
an attempt's transcript with the text the trainee read and the coach notes, and the lists of
a trainee's attempts and knowledge checks for the drill-down."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TypedDict

from sqlalchemy import Select, and_, bindparam, case, func, literal, or_, select, union_all

from app import vocabulary
from app.content import engine, hindsight, labels
from app.content.model import Scenario
from app.extensions import db
from app.models import AttemptStep, QuizAttempt, ScenarioAttempt, User
from app.models.learning import phase_read, read_right
from app.services import publishing, replays, signal_picks, translations
from app.services.assignments import manager_scope
from app.services.team_analytics import GOOD_RATINGS, attempts_of, team_attempts

# A skill or a phase is worth coaching under this share of good reads, with enough evidence.
COACH_BELOW = 60
COACH_MIN_CHOICES = 2


class Evidence(TypedDict):
    id: int  # the attempt's
    scenario: str
    started: datetime | None


class SkillToCoach(TypedDict):
    skill: str
    title: str
    score: int  # percent of good choices
    total: int
    failed_attempts: int
    attempts: list[Evidence]


class PhaseToCoach(TypedDict):
    phase: str
    title: str
    score: int  # percent of right readings
    total: int
    failed_attempts: int
    attempts: list[Evidence]


class _ToCoach(TypedDict):
    skills: list[SkillToCoach]
    phases: list[PhaseToCoach]


class TraineeToCoach(_ToCoach):
    id: int
    name: str
    worst: int  # the lowest score of the skills and phases


@dataclass
class _Tally:
    """One trainee's choices on one skill (good ones) or one phase (right readings), as the
    database counted them, with the latest attempts that show a weak one."""

    total: int
    good: int
    failed_attempts: int
    evidence: list[Evidence] = field(default_factory=list)


@cache
def _to_coach_statement(shape: tuple[bool, bool, bool]) -> Select[Any]:
    """Per trainee, skill and phase of the attempts that did not pass: the choices, the good
    ones, the attempts, and the latest `limit_attempts` attempts with a weak one, counted in
    the database (a team's history is tens of thousands of steps; Python only sees the entries
    that may be coached). Built once per shape of team_analytics.team_attempts."""
    not_passed = team_attempts(*shape).where(
        or_(
            ScenarioAttempt.status == "abandoned",
            and_(ScenarioAttempt.status == "finished", ScenarioAttempt.passed.is_not(True)),
        )
    )
    steps = (
        select(
            ScenarioAttempt.user_id,
            AttemptStep.attempt_id,
            func.coalesce(func.nullif(AttemptStep.skill, ""), "untagged").label("skill"),
            case((AttemptStep.rating.in_(GOOD_RATINGS), 1), else_=0).label("skill_good"),
            phase_read().label("phase"),  # a choice's phase or a pick's reading, by the one rule
            case((read_right(), 1), else_=0).label("phase_good"),
        )
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(AttemptStep.attempt_id.in_(not_passed), AttemptStep.choice.is_not(None))
        .cte("steps")
    )
    flat = union_all(
        select(
            literal("skill").label("kind"),
            steps.c.user_id,
            steps.c.skill.label("key"),
            steps.c.skill_good.label("good"),
            steps.c.attempt_id,
        ),
        select(
            literal("phase"),
            steps.c.user_id,
            steps.c.phase,
            steps.c.phase_good,
            steps.c.attempt_id,
        ).where(steps.c.phase.is_not(None), steps.c.phase != ""),
    ).cte("flat")
    # one row per entry and attempt, then, over each entry's attempts, its totals and the rank
    # of the attempt: the weak ones first (a step not good), the latest first
    entry = (flat.c.kind, flat.c.user_id, flat.c.key)
    tallied = (
        select(*entry, flat.c.attempt_id, func.count().label("choices"), func.sum(flat.c.good).label("good"))
        .group_by(*entry, flat.c.attempt_id)
        .subquery()
    )
    per_attempt = (
        select(
            tallied,
            ScenarioAttempt.scenario_slug.label("slug"),
            ScenarioAttempt.started_at.label("started"),
        )
        .join(ScenarioAttempt, ScenarioAttempt.id == tallied.c.attempt_id)
        .subquery()
    )
    whole = (per_attempt.c.kind, per_attempt.c.user_id, per_attempt.c.key)
    weak = per_attempt.c.good < per_attempt.c.choices
    ranked = select(
        per_attempt.c.kind,
        per_attempt.c.user_id,
        per_attempt.c.key,
        func.sum(per_attempt.c.choices).over(partition_by=whole).label("total"),
        func.sum(per_attempt.c.good).over(partition_by=whole).label("good"),
        func.count().over(partition_by=whole).label("attempts"),
        func.row_number()
        .over(
            partition_by=whole,
            order_by=(
                case((weak, 0), else_=1),
                per_attempt.c.started.desc().nulls_last(),
                per_attempt.c.attempt_id,
            ),
        )
        .label("rank"),
        case((weak, per_attempt.c.attempt_id)).label("attempt_id"),
        per_attempt.c.slug,
        per_attempt.c.started,
    ).subquery()
    # a loose bound (a share under COACH_BELOW before rounding): coaching_list applies the rule
    return (
        select(
            ranked.c.kind,
            ranked.c.user_id,
            ranked.c.key,
            ranked.c.total,
            ranked.c.good,
            ranked.c.attempts,
            ranked.c.attempt_id,
            ranked.c.slug,
            ranked.c.started,
            User.name,  # the trainee's, read here: no statement more for the names
        )
        .join(User, User.id == ranked.c.user_id)
        .where(
            ranked.c.rank <= bindparam("limit_attempts"),
            ranked.c.total >= COACH_MIN_CHOICES,
            100 * ranked.c.good < COACH_BELOW * ranked.c.total,
        )
        .order_by(ranked.c.user_id, ranked.c.kind.desc(), ranked.c.key, ranked.c.rank)
    )


def coaching_list(
    team_ids: Iterable[int],
    scenario: str | None = None,
    limit_attempts: int = 3,
    trainee_id: int | None = None,
) -> list[TraineeToCoach]:
    """For each trainee (or only `trainee_id`, for their page: it reads their steps, not the
    team's), the skills and phases to work on (under COACH_BELOW percent of good choices or
    right reads, with at least COACH_MIN_CHOICES choices), with the attempts that show it
    (most recent first). Only attempts that did not pass count (finished below the pass, or
    started over): a weak choice on the way to a pass is not a weakness to coach."""
    attempts = attempts_of(team_ids, scenario, trainee_id)
    rows = db.session.execute(  # at least one row per entry, whatever the limit
        _to_coach_statement(attempts.shape), {**attempts.params, "limit_attempts": max(limit_attempts, 1)}
    ).all()
    tallies: dict[tuple[str, int, str], _Tally] = {}
    names: dict[int, str] = {}
    for kind, user_id, key, total, good, failed_attempts, attempt_id, slug, started, name in rows:
        names[user_id] = name
        entry = tallies.get((kind, user_id, key))
        if entry is None:
            entry = tallies[(kind, user_id, key)] = _Tally(int(total), int(good or 0), int(failed_attempts))
        if attempt_id is not None and len(entry.evidence) < limit_attempts:
            entry.evidence.append({"id": attempt_id, "scenario": slug, "started": started})
    out: defaultdict[int, _ToCoach] = defaultdict(lambda: {"skills": [], "phases": []})
    course = publishing.published_course(publishing.course_id())
    skill_title = cache(vocabulary.skill_title)  # a few tags over every trainee
    for (kind, user_id, key), entry in tallies.items():
        share = round(100 * entry.good / entry.total)
        if not (entry.total >= COACH_MIN_CHOICES and share < COACH_BELOW):
            continue
        if kind == "skill":
            out[user_id]["skills"].append(
                {
                    "skill": key,
                    "title": skill_title(key),
                    "score": share,
                    "total": entry.total,
                    "failed_attempts": entry.failed_attempts,
                    "attempts": entry.evidence,
                }
            )
        else:
            out[user_id]["phases"].append(
                {
                    "phase": key,
                    "title": labels.phase_title(course, key),
                    "score": share,
                    "total": entry.total,
                    "failed_attempts": entry.failed_attempts,
                    "attempts": entry.evidence,
                }
            )
    result: list[TraineeToCoach] = []
    for user_id, found in out.items():
        found["skills"].sort(key=lambda s: (s["score"], s["skill"]))
        found["phases"].sort(key=lambda p: (p["score"], p["phase"]))
        result.append(
            {
                "id": user_id,
                "name": names.get(user_id, str(user_id)),
                **found,
                "worst": min([s["score"] for s in found["skills"] + found["phases"]], default=100),
            }
        )
    result.sort(key=lambda r: (r["worst"], r["name"].lower()))
    return result


# --- one trainee ------------------------------------------------------------------------------------


def trainee_attempts(trainee_id: int) -> Sequence[ScenarioAttempt]:
    return db.session.scalars(
        select(ScenarioAttempt)
        .where(ScenarioAttempt.user_id == trainee_id)
        .options(db.selectinload(ScenarioAttempt.comments))
        .order_by(ScenarioAttempt.started_at.desc(), ScenarioAttempt.id.desc())
    ).all()


def trainee_quizzes(trainee_id: int) -> Sequence[QuizAttempt]:
    return db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == trainee_id).order_by(QuizAttempt.created_at.desc())
    ).all()


def attempt_in_scope(user: User, attempt_id: object) -> ScenarioAttempt:
    """A scenario attempt of a trainee the user manages; NotInScope otherwise (the view's 404)."""
    attempt = db.session.get(ScenarioAttempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None:
        raise manager_scope.NotInScope("attempt")
    manager_scope.trainee_in_scope(user, attempt.user_id)
    return attempt


@dataclass
class TranscriptStep:
    seq: int
    node_id: str
    caption: str  # the first words the trainee read at this step
    skill: str | None  # in words
    phase: str | None  # the phase's title
    phase_claimed: str | None  # the title of the phase the trainee's choice claimed
    phase_correct: bool | None
    # Author Markdown, as written: the page renders it (md, md_inline, md_values with `known`)
    narrative: str
    known: dict[str, Any]  # the values the trainee's scene was filled with
    choice_label: str
    feedback: str
    coach_notes: str
    rating: str | None
    deltas: dict[str, int]
    is_continue: bool
    at: datetime
    kind: str = "choice"  # choice, continue, sheet
    # a sheet's figures as graded (effects["figures"])
    figures: list[dict[str, Any]] = field(default_factory=list)
    signals: list[signal_picks.Graded] = field(default_factory=list)  # a signal pick, per observation


class Ending(TypedDict):
    node: str
    headline: str
    narrative: str  # author Markdown
    debrief: str
    coach_notes: str
    known: dict[str, Any]  # the values the ending's text is filled with


class Transcript(TypedDict):
    scenario: Scenario | None
    steps: list[TranscriptStep]
    ending: Ending | None
    language: str | None


def _values_before(scenario: Scenario | None, attempt: ScenarioAttempt) -> dict[int, dict[str, Any]]:
    """{seq: the values a step's text was filled with when the trainee read it}. A step records
    its node and choice, not the state, so the conversation (a replay's included) is replayed
    through the engine; a step where the record and the content part ways gets none."""
    if scenario is None:
        return {}
    replayed = hindsight.replay(scenario, replays.path_of(attempt))
    return {r.seq: engine.values(scenario, r.state) for r in replayed}


def transcript(attempt: ScenarioAttempt) -> Transcript:
    """Each step with the node's text, the choice, its feedback and the coach notes, from the
    version the attempt was played on, in the language it was played in (the manager reads what
    the trainee read). Author Markdown is handed over as written: the page renders it."""
    version = attempt.version
    if attempt.translation_id is not None:
        scenario: Scenario | None = translations.value_by_id(attempt.translation_id)
    else:
        scenario = publishing.value_of(version) if version else None
    course = translations.localized_course(
        scenario.course if scenario else publishing.course_id(), attempt.language
    )
    filled = _values_before(scenario, attempt)
    steps: list[TranscriptStep] = []
    for step in attempt.steps:
        known = filled.get(step.seq, {})
        node = scenario.node(step.node) if scenario else None
        choice = (
            node.choices[step.choice]
            if node and step.choice is not None and step.choice < len(node.choices)
            else None
        )
        label = choice.label if choice else step.choice_label or ""
        effects = step.effects or {}  # the StepOutcome as role_play_steps.take_step recorded it
        feedback, deltas = effects.get("feedback", ""), effects.get("deltas") or {}
        steps.append(
            TranscriptStep(
                seq=step.seq,
                node_id=step.node,
                caption=labels.node_caption(node),
                skill=vocabulary.skill_title(step.skill) if step.skill else None,
                phase=labels.phase_title(course, step.phase) if step.phase else None,
                phase_claimed=labels.phase_title(course, step.phase_claimed) if step.phase_claimed else None,
                phase_correct=step.phase_correct,
                narrative=node.narrative if node else "",
                known=known,
                choice_label=engine.interpolate(label, known, escape=False),
                feedback=feedback or "",
                coach_notes=node.sections.get("Coach notes", "") if node else "",
                rating=step.rating,
                deltas=deltas if isinstance(deltas, dict) else {},
                is_continue=step.choice is None,
                at=step.created_at,
                kind=step.kind,
                figures=list(effects.get("figures") or []),
                signals=signal_picks.graded(attempt, node, step),
            )
        )
    ending: Ending | None = None
    if scenario is not None and attempt.status == "finished":
        node = scenario.node(attempt.current_node)
        if node is not None:
            try:
                known = engine.values(scenario, attempt.state)
            except Exception:  # an old state that no longer fits: show the text uninterpolated
                known = {}
            ending = {
                "node": node.id,
                "headline": vocabulary.ending_headline(scenario, node.id, attempt.outcome),
                # author Markdown: the page renders it with the attempt's values (md_values)
                "narrative": node.narrative,
                "debrief": node.sections.get("Debrief", ""),
                "coach_notes": node.sections.get("Coach notes", ""),
                "known": known,
            }
    return {"scenario": scenario, "steps": steps, "ending": ending, "language": attempt.language}
