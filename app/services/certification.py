"""Stage certification, the use cases: where each stage of the published course stands for one
trainee (its certificate, the campaign under way and what it still asks for), issuing the
certificate (once per stage and campaign, whatever the clicking), and the team's certificates
for the manager's dashboard and CSV.

The rules (expiry, notice, campaigns, the draw) are pure, in app/content/certification.py;
completion is the one fold of content/completion.py, read through services/progress.py; the
stage's role-plays are those services/stages.py lists; the records that count are read by
services/certification_evidence.py. A recertification's draw is seeded by
the campaign, so it stays the same on every page load until the campaign is won."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from app import formats
from app.content import certification as rules
from app.content.model import Stage, StageCertification
from app.extensions import db
from app.models import Certificate, User
from app.models.base import utcnow
from app.services import mail, publishing, stages
from app.services.certification_evidence import Evidence, observed_evidence
from app.services.outline import Outline, load_outline
from app.services.progress import CourseProgress, StageProgress, progress_of


class Refused(ValueError):
    """Not certified yet; the message says what is missing. Nothing was written."""


@dataclass
class Requirement:
    kind: str  # modules, role-play, check, observed
    label: str
    done: bool
    slug: str | None = None  # the role-play or module to go to
    # What the certificate keeps of it; its shape follows the kind (certification_evidence's
    # ChallengePass, CheckPass, ObservationPass; {module id: {percent}} for the modules).
    evidence: Any = None


@dataclass
class StageCertificate:
    """One stage for one trainee: its latest certificate and the campaign open now, if any."""

    stage_id: str
    title: str
    settings: StageCertification | None  # None from held(), which reads certificates alone
    latest: Certificate | None
    today: date
    campaign: int | None = None  # None: certified, no campaign open
    opens: date | datetime | None = None  # the first day, or the revocation (naive UTC)
    requirements: list[Requirement] = field(default_factory=list)
    # A renewal of a certificate that ran its course (one role-play and one check drawn); after
    # a revoked one the stage is certified again in full.
    recertification: bool = False

    @property
    def revoked(self) -> bool:
        return self.latest is not None and self.latest.revoked_at is not None

    @property
    def valid(self) -> bool:
        return self.latest is not None and is_valid(self.latest, self.today)

    @property
    def expiring_soon(self) -> bool:
        return (
            self.latest is not None and self.valid and rules.expiring_soon(self.latest.expires_on, self.today)
        )

    @property
    def ready(self) -> bool:
        return (
            self.campaign is not None and bool(self.requirements) and all(r.done for r in self.requirements)
        )

    @property
    def state(self) -> str:
        """certified, expiring, expired, revoked, ready, in-progress."""
        if self.valid:
            return "expiring" if self.expiring_soon else "certified"
        if self.latest is not None and not self.ready:
            return "revoked" if self.revoked else "expired"
        return "ready" if self.ready else "in-progress"


def stage_certificates(
    user: User,
    today: date | None = None,
    language: str | None = None,
    progress: CourseProgress | None = None,
) -> list[StageCertificate]:
    """[StageCertificate] for every stage of the published course, in course order; `language`:
    the reader's, for the titles the requirements name (translated where a translation is live);
    `progress`: the trainee's progress through the published course, when the page has read it
    (in any language: the requirements read its fold, not its titles)."""
    today = today or formats.today()
    outline = load_outline(language=language)
    course = outline.course
    if course is None:
        return []
    if progress is None or progress.id != course.id:
        progress = progress_of(user.id)
    latest = _latest_certificates(user.id, course.id)
    role_plays = stages.role_plays_by_stage(course.id)
    evidence = Evidence.of(user.id, course.id)
    out: list[StageCertificate] = []
    for stage in course.stages:
        status = StageCertificate(stage.id, stage.title, stage.certification, latest.get(stage.id), today)
        previous = status.latest
        if previous is None:
            status.campaign, status.opens = 1, None
        elif previous.revoked_at is not None:
            # Evidence from before the revocation does not count again.
            status.campaign, status.opens = previous.campaign + 1, previous.revoked_at
        elif today >= rules.notice_on(previous.expires_on):
            status.campaign, status.opens = previous.campaign + 1, rules.campaign_opens(previous.expires_on)
            status.recertification = True
        if status.campaign is not None:
            stage_progress = (
                next((s for s in progress.stages if s.id == stage.id), None) if progress else None
            )
            status.requirements = _requirements(
                user,
                course.id,
                stage,
                stage_progress,
                outline,
                sorted(slug for slug, _ in role_plays.get(stage.id, [])),
                status.campaign,
                status.opens,
                evidence,
                status.recertification,
            )
        out.append(status)
    return out


# The dashboard's one statement, built once (building and keying it cost more than running it).
_CERTIFICATES_OF = (
    select(Certificate).where(Certificate.user_id == bindparam("user_id")).order_by(Certificate.campaign)
)


def held(user: User, today: date | None = None) -> list[StageCertificate]:
    """[StageCertificate] of the stages the trainee holds a certificate for (valid, expiring or
    expired), from their certificates alone: one statement, for the dashboard. What a campaign
    still asks for is on My progress (stage_certificates)."""
    today = today or formats.today()
    latest: dict[tuple[str, str], Certificate] = {}
    for cert in db.session.scalars(_CERTIFICATES_OF, {"user_id": user.id}):
        latest[(cert.course_slug, cert.stage_id)] = cert
    return [
        StageCertificate(c.stage_id, c.stage_title, None, c, today)
        for c in sorted(latest.values(), key=lambda c: (c.issued_on, c.id))
    ]


# My progress's, likewise
_CERTIFICATES_IN = (
    select(Certificate)
    .where(Certificate.user_id == bindparam("user_id"), Certificate.course_slug == bindparam("course"))
    .order_by(Certificate.campaign)
)


def _latest_certificates(user_id: int, course_id: str) -> dict[str, Certificate]:
    rows = db.session.scalars(_CERTIFICATES_IN, {"user_id": user_id, "course": course_id}).all()
    return {c.stage_id: c for c in rows}


def _requirements(
    user: User,
    course_id: str,
    stage: Stage,
    stage_progress: StageProgress | None,
    outline: Outline,
    slugs: list[str],
    campaign: int,
    opens: date | datetime | None,
    evidence: Evidence,
    recertification: bool,
) -> list[Requirement]:
    settings = stage.certification
    modules = list(stage_progress.modules) if stage_progress else []
    done = bool(modules) and all(m.complete for m in modules)
    out = [
        Requirement(
            "modules",
            _("Every module of the stage complete"),
            done,
            evidence={m.id: {"percent": m.quiz_best} for m in modules},
        )
    ]
    if recertification:
        # Recertification: one role-play and one module's check, drawn once per campaign.
        slugs = [s for s in [rules.draw(slugs, user.id, course_id, stage.id, campaign)] if s]
        checked = [m.id for m in modules if m.has_quiz]
        module_id = rules.draw(checked, user.id, course_id, stage.id, campaign)
        if module_id:
            passed = evidence.check_pass(module_id, opens)
            out.append(
                Requirement(
                    "check",
                    _("Pass the knowledge check of “%(module)s”", module=outline.modules[module_id].title),
                    passed is not None,
                    module_id,
                    passed,
                )
            )
    passes = evidence.challenge_passes(slugs, opens)
    for slug in slugs:
        title = outline.titles.get(("scenario", slug), slug)
        out.append(
            Requirement(
                "role-play",
                _("Pass “%(title)s” in challenge mode", title=title),
                slug in passes,
                slug,
                passes.get(slug),
            )
        )
    if settings.observed == "required":
        seen = evidence.observation_pass(stage.id, opens)
        out.append(
            Requirement(
                "observed",
                _("A live role-play observed by your manager, passed on the rubric"),
                seen is not None,
                evidence=seen,
            )
        )
    return out


# --- issuing --------------------------------------------------------------------------------------


def issue(
    user: User, stage_id: str, today: date | None = None, language: str | None = None
) -> tuple[Certificate, bool]:
    """The certificate of the campaign open for `stage_id`: (certificate, True) when issued now,
    (certificate, False) when this campaign's was issued before (a double click, a second tab).
    Refused with what is missing when the stage is not certified yet. `language`: the trainee's
    reading language; the refusal names what is missing in it, and the certificate keeps the
    stage's and course's titles as the trainee read them (a French rep's certificate is French)."""
    today = today or formats.today()
    status = next((s for s in stage_certificates(user, today, language) if s.stage_id == stage_id), None)
    if status is None:
        raise Refused(_("There is no such stage in the course."))
    if status.campaign is None:
        assert status.latest is not None  # no campaign open: the stage is certified
        return status.latest, False
    if not status.ready:
        missing = [r.label for r in status.requirements if not r.done]
        raise Refused(
            _("Not yet: %(missing)s.", missing="; ".join(missing or [_("the stage has nothing to certify")]))
        )
    course = load_outline(language=language).course
    assert course is not None and status.settings is not None  # stage_certificates found the stage in it
    versions = publishing.published("course", course.id)
    evidence: dict[str, Any] = {
        "course_version_id": versions.id if versions else None,
        "course_version": versions.version if versions else None,
        "campaign": status.campaign,
        "role_plays": {},
        "checks": {},
        "observed": None,
    }
    scores: list[int] = []
    for requirement in status.requirements:
        if requirement.kind == "role-play":
            evidence["role_plays"][requirement.slug] = requirement.evidence
            scores.append(requirement.evidence["percent"])
        elif requirement.kind == "check":
            evidence["checks"][requirement.slug] = requirement.evidence
            scores.append(requirement.evidence["percent"])
        elif requirement.kind == "modules" and not status.recertification:
            found = Evidence.of(user.id, course.id)
            evidence["checks"] = {
                m: c for m in requirement.evidence if (c := found.check_pass(m, status.opens))
            }
            scores.extend(c["percent"] for c in evidence["checks"].values())
    if status.settings.observed != "off":
        evidence["observed"] = observed_evidence(
            user.id, course.id, stage_id, status.opens, status.settings.observed == "required"
        )
    issued = mail._insert_once(
        Certificate,
        dict(
            uuid=str(uuid.uuid4()),
            user_id=user.id,
            course_slug=course.id,
            stage_id=stage_id,
            stage_title=status.title,
            course_title=course.title,
            holder_name=user.name,
            campaign=status.campaign,
            issued_on=today,
            expires_on=rules.expires_on(today, status.settings.valid_months),
            valid_months=status.settings.valid_months,
            score=round(sum(scores) / len(scores)) if scores else None,
            evidence=evidence,
            created_at=utcnow(),
        ),
        ["user_id", "course_slug", "stage_id", "campaign"],
    )
    certificate = db.session.scalars(
        select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.course_slug == course.id,
            Certificate.stage_id == stage_id,
            Certificate.campaign == status.campaign,
        )
    ).one()  # inserted above, or by the request that won the race
    return certificate, issued is not None


