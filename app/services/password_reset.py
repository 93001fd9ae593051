"""A forgotten password: a mail with a link to /reset-password/<token>, valid for
PASSWORD_RESET_MINUTES, that works once.

The token is signed (SECRET_KEY) and names the user, the time it was made and a fingerprint of
the password hash at that time: once the password changes (by this link, on /account, or by an
admin), every link made before dies, so a link is usable once without a table of used links."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.i18n import speaking_to
from app.models import User
from app.models.base import utcnow
from app.services import accounts, mail, sessions
from app.services.notifications import PASSWORD_RESET


class ResetLinkError(ValueError):
    """A link that does not reset anything, in the person's words."""


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def _lifetime() -> timedelta:
    return timedelta(minutes=int(current_app.config["PASSWORD_RESET_MINUTES"]))


def make_token(user: User, now: datetime | None = None) -> str:
    issued = int(((now or utcnow()) - datetime(1970, 1, 1)).total_seconds())
    return _signer().dumps({"u": user.id, "p": _fingerprint(user), "t": issued})


def user_for_token(token: str | None, now: datetime | None = None) -> User:
    """The active user a link resets, or ResetLinkError (forged, expired, used or outdated)."""
    try:
        payload = _signer().loads(token or "")
        user_id, fingerprint, issued = payload["u"], payload["p"], payload["t"]
        issued_at = datetime(1970, 1, 1) + timedelta(seconds=int(issued))
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise ResetLinkError(
            _("This link is not a password-reset link of this site. Ask for a new one.")
        ) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        raise ResetLinkError(_("This link no longer resets a password. Ask for a new one."))
    if fingerprint != _fingerprint(user):
        raise ResetLinkError(
            _(
                "This link has been used, or the password has changed since it was sent. "
                "Ask for a new one if you still need it."
            )
        )
    if (now or utcnow()) - issued_at > _lifetime():
        raise ResetLinkError(
            _(
                "This link has expired (links work for %(minutes)s minutes). Ask for a new one.",
                minutes=_minutes(),
            )
        )
    return user


def _minutes() -> int:
    return int(current_app.config["PASSWORD_RESET_MINUTES"])


def _queue_mail(user: User, by: User | None = None, now: datetime | None = None) -> str:
    now = now or utcnow()
    token = make_token(user, now)
    # in their language; asked for by themselves (no admin): the language of the page they asked on
    with speaking_to(user, fallback=None if by is not None else str(get_locale())):
        mail.queue(
            user,
            PASSWORD_RESET,
            f"reset:{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}",
            "password_reset",
            _("Reset your Petits Pas password"),
            link=mail.site_link("auth.reset_password", token=token),
            minutes=_minutes(),
            by=by,
        )
    return token


def request_reset(email: str | None, now: datetime | None = None) -> User | None:
    """Someone asked for a link for `email`: queue it if an active account uses that address.
    Returns the user or None; the page says the same either way."""
    user = accounts.find_user_by_email(email)
    if user is None or not user.active:
        return None
    _queue_mail(user, now=now)
    return user


def send_by_admin(admin: User, user: User) -> None:
    """An admin sends a user a reset link (the user chooses the password; the admin never sees it)."""
    if not user.active:
        raise accounts.AccountError(
            _("%(name)s's account is deactivated: reactivate it first.", name=user.name)
        )
    _queue_mail(user, by=admin)


def reset(token: str | None, new_password: str, now: datetime | None = None) -> User:
    """Set the new password through a link: the password rules apply; every session of the user
    ends (the caller opens a new one here). Returns the user."""
    user = user_for_token(token, now)
    problem = accounts.password_problem(new_password, name=user.name, email=user.email)
    if problem:
        raise accounts.AccountError(problem, field="new_password")
    user.set_password(new_password)
    sessions.end_all(user)
    db.session.flush()
    return user
