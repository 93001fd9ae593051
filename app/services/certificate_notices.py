"""Telling a rep and their manager that a stage's certificate expires in 30 days (the day the
recertification campaign opens, content/certification.py), from `flask reminders send`.
Told once: the event key names the certificate, unique per person and kind (notifications.py),
so every later run, or two runs at once, tells nobody again. A certificate already renewed
(a later campaign's certificate of the stage exists) is not announced."""

from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import select

from app.content import certification as rules
from app.extensions import db
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
        context = dict(stage=cert.stage_title, expires=cert.expires_on, holder=holder.name)
        report.add(
            "certificate-expiring",
            notify(
                holder,
                "certificate-expiring",
                key,
                f"Your certificate expires {cert.expires_on:%d %b %Y}: {cert.stage_title}",
                ("learn.my_progress", {}),
                template="certificate_expiring",
                subject=f"Your certificate for {cert.stage_title} expires in "
                f"{(cert.expires_on - today).days} days",
                **context,
            ),
        )
        manager = holder.team.manager if holder.team is not None else None
        if manager is not None and manager.active:
            report.add(
                "team-certificate-expiring",
                notify(
                    manager,
                    "team-certificate-expiring",
                    key,
                    f"{holder.name}'s certificate expires {cert.expires_on:%d %b %Y}: {cert.stage_title}",
                    ("manage.trainee", {"trainee_id": holder.id}),
                    template="team_certificate_expiring",
                    subject=f"{holder.name}: certificate for {cert.stage_title} expires "
                    f"{cert.expires_on:%d %b %Y}",
                    **context,
                ),
            )
