"""Telling people: one call per event puts it in the site (a notification behind the header's
bell) and, unless the person turned that kind of mail off, in the outbox (app/services/mail.py).
Both in the caller's transaction: an event that is rolled back tells no one.

Each event has a key (the assignment, the comment, the week): unique per person and kind, so an
event told twice (a double click, two reminder runs at once) is told once."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult

from app.extensions import db
from app.models import MailOptOut, Notification, User
from app.models.base import utcnow
from app.services import mail


@dataclass(frozen=True)
class Kind:
    label: LazyString  # on the preferences page: "Mail me about ..."
    roles: tuple[str, ...]


KINDS = {
    "assignment": Kind(_l("new work assigned to me"), ("trainee",)),
    "due-soon": Kind(_l("work due in two days"), ("trainee",)),
    "overdue": Kind(_l("work that is late (then weekly, three times at most)"), ("trainee",)),
    "comment": Kind(_l("my manager's coaching comments"), ("trainee",)),
    "stage-completed": Kind(_l("a stage I completed"), ("trainee",)),
    "boosts-due": Kind(
        _l("today's boost, when things I learnt are due for a refresh (at most once a day)"), ("trainee",)
    ),
    "certificate-expiring": Kind(_l("a certificate of mine that expires in 30 days"), ("trainee",)),
    "team-digest": Kind(_l("my team's week (a digest every Monday)"), ("manager", "admin")),
    "fell-due": Kind(_l("an assignment that fell due with people not done"), ("manager", "admin")),
    "team-certificate-expiring": Kind(
        _l("a certificate of my team that expires in 30 days"), ("manager", "admin")
    ),
}
# Sent whatever the preferences say: a person who asked for it.
PASSWORD_RESET = "password-reset"
LIST_LIMIT = 100


def kinds_for(user: User) -> dict[str, Kind]:
    return {name: kind for name, kind in KINDS.items() if user.role in kind.roles}


def wants_mail(user: User, kind: str) -> bool:
    if not user.active:
        return False
    return (
        db.session.scalar(select(MailOptOut.id).where(MailOptOut.user_id == user.id, MailOptOut.kind == kind))
        is None
    )


def notify(
    user: User,
    kind: str,
    event_key: str,
    title: str,
    link: tuple[str, Mapping[str, object]],
    *,
    template: str,
    subject: str,
    **context: object,
) -> bool:
    """Tell `user` (a User) about an event: a notification, and a mail unless turned off.
    `link` is (endpoint, values) of the page the event is about. True when told now, False when
    this event was told to this person before."""
    endpoint, values = link
    inserted = mail._insert_once(
        Notification,
        dict(
            user_id=user.id,
            kind=kind,
            event_key=event_key[:200],
            title=title[:300],
            link=mail.site_path(endpoint, **values),
            created_at=utcnow(),
        ),
        ["user_id", "kind", "event_key"],
    )
    if not inserted:
        return False
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    if wants_mail(user, kind):
        mail.queue(
            user,
            kind,
            event_key,
            template,
            subject,
            unsubscribe_url=unsubscribe_link(user.id, kind),
            link=mail.site_link(endpoint, **values),
            title=title,
            **context,
        )
    return True


# --- the bell and the list --------------------------------------------------------------------------


def recent(user: User, limit: int = LIST_LIMIT) -> Sequence[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()


def open_one(user: User, notification_id: int) -> str | None:
    """The link of one of the user's notifications, marked read; None if it is not theirs."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        return None
    if note.read_at is None:
        changed = db.session.execute(
            update(Notification)
            .where(Notification.id == note.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], changed).rowcount:  # a second tab opening it too changes nothing
            _recount(user)
    return note.link


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _recount(user)


def _recount(user: User) -> None:
    """Set the bell's number from the rows (so it never drifts from what the list shows)."""
    from sqlalchemy import func

    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(unread_notifications=unread)
        .execution_options(synchronize_session=False)
    )
    user.unread_notifications = db.session.scalar(select(User.unread_notifications).where(User.id == user.id))


# --- preferences and the unsubscribe link ------------------------------------------------------------


def preferences(user: User) -> list[tuple[str, Kind, bool]]:
    """[(kind, Kind, mail on)] for the kinds this person can receive."""
    off = set(db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == user.id)))
    return [(name, kind, name not in off) for name, kind in kinds_for(user).items()]


def set_mail(user: User, kind: str, on: bool) -> bool:
    """Turn one kind of mail on or off (saying it twice changes nothing)."""
    if kind not in kinds_for(user):
        return False
    if on:
        db.session.execute(delete(MailOptOut).where(MailOptOut.user_id == user.id, MailOptOut.kind == kind))
    else:
        mail._insert_once(
            MailOptOut, dict(user_id=user.id, kind=kind, created_at=utcnow()), ["user_id", "kind"]
        )
    return True


def save_preferences(user: User, kinds_on: Collection[str]) -> None:
    for name in kinds_for(user):
        set_mail(user, name, name in kinds_on)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mail-unsubscribe")


def unsubscribe_link(user_id: int, kind: str) -> str:
    return mail.site_link("notifications.unsubscribe", token=_signer().dumps([user_id, kind]))


def unsubscribe_target(token: str) -> tuple[User, str] | None:
    """(user, kind) of a signed unsubscribe token, or None (forged, or for a kind no longer sent)."""
    try:
        user_id, kind = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or kind not in KINDS:
        return None
    return user, kind
