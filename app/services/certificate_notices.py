"""Telling a rep and their manager that a stage's certificate expires in 30 days (the day the
recertification campaign opens, content/certification.py), from `flask reminders send`.
Told once: the event key names the certificate, unique per person and kind (notifications.py),
so every later run, or two runs at once, tells nobody again. A certificate already renewed
(a later campaign's certificate of the stage exists) is not announced. Each person is written to
in their own language (i18n.speaking_to): the rep's and their manager's may differ."""

from datetime import date, timedelta
from typing import Protocol

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.content import certification as rules
from app.extensions import db
from app.formats import day
from app.i18n import speaking_to
from app.models import Certificate, User
from app.services.notifications import notify


class Tally(Protocol):
    """What is told, counted by kind (reminders.Report)."""

    def add(self, kind: str, told: bool) -> None: ...


def tell_expiring(today: date, report: Tally) -> None:
    """Notify for every latest certificate whose notice day has come and that is still valid."""
    rows = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.expires_on > today,
            Certificate.expires_on <= today + timedelta(days=rules.NOTICE_DAYS),
            Certificate.revoked_at.is_(None),  # a revoked certificate is not renewed, it is redone
        )
        .order_by(Certificate.expires_on, Certificate.id)
    ).all()
    for cert in rows:
        renewed = db.session.scalar(
            select(Certificate.id)
            .where(
                Certificate.user_id == cert.user_id,
                Certificate.course_slug == cert.course_slug,
                Certificate.stage_id == cert.stage_id,
                Certificate.campaign > cert.campaign,
            )
            .limit(1)
        )
        holder = db.session.get(User, cert.user_id)
        if renewed is not None or holder is None or not holder.active:
            continue
        key = f"certificate:{cert.id}:expiring"
        with speaking_to(holder):
            report.add("certificate-expiring", _tell_holder(holder, cert, key, today))
        manager = holder.team.manager if holder.team is not None else None
        if manager is not None and manager.active:
            with speaking_to(manager):
                report.add("team-certificate-expiring", _tell_manager(manager, holder, cert, key))


def _tell_holder(holder: User, cert: Certificate, key: str, today: date) -> bool:
    """The rep's notice and mail, in the language in force (the rep's)."""
    return notify(
        holder,
        "certificate-expiring",
        key,
        _("Your certificate expires on %(day)s: %(stage)s", day=day(cert.expires_on), stage=cert.stage_title),
        ("learn.my_progress", {}),
        template="certificate_expiring",
        subject=ngettext(
            "Your certificate for %(stage)s expires in %(num)d day",
            "Your certificate for %(stage)s expires in %(num)d days",
            (cert.expires_on - today).days,
            stage=cert.stage_title,
        ),
        stage=cert.stage_title,
        expires=cert.expires_on,
        holder=holder.name,
    )


def _tell_manager(manager: User, holder: User, cert: Certificate, key: str) -> bool:
    """The manager's notice and mail, in the language in force (the manager's)."""
    return notify(
        manager,
        "team-certificate-expiring",
        key,
        _(
            "%(name)s's certificate expires on %(day)s: %(stage)s",
            name=holder.name,
            day=day(cert.expires_on),
            stage=cert.stage_title,
        ),
        ("manage.trainee", {"trainee_id": holder.id}),
        template="team_certificate_expiring",
        subject=_(
            "%(name)s: the certificate for %(stage)s expires on %(day)s",
            name=holder.name,
            stage=cert.stage_title,
            day=day(cert.expires_on),
        ),
        stage=cert.stage_title,
        expires=cert.expires_on,
        holder=holder.name,
    )
