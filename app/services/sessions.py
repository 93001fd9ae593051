"""Sessions kept in the database: opened at login, found by the token the cookies carry, ended by
logout, "log out everywhere", a password or role change, a deactivation, an admin, or time.

Why a table of our own rather than Flask-Session's SQLAlchemy backend: Flask-Session stores the
whole session dictionary server-side, so every request would read it and every flash or CSRF
token would write it, and its rows say nothing about whose session they are, so "log out
everywhere" and the list of a user's devices would need this table anyway. Here the signed cookie
keeps what is harmless in the browser (the CSRF token, flashed messages) and the one thing that
makes a cookie someone, the token, is looked up in the same statement that loads the user: no
extra query per request, and no write except last-seen, at most once a minute."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, or_, select
from sqlalchemy.engine import CursorResult

from app.extensions import db
from app.models import User, UserSession
from app.models.base import utcnow

# Last-seen is written when it is older than this, so a trainee stepping through a role-play does
# not pay a write per step; the idle timeout is therefore checked to within this much.
TOUCH_EVERY = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache(maxsize=1)
def _by_token() -> Select[tuple[UserSession, User]]:
    return (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


class Limits:
    """The two clocks of a session: idle (since last seen) and absolute (since login)."""

    def __init__(self, idle: timedelta, lifetime: timedelta) -> None:
        self.idle, self.lifetime = idle, lifetime

    def expired(self, record: UserSession, now: datetime) -> bool:
        return now - record.last_seen_at > self.idle or now - record.created_at > self.lifetime


def open_session(
    user: User,
    address: str | None = None,
    browser: str | None = None,
    remember: bool = False,
    limits: Limits | None = None,
) -> str:
    """A new session for a user who just proved who they are; returns its token (also put on the
    user, where Flask-Login's get_id finds it). Expired sessions of anyone are cleared here."""
    now = utcnow()
    if limits is not None:
        db.session.execute(
            delete(UserSession).where(
                or_(
                    UserSession.last_seen_at < now - limits.idle,
                    UserSession.created_at < now - limits.lifetime,
                )
            )
        )
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        address=(address or None) and address[:64],
        browser=(browser or None) and browser[:200],
        remember=bool(remember),
    )
    db.session.add(record)
    db.session.flush()
    user.session_token, user.session_id = token, record.id
    return token


def load(token: object, limits: Limits, address: str | None = None) -> tuple[User | None, bool]:
    """The user a token belongs to, or None (unknown, ended, expired, or user deactivated).
    Returns (user, touched): touched when last-seen was moved and needs committing."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None, False
    row = db.session.execute(_by_token(), {"token_hash": _hash(token)}).first()
    if row is None:
        return None, False
    record, user = row
    now = utcnow()
    if not user.active or limits.expired(record, now):
        return None, False
    touched = now - record.last_seen_at >= TOUCH_EVERY
    if touched:
        record.last_seen_at = now
        if address:
            record.address = address[:64]
    user.session_token, user.session_id = token, record.id
    return user, touched


def active_for(user: User, limits: Limits) -> list[UserSession]:
    """The user's sessions that still open a page, most recently seen first."""
    now = utcnow()
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [r for r in records if not limits.expired(r, now)]


def end_by_token(token: object) -> None:
    if isinstance(token, str) and token and len(token) <= MAX_TOKEN_LENGTH:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_one(user: User, session_id: int) -> bool:
    """End one of the user's own sessions; False if it is not theirs (or already ended)."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    )
    return cast(CursorResult[Any], result).rowcount > 0


def end_all(user: User, keep_token: str | None = None) -> int:
    """End every session of the user on every host (all but keep_token's, when given)."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        stmt = stmt.where(UserSession.token_hash != _hash(keep_token))
    return cast(CursorResult[Any], db.session.execute(stmt)).rowcount


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str | None) -> str:
    """ "Firefox on Linux" from a User-Agent header, so a person recognises their own devices."""
    if not user_agent:
        return _("Unknown browser")
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent[:60]
