"""Stage certification, the evidence: every record of one trainee that can count toward a
certificate (challenge passes, passed checks, passed observations), which of them fall inside a
campaign, and the observed role-play a certificate keeps. Read by services/certification.py."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self, TypedDict

from sqlalchemy import bindparam, select

from app import formats
from app.content import certification as rules
from app.extensions import db
from app.models import ContentVersion, ObservedRolePlay, QuizAttempt, ScenarioAttempt


def _in_campaign(moment: datetime | None, opens: date | datetime | None) -> bool:
    """`moment` naive UTC; `opens` the campaign's first day, or the moment of a revocation."""
    if isinstance(opens, datetime):
        return rules.in_campaign(moment, opens)
    return moment is not None and rules.in_campaign(formats.local(moment).date(), opens)


class ChallengePass(TypedDict):
    """The best challenge pass of a role-play in a campaign, as a certificate keeps it."""

    attempt: int
    percent: int
    version: int
    version_id: int
    finished_at: str  # ISO 8601


class CheckPass(TypedDict):
    """A passed knowledge check in a campaign, as a certificate keeps it."""

    module: str
    attempt: int
    percent: int
    version: int
    version_id: int


class ObservationPass(TypedDict):
    """A passed observed role-play in a campaign."""

    observation: int
    observed_on: str  # ISO 8601
    levels: dict[str, int]  # {criterion id: level, 1-based}
    course_version_id: int


class ObservedEvidence(TypedDict):
    """The observed role-play a certificate keeps, as it was on the day."""

    observation: int
    observed_on: str  # ISO 8601
    levels: dict[str, int]
    passed: bool
    counted: bool  # the course requires one, and this one passed
    observer: str | None  # None once the observer's account is gone
    notes: str
    course_version_id: int


# Evidence.of's statements, built once (My progress reads them on every view; building and
# keying a statement costs more than running it).
_CHALLENGE_PASSES = (
    select(ScenarioAttempt, ContentVersion.version)
    .join(ContentVersion, ContentVersion.id == ScenarioAttempt.version_id)
    .where(
        ScenarioAttempt.user_id == bindparam("user_id"),
        ScenarioAttempt.mode == "challenge",
        ScenarioAttempt.status == "finished",
        ScenarioAttempt.passed.is_(True),
    )
)
_PASSED_CHECKS = (
    select(QuizAttempt, ContentVersion.version)
    .join(ContentVersion, ContentVersion.id == QuizAttempt.version_id)
    .where(QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.passed.is_(True))
    .order_by(QuizAttempt.percent.desc(), QuizAttempt.id)
)
_OBSERVED = (
    select(ObservedRolePlay)
    .where(
        ObservedRolePlay.trainee_id == bindparam("user_id"),
        ObservedRolePlay.course_slug == bindparam("course"),
        ObservedRolePlay.passed.is_(True),
    )
    .order_by(ObservedRolePlay.observed_on.desc(), ObservedRolePlay.id.desc())
)


@dataclass
class Evidence:
    """Every record of one trainee that can count toward a certificate, read in three
    statements for all the stages at once: challenge passes, passed checks, passed observations."""

    passes: list[tuple[ScenarioAttempt, int]]  # (attempt, version number)
    checks: list[tuple[QuizAttempt, int]]  # (attempt, version number), best first
    observed: list[ObservedRolePlay]  # newest first

    @classmethod
    def of(cls, user_id: int, course_id: str) -> Self:
        passes = db.session.execute(_CHALLENGE_PASSES, {"user_id": user_id}).tuples().all()
        checks = db.session.execute(_PASSED_CHECKS, {"user_id": user_id}).tuples().all()
        observed = db.session.scalars(_OBSERVED, {"user_id": user_id, "course": course_id}).all()
        return cls([(a, v) for a, v in passes], [(a, v) for a, v in checks], list(observed))

    def challenge_passes(
        self, slugs: Collection[str], opens: date | datetime | None
    ) -> dict[str, ChallengePass]:
        """{slug: evidence} of the best challenge pass of each role-play in the campaign."""
        best: dict[str, ChallengePass] = {}
        for attempt, version in self.passes:
            if attempt.scenario_slug not in slugs or not _in_campaign(attempt.finished_at, opens):
                continue
            seen = best.get(attempt.scenario_slug)
            if seen is None or (attempt.percent or 0) > seen["percent"]:
                best[attempt.scenario_slug] = {
                    "attempt": attempt.id,
                    "percent": attempt.percent or 0,
                    "version": version,
                    "version_id": attempt.version_id,
                    "finished_at": formats.iso(attempt.finished_at),
                }
        return best

    def check_pass(self, module_id: str, opens: date | datetime | None) -> CheckPass | None:
        for attempt, version in self.checks:
            if attempt.module_slug == module_id and _in_campaign(attempt.created_at, opens):
                return {
                    "module": module_id,
                    "attempt": attempt.id,
                    "percent": attempt.percent,
                    "version": version,
                    "version_id": attempt.version_id,
                }
        return None

    def observation_pass(self, stage_id: str, opens: date | datetime | None) -> ObservationPass | None:
        for seen in self.observed:
            if seen.stage_id == stage_id and rules.in_campaign(seen.observed_on, opens):
                return {
                    "observation": seen.id,
                    "observed_on": seen.observed_on.isoformat(),
                    "levels": seen.levels,
                    "course_version_id": seen.course_version_id,
                }
        return None


def observed_evidence(
    user_id: int, course_id: str, stage_id: str, opens: date | datetime | None, required: bool
) -> ObservedEvidence | None:
    """The observed role-play a certificate keeps: the newest passed in the campaign (the one
    that counted, when the course requires one), else the newest recorded in it; None when the
    manager recorded none. As it was on the day, for the manager's view of the certificate."""
    recorded = db.session.scalars(
        select(ObservedRolePlay)
        .where(
            ObservedRolePlay.trainee_id == user_id,
            ObservedRolePlay.course_slug == course_id,
            ObservedRolePlay.stage_id == stage_id,
        )
        .order_by(ObservedRolePlay.observed_on.desc(), ObservedRolePlay.id.desc())
    ).all()
    in_campaign = [o for o in recorded if rules.in_campaign(o.observed_on, opens)]
    seen = next((o for o in in_campaign if o.passed), in_campaign[0] if in_campaign else None)
    if seen is None:
        return None
    return {
        "observation": seen.id,
        "observed_on": seen.observed_on.isoformat(),
        "levels": seen.levels,
        "passed": seen.passed,
        "counted": required and seen.passed,
        "observer": seen.observer.name if seen.observer else None,
        "notes": seen.notes,
        "course_version_id": seen.course_version_id,
    }
