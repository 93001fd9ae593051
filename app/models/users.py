"""Users and teams."""

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import Model
from app.models.base import utcnow


class Role(StrEnum):
    TRAINEE = "trainee"
    MANAGER = "manager"
    TRAINER = "trainer"
    ADMIN = "admin"


class Team(Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    manager: Mapped["User | None"] = relationship(foreign_keys=[manager_id])
    members: Mapped[list["User"]] = relationship(
        back_populates="team", foreign_keys="User.team_id", order_by="User.name"
    )


def password_hash_method() -> str:
    """scrypt (memory-hard) everywhere but in the tests' configuration, where hashing took 40%
    of the suite's time; a stored hash names its method, so every one of them still checks."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


class User(UserMixin, Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see normalise_email), so uniqueness ignores case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.TRAINEE.value)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    hire_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when a trainee dismissed the first-visit welcome (None: it is still shown)
    welcomed_at: Mapped[datetime | None]
    # The bell's number, kept with the user (app/services/notifications.py) so that the header
    # of every page shows it without a query of its own.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")
    # The interface's language the user chose ('en', 'fr'; app/i18n.py); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(8))
    # The language their browser asked for at their last sign-in: what the mail and notifications
    # sent while they are away use when they chose none (a page follows the browser it is read in).
    browser_language: Mapped[str | None] = mapped_column(String(8))

    team: Mapped["Team | None"] = relationship(back_populates="members", foreign_keys=[team_id])

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    # The token of the session this request runs in (app/services/sessions.py), not a column:
    # what Flask-Login keeps in the cookies is the session's token, never the user id.
    # Their types are declared for mypy alone: SQLAlchemy reads every annotation of the class
    # as a column's.
    if TYPE_CHECKING:
        session_token: str | None
        session_id: int | None
    session_token = None
    session_id = None

    def get_id(self) -> str | None:
        return self.session_token

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {r.value if isinstance(r, Role) else r for r in roles}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()
