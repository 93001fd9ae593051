"""The security log as admins read it: filtered by kind and by person (who acted, or whom an
admin action was about), a page at a time or as CSV."""

import logging

from flask import has_request_context, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditEvent, User
from app.models.audit import KINDS

log = logging.getLogger("petitspas.audit")

PER_PAGE = 100
CSV_LIMIT = 100_000  # rows in one export; narrow by kind or person for older ones
CSV_HEADER = [
    "time",
    "event",
    "kind",
    "by",
    "email_typed",
    "about",
    "detail",
    "address",
    "page",
]  # column ids


class Filters:
    """What the admin asked for: a kind of event (one of KINDS) and a person (email or name, in part)."""

    def __init__(self, kind: str = "", who: str | None = "") -> None:
        self.kind = kind if kind in KINDS else ""
        self.who = (who or "").strip()[:254]

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in (("kind", self.kind), ("who", self.who)) if v}


def record(
    kind: str, by: User | None = None, about: User | None = None, detail: str | None = None
) -> AuditEvent:
    """An admin action or a publication, written with the change it records (the same
    transaction: if the change is rolled back, so is its record). Refusals, which must outlive
    their request's rollback, go through app.security.audit instead."""
    event = AuditEvent(
        kind=kind,
        user_id=getattr(by, "id", None),
        target_user_id=getattr(about, "id", None),
        detail=(detail or None) and detail[:300],
        address=request.remote_addr if has_request_context() else None,
        path=request.path[:500] if has_request_context() else "command line",
    )
    db.session.add(event)
    db.session.flush()
    log.info("%s by=%s about=%s %s", kind, event.user_id, event.target_user_id, event.detail or "")
    return event


def _selection(filters: Filters) -> Select[tuple[AuditEvent]]:
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.user), joinedload(AuditEvent.target))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if filters.kind:
        stmt = stmt.where(AuditEvent.kind == filters.kind)
    if filters.who:
        like = f"%{filters.who.lower()}%"
        people = select(User.id).where(or_(User.email.like(like), func.lower(User.name).like(like)))
        stmt = stmt.where(
            or_(
                AuditEvent.user_id.in_(people),
                AuditEvent.target_user_id.in_(people),
                AuditEvent.email.like(like),
            )
        )
    return stmt


def page(filters: Filters, number: int) -> Pagination:
    return db.paginate(_selection(filters), page=max(number, 1), per_page=PER_PAGE, error_out=False)


def csv_bytes(filters: Filters) -> bytes:
    from app.services.team_exports import (  # the one CSV writer (BOM, separator, cells)
        column,
        write_csv,
    )

    data: bytes = write_csv(
        [column(name) for name in CSV_HEADER],
        (
            (
                e.created_at,
                e.label,
                e.kind,
                e.user.email if e.user else None,
                e.email,
                e.target.email if e.target else None,
                e.detail,
                e.address,
                e.path,
            )
            for e in db.session.scalars(_selection(filters).limit(CSV_LIMIT)).unique()
        ),
    )
    return data
