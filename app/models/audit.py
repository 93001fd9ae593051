"""Security audit log: failed logins, limits reached, refused accesses, admin actions and content
publications. Never secrets."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow

# What each kind records, in the admin's words (the audit page's filter and its CSV).
KINDS = {
    "login-failed": "Failed login",
    "login-limited": "Login limit reached",
    "password-failed": "Wrong current password",
    "password-limited": "Password limit reached",
    "access-refused": "Access refused",
    "user-created": "Account created",
    "user-changed": "Account changed",
    "role-changed": "Role changed",
    "user-deactivated": "Account deactivated",
    "user-reactivated": "Account reactivated",
    "sessions-ended": "Sessions ended",
    "content-published": "Content published",
    "certificate-revoked": "Certificate revoked",
}


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # one of KINDS
    # Who did it (None: not logged in, or the command line).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(String(500))
    # Whom an admin action was about, and what was done ("role trainee -> manager", "scenario x v3").
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user = relationship("User", foreign_keys=[user_id])
    target = relationship("User", foreign_keys=[target_user_id])

    @property
    def label(self):
        return KINDS.get(self.kind, self.kind)
