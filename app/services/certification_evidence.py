"""Stage certification, the evidence: every record of one trainee that can count toward a
certificate (challenge passes, passed checks, passed observations), which of them fall inside a
campaign, and the observed role-play a certificate keeps. Read by services/certification.py."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import formats
from app.content import certification as rules
from app.extensions import db
from app.models import ContentVersion, ObservedRolePlay, QuizAttempt, ScenarioAttempt


def _in_campaign(moment, opens):
    """`moment` naive UTC; `opens` the campaign's first day, or the moment of a revocation."""
    if isinstance(opens, datetime):
        return rules.in_campaign(moment, opens)
    return moment is not None and rules.in_campaign(formats.local(moment).date(), opens)


@dataclass
class Evidence:
    """Every record of one trainee that can count toward a certificate, read in three
    statements for all the stages at once: challenge passes, passed checks, passed observations."""

    passes: list  # [(ScenarioAttempt, version number)]
    checks: list  # [(QuizAttempt, version number)], best first
    observed: list  # [ObservedRolePlay], newest first

    @classmethod
    def of(cls, user_id, course_id):
        passes = db.session.execute(
            select(ScenarioAttempt, ContentVersion.version)
            .join(ContentVersion, ContentVersion.id == ScenarioAttempt.version_id)
            .where(
                ScenarioAttempt.user_id == user_id,
                ScenarioAttempt.mode == "challenge",
                ScenarioAttempt.status == "finished",
                ScenarioAttempt.passed.is_(True),
            )
        ).all()
        checks = db.session.execute(
            select(QuizAttempt, ContentVersion.version)
            .join(ContentVersion, ContentVersion.id == QuizAttempt.version_id)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.passed.is_(True))
            .order_by(QuizAttempt.percent.desc(), QuizAttempt.id)
        ).all()
        observed = db.session.scalars(
            select(ObservedRolePlay)
            .where(
                ObservedRolePlay.trainee_id == user_id,
                ObservedRolePlay.course_slug == course_id,
                ObservedRolePlay.passed.is_(True),
            )
            .order_by(ObservedRolePlay.observed_on.desc(), ObservedRolePlay.id.desc())
        ).all()
        return cls(list(passes), list(checks), list(observed))

    def challenge_passes(self, slugs, opens):
        """{slug: evidence} of the best challenge pass of each role-play in the campaign."""
        best = {}
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

    def check_pass(self, module_id, opens):
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

    def observation_pass(self, stage_id, opens):
        for seen in self.observed:
            if seen.stage_id == stage_id and rules.in_campaign(seen.observed_on, opens):
                return {
                    "observation": seen.id,
                    "observed_on": seen.observed_on.isoformat(),
                    "levels": seen.levels,
                    "course_version_id": seen.course_version_id,
                }
        return None


def observed_evidence(user_id, course_id, stage_id, opens, required):
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
    recorded = [o for o in recorded if rules.in_campaign(o.observed_on, opens)]
    seen = next((o for o in recorded if o.passed), recorded[0] if recorded else None)
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
