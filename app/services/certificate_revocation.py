"""Revoking a stage certificate: an admin, or a manager of the holder's team (the scope rule's
home is assignments.trainee_in_scope), withdraws it with a reason. From then on the public page
says "Revoked" (the reason stays with the manager and the audit log), the PDF is no longer
served, the manager's dashboard and CSV list it, and the stage can be certified again in a new
campaign that counts evidence from the day of the revocation (services/certification.py).

A revocation is written once, by compare-and-set on `revoked_at`: a double click, a second tab
or two managers at once record one revocation and one audit event."""

from datetime import datetime
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.engine import CursorResult

from app.extensions import db
from app.models import Certificate, User
from app.models.base import utcnow
from app.services import audit_log
from app.services.assignments.assigning import AssignmentError
from app.services.assignments.manager_scope import NotInScope, trainee_in_scope

REASON_MAX = 500


def certificate_in_scope(actor: User, trainee_id: object, certificate_id: object) -> tuple[User, Certificate]:
    """The certificate of a trainee the actor manages (any, for an admin); NotInScope else."""
    trainee = trainee_in_scope(actor, trainee_id)
    found = db.session.get(Certificate, certificate_id) if isinstance(certificate_id, int) else None
    if found is None or found.user_id != trainee.id:
        raise NotInScope("certificate")
    return trainee, found


def revoke(
    actor: User,
    trainee_id: object,
    certificate_id: object,
    reason: str | None,
    now: datetime | None = None,
) -> tuple[Certificate, bool]:
    """Revoke a certificate: (certificate, True) when revoked now, (certificate, False) when it
    was already revoked (nothing is written again). AssignmentError (field `reason`) for a
    missing or long reason, NotInScope for someone else's trainee; nothing written then."""
    trainee, found = certificate_in_scope(actor, trainee_id, certificate_id)
    if found.revoked_at is not None:
        return found, False
    reason = " ".join((reason or "").split())
    if not reason:
        raise AssignmentError(
            _("Say why the certificate is revoked: the trainee's manager will read it."), "reason"
        )
    if len(reason) > REASON_MAX:
        raise AssignmentError(_("Keep the reason under %(most)s characters.", most=REASON_MAX), "reason")
    now = now or utcnow()
    moved = db.session.execute(
        update(Certificate)
        .where(Certificate.id == found.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=actor.id, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(found)
    if cast(CursorResult[Any], moved).rowcount != 1:  # revoked by another request meanwhile
        return found, False
    audit_log.record(
        "certificate-revoked",
        by=actor,
        about=trainee,
        detail=f"{found.stage_id} campaign {found.campaign} ({found.uuid}): {reason}",
    )
    return found, True
