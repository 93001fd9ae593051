"""Sessions: one row per logged-in browser. The signed cookie (and the remember-me cookie)
carry only a random token; this row is what makes it someone. Deleting it ends the session on
every app host at once."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow


class UserSession(Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the token: a read of this table gives no one a session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))
    browser: Mapped[str | None] = mapped_column(String(200))
    remember: Mapped[bool] = mapped_column(default=False)

    user = relationship("User")

    def __repr__(self):
        return f"<UserSession {self.id} user={self.user_id}>"