# --- reading certificates -------------------------------------------------------------------------


def certificates_of(user_id: int) -> Sequence[Certificate]:
    """Every certificate of one trainee, the newest first."""
    return db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()


def own_certificate(user: User, certificate_id: int) -> Certificate | None:
    found = db.session.get(Certificate, certificate_id)
    return found if found is not None and found.user_id == user.id else None


def by_uuid(value: str) -> Certificate | None:
    """The certificate a public link names, or None (a malformed or unknown uuid)."""
    try:
        value = str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.uuid == value))


def is_valid(certificate: Certificate, today: date | None = None) -> bool:
    """Valid today: not expired and not revoked."""
    return certificate.revoked_at is None and rules.is_valid(certificate.expires_on, today or formats.today())


@dataclass
class TeamCertificates:
    certified: list[tuple[str, date]]  # (stage title, expires_on) valid today
    expiring: list[tuple[str, date]]  # the valid ones expiring within NOTICE_DAYS
    expired: list[tuple[str, date]]  # stages whose latest certificate has expired
    revoked: list[tuple[str, date]] = field(default_factory=list)  # (stage title, day revoked)


def team_certificates(trainee_ids: Iterable[int], today: date | None = None) -> dict[int, TeamCertificates]:
    """{trainee id: TeamCertificates} for the manager's dashboard and CSV, in one statement;
    each stage by its latest certificate."""
    today = today or formats.today()
    trainee_ids = list(trainee_ids)
    out = {tid: TeamCertificates([], [], []) for tid in trainee_ids}
    if not trainee_ids:
        return out
    latest: dict[tuple[int, str, str], Certificate] = {}
    for cert in db.session.scalars(
        select(Certificate).where(Certificate.user_id.in_(trainee_ids)).order_by(Certificate.campaign)
    ):
        latest[(cert.user_id, cert.course_slug, cert.stage_id)] = cert
    for cert in sorted(latest.values(), key=lambda c: c.expires_on):
        row = out[cert.user_id]
        if cert.revoked_at is not None:
            row.revoked.append((cert.stage_title, formats.local(cert.revoked_at).date()))
        elif rules.is_valid(cert.expires_on, today):
            row.certified.append((cert.stage_title, cert.expires_on))
            if rules.expiring_soon(cert.expires_on, today):
                row.expiring.append((cert.stage_title, cert.expires_on))
        else:
            row.expired.append((cert.stage_title, cert.expires_on))
    return out
