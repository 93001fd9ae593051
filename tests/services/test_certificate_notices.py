"""`flask reminders send` tells a rep and their manager 30 days before a certificate expires,
once (fixed dates through --now, no sleeping), and never about one already renewed."""

from datetime import date, timedelta

from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.models import Certificate, Notification, OutboxMessage, User
from tests.helpers import run_reminders, told

EXPIRES = date(2027, 6, 15)


def _certificate(app, user_id, campaign=1, expires=EXPIRES):
    with app.app_context():
        import uuid

        cert = Certificate(
            uuid=str(uuid.uuid4()),
            user_id=user_id,
            course_slug="business-relationship",
            stage_id="negotiation",
            stage_title="Negotiation and closing",
            course_title="Course",
            holder_name=db.session.get(User, user_id).name,
            campaign=campaign,
            issued_on=expires - timedelta(days=365),
            expires_on=expires,
            valid_months=12,
            score=80,
            evidence={},
        )
        db.session.add(cert)
        db.session.commit()
        return cert.id


def test_the_rep_and_their_manager_are_told_once_30_days_before(mail_app, team):
    manager, _team_id, (tom, ines) = team
    cert_id = _certificate(mail_app, tom.id)
    run_reminders(mail_app, EXPIRES - timedelta(days=31))
    assert told(mail_app, "certificate-expiring") == ([], [])
    for day in (EXPIRES - timedelta(days=30), EXPIRES - timedelta(days=29), EXPIRES - timedelta(days=1)):
        run_reminders(mail_app, day)
    key = f"certificate:{cert_id}:expiring"
    assert told(mail_app, "certificate-expiring") == ([(tom.id, "certificate-expiring", key)],) * 2
    assert (
        told(mail_app, "team-certificate-expiring") == ([(manager.id, "team-certificate-expiring", key)],) * 2
    )
    with mail_app.app_context():
        body = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "certificate-expiring")
        ).one()
        assert "Negotiation and closing" in body.text_body and "15 Jun 2027" in body.text_body
        assert "/learn/progress" in body.text_body
    run_reminders(mail_app, EXPIRES)  # expired: nothing more
    assert len(told(mail_app, "certificate-expiring")[0]) == 1


def test_a_renewed_certificate_is_not_announced(mail_app, team):  # noqa: F811
    _manager, _team_id, (tom, _ines) = team
    _certificate(mail_app, tom.id)
    _certificate(mail_app, tom.id, campaign=2, expires=EXPIRES + timedelta(days=360))
    run_reminders(mail_app, EXPIRES - timedelta(days=10))
    assert told(mail_app, "certificate-expiring") == ([], [])


def test_a_revoked_certificate_is_not_announced(mail_app, team):
    _manager, _team_id, (tom, _ines) = team
    cert_id = _certificate(mail_app, tom.id)
    with mail_app.app_context():
        from datetime import datetime

        db.session.get(Certificate, cert_id).revoked_at = datetime(2027, 5, 1, 10)
        db.session.commit()
    run_reminders(mail_app, EXPIRES - timedelta(days=10))
    assert told(mail_app, "certificate-expiring") == ([], [])
    assert told(mail_app, "team-certificate-expiring") == ([], [])


def test_the_rep_and_their_manager_are_each_told_in_their_own_language(mail_app, team, smtp_server):
    """A French rep reads the notice, the mail and its subject in French, dates the French way;
    their English-speaking manager, in the same run, reads theirs in English. (A long subject
    arrives folded: its words are compared.)"""
    manager, _team_id, (tom, _ines) = team
    with mail_app.app_context():
        db.session.get(User, tom.id).language = "fr"
        db.session.get(User, manager.id).language = "en"
        db.session.commit()
    _certificate(mail_app, tom.id)
    run_reminders(mail_app, EXPIRES - timedelta(days=30))
    with mail_app.app_context():
        titles = dict(db.session.execute(select(Notification.user_id, Notification.title)).tuples().all())
        jobs.send_mail()
    assert titles[tom.id] == "Votre certificat expire le 15 juin 2027 : Negotiation and closing"
    assert titles[manager.id] == f"{tom.name}'s certificate expires on 15 Jun 2027: Negotiation and closing"

    [to_tom] = [m for m in smtp_server.to(tom.email) if "certificat" in m["Subject"]]
    assert (
        " ".join(to_tom["Subject"].split())
        == "Votre certificat pour l’étape « Negotiation and closing » expire dans 30 jours"
    )
    text = smtp_server.text(to_tom)
    assert "Votre certificat pour l’étape « Negotiation and closing » expire le 15 juin 2027." in text
    assert "expires" not in text and "Jun" not in text

    [to_manager] = [m for m in smtp_server.to(manager.email) if "certificate" in m["Subject"]]
    assert " ".join(to_manager["Subject"].split()) == (
        f"{tom.name}: the certificate for Negotiation and closing expires on 15 Jun 2027"
    )
    text = smtp_server.text(to_manager)
    assert (
        f'{tom.name}\'s certificate for the stage "Negotiation and closing" expires on 15 Jun 2027.' in text
    )
    assert "expire le" not in text and "juin" not in text
