"""Stage certificates and the managers' observed role-plays they may count. Both are appended,
never edited (a certificate's revocation is the one later mark): a certificate states what was
earned on a day; a new campaign issues a new one."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow


class Certificate(Model):
    """One stage certified for one trainee in one campaign (see content/certification.py). The
    (trainee, course, stage, campaign) key makes issuing idempotent: a double click, a second
    tab or two hosts issue one certificate. `uuid` (uuid4) names it on the public page; the
    holder's name and the stage's title are kept as they were on the day it was issued."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", "stage_id", "campaign"),
        Index("ix_certificates_expires_on", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(120))
    stage_id: Mapped[str] = mapped_column(String(120))
    stage_title: Mapped[str] = mapped_column(String(300))
    course_title: Mapped[str] = mapped_column(String(300))
    holder_name: Mapped[str] = mapped_column(String(200))
    campaign: Mapped[int]  # 1 for the first certification, then 2, 3...
    issued_on: Mapped[date]  # the organisation's day (formats.today)
    expires_on: Mapped[date]  # the first day it is no longer valid
    valid_months: Mapped[int]
    score: Mapped[int | None]  # the mean of the scores below
    # What it was earned on: {"course_version": id, "modules": {...}, "role_plays": {slug:
    # {attempt, percent, version, version_id, finished_at}}, "check": {...}, "observed": {...}}
    evidence: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Withdrawn by an admin or the holder's manager: no longer valid from that moment, whatever
    # its expiry; the stage can be certified again. The reason is for the audit log and the
    # manager, never the public page.
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])


class ObservedRolePlay(Model):
    """A live role-play a manager watched, scored on the stage's rubric from course.md.
    `submission` is the form's one-time token: a double submit records it once."""

    __tablename__ = "observed_role_plays"
    __table_args__ = (Index("ix_observed_role_plays_trainee_stage", "trainee_id", "course_slug", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    course_slug: Mapped[str] = mapped_column(String(120))
    stage_id: Mapped[str] = mapped_column(String(120))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    observed_on: Mapped[date]
    levels: Mapped[dict] = mapped_column(JSON)  # {criterion id: level, 1-based}
    passed: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text, default="")
    submission: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainee = relationship("User", foreign_keys=[trainee_id])
    observer = relationship("User", foreign_keys=[observer_id])
