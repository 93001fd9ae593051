"""Certificates through the pages: the trainee gets one (once, however often they click), the
public page and the PDF show the name (accents right) and nothing private, the manager records
an observed role-play for their own trainees only, with messages for bad input."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Certificate, ObservedRolePlay, User
from tests.helpers import CERTIFIED_STAGE, earn, login, publish_course
from tests.pdf_text import text_of

NAME = "Hélène Lefèvre"


@pytest.fixture
def certified(app, client, factory):
    """A trainee with a manager, who completed the qualification stage and got its certificate."""
    publish_course(app)
    manager = factory.user(role="manager", name="Marc Manager")
    team = factory.team(manager=manager)
    trainee = factory.user(team=team, name=NAME, email="helene.lefevre@example.com")
    with app.app_context():
        earn(trainee.id)
        db.session.commit()
    login(client, trainee.email)
    return {"trainee": trainee, "manager": manager, "team": team}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _certificate(app):
    with app.app_context():
        return db.session.scalars(select(Certificate)).one()


def test_the_trainee_gets_one_certificate_whatever_the_clicking(app, client, certified):
    page = client.get("/learn/progress").get_data(as_text=True)
    assert f'data-cert-stage="{CERTIFIED_STAGE}" data-cert-state="ready"' in page
    assert f'data-issue-certificate="{CERTIFIED_STAGE}"' in page
    for _ in range(3):  # a double click, then a reload
        answer = client.post(f"/learn/certificates/{CERTIFIED_STAGE}")
        assert answer.status_code == 302 and answer.headers["Location"].endswith(
            f"#certificate-{CERTIFIED_STAGE}"
        )
    assert _count(app, Certificate) == 1
    cert = _certificate(app)
    page = client.get("/learn/progress").get_data(as_text=True)
    assert f'data-cert-stage="{CERTIFIED_STAGE}" data-cert-state="certified"' in page
    assert f"/certificates/{cert.uuid}" in page and f"/certificates/{cert.uuid}.pdf" in page
    dashboard = client.get("/learn/").get_data(as_text=True)
    assert "data-my-certificates" in dashboard and f"/certificates/{cert.uuid}.pdf" in dashboard


def test_a_stage_not_done_is_refused_with_what_is_missing(app, client, certified):
    answer = client.post("/learn/certificates/negotiation", follow_redirects=True)
    assert answer.status_code == 200 and "Not yet:" in answer.get_data(as_text=True)
    assert client.post("/learn/certificates/no-such-stage", follow_redirects=True).status_code == 200
    assert _count(app, Certificate) == 0


def test_a_french_trainee_is_refused_and_certified_in_french(app, client, certified):
    """What is missing is named as the trainee reads the course, and the certificate keeps the
    titles they earned it under: a French rep's certificate (page, PDF) is in French."""
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    refused = client.post("/learn/certificates/negotiation", headers=french, follow_redirects=True)
    flash = re.search(r'<p class="flash flash-error">(.*?)</p>', refused.get_data(as_text=True))
    assert (
        flash
        and flash.group(1).startswith("Pas encore")
        and "« Claire veut 15 % de remise »" in flash.group(1)
    )
    client.post(f"/learn/certificates/{CERTIFIED_STAGE}", headers=french)
    cert = _certificate(app)
    assert (cert.stage_title, cert.course_title) == (
        "Qualifier les prospects",
        "La relation d’affaires, pas à pas",
    )


def test_the_public_page_shows_the_certificate_and_nothing_private(app, client, certified):
    client.post(f"/learn/certificates/{CERTIFIED_STAGE}")
    cert = _certificate(app)
    client.post("/logout")
    anonymous = app.test_client()
    answer = anonymous.get(f"/certificates/{cert.uuid}")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert NAME in body and "Qualifying prospects" in body and 'data-valid="yes"' in body
    assert cert.issued_on.strftime("%b %Y") in body and cert.expires_on.strftime("%b %Y") in body
    assert '<meta name="robots" content="noindex' in body and "noindex" in answer.headers["X-Robots-Tag"]
    for private in (
        "helene.lefevre@example.com",
        "Marc Manager",
        "Score",
        f"{cert.score}%",
        "ranking-the-pipeline",
        "/manage/",
        "/learn/",
    ):
        assert private not in body, private
    import uuid

    assert anonymous.get(f"/certificates/{uuid.uuid4()}").status_code == 404
    assert anonymous.get("/certificates/not-a-uuid").status_code == 404
    assert anonymous.get("/certificates/1").status_code == 404


def test_an_expired_certificate_says_so(app, client, certified):
    client.post(f"/learn/certificates/{CERTIFIED_STAGE}")
    with app.app_context():
        cert = db.session.scalars(select(Certificate)).one()
        cert.issued_on, cert.expires_on = (
            date.today() - timedelta(days=800),
            date.today() - timedelta(days=70),
        )
        db.session.commit()
        uuid = cert.uuid
    body = app.test_client().get(f"/certificates/{uuid}").get_data(as_text=True)
    assert 'data-valid="no"' in body and "Expired" in body
    assert "Expired" in text_of(app.test_client().get(f"/certificates/{uuid}.pdf").data)
    page = client.get("/learn/progress").get_data(as_text=True)
    # the recertification campaign opened 100 days ago: today's passes count toward it
    assert f'data-cert-stage="{CERTIFIED_STAGE}" data-cert-state="ready"' in page
    assert "To recertify" in page and f'data-issue-certificate="{CERTIFIED_STAGE}"' in page


def test_the_pdf_is_made_with_the_name_accents_right(app, client, certified):
    client.post(f"/learn/certificates/{CERTIFIED_STAGE}")
    cert = _certificate(app)
    answer = app.test_client().get(f"/certificates/{cert.uuid}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF-") and b"DejaVu" in answer.data  # the shipped font, embedded
    lines = text_of(answer.data)
    assert NAME in lines and "Qualifying prospects" in lines
    assert any(f"/certificates/{cert.uuid}" in line for line in lines)
    assert "Valid" in lines and "noindex" in answer.headers["X-Robots-Tag"]
    assert "helene.lefevre@example.com" not in " ".join(lines)


# --- observed role-plays --------------------------------------------------------------------------


def _form(app, trainee_id, stage="negotiation", **levels):
    with app.app_context():
        from app.services import publishing

        course = publishing.published_course(publishing.course_id())
        rubric = next(s for s in course.stages if s.id == stage).certification.rubric
    data = {
        f"obs-{stage}-submission": "token-1",
        f"obs-{stage}-observed_on": date.today().isoformat(),
        f"obs-{stage}-notes": "Held the floor at 8%.",
    }
    for criterion in rubric:
        data[f"obs-{stage}-level-{criterion.id}"] = str(levels.get(criterion.id, len(criterion.levels)))
    return data, rubric


def test_a_manager_records_an_observation_once(app, client, certified):
    s = certified
    client = app.test_client()
    login(client, s["manager"].email)
    page = client.get(f"/manage/trainees/{s['trainee'].id}").get_data(as_text=True)
    assert 'id="certification"' in page and 'data-observe="negotiation"' in page
    data, rubric = _form(app, s["trainee"].id)
    url = f"/manage/trainees/{s['trainee'].id}/observations/negotiation"
    for _ in range(2):
        answer = client.post(url, data=data)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("#certification")
    assert _count(app, ObservedRolePlay) == 1
    with app.app_context():
        seen = db.session.scalars(select(ObservedRolePlay)).one()
        assert seen.passed and seen.observer_id == s["manager"].id and seen.notes == "Held the floor at 8%."
    page = client.get(f"/manage/trainees/{s['trainee'].id}").get_data(as_text=True)
    assert f'data-observation="{seen.id}"' in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"level-exchange": ""}, "Choose a level for this criterion."),
        ({"level-exchange": "9"}, "Not a valid choice"),
        ({"observed_on": ""}, "Give the date of the role-play"),
        ({"observed_on": "yesterday"}, "Not a valid date value"),
        ({"observed_on": (date.today() + timedelta(days=1)).isoformat()}, "cannot be in the future"),
        ({"observed_on": (date.today() - timedelta(days=200)).isoformat()}, "within 90 days"),
        ({"notes": "x" * 2001}, "2000"),
    ],
)
def test_bad_observations_get_a_message_and_write_nothing(app, client, certified, change, message):
    s = certified
    client = app.test_client()
    login(client, s["manager"].email)
    data, _ = _form(app, s["trainee"].id)
    data.update({f"obs-negotiation-{k}": v for k, v in change.items()})
    answer = client.post(f"/manage/trainees/{s['trainee'].id}/observations/negotiation", data=data)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in body, body[:3000]
    assert 'class="error"' in body
    assert _count(app, ObservedRolePlay) == 0


def test_a_failing_observation_is_recorded_as_not_passed(app, client, certified):
    s = certified
    client = app.test_client()
    login(client, s["manager"].email)
    data, _ = _form(app, s["trainee"].id, exchange=1)
    assert (
        client.post(f"/manage/trainees/{s['trainee'].id}/observations/negotiation", data=data).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalars(select(ObservedRolePlay)).one().passed is False


def test_observing_someone_elses_trainee_or_an_unknown_stage_is_not_found(app, client, certified, factory):
    s = certified
    other_manager = factory.user(role="manager")
    factory.team(manager=other_manager)
    client = app.test_client()
    login(client, other_manager.email)
    data, _ = _form(app, s["trainee"].id)
    url = f"/manage/trainees/{s['trainee'].id}/observations/negotiation"
    assert client.get(url).status_code == 404 and client.post(url, data=data).status_code == 404
    client = app.test_client()
    login(client, s["manager"].email)
    assert client.get(f"/manage/trainees/{s['trainee'].id}/observations/qualification").status_code == 404
    assert client.get(f"/manage/trainees/{s['manager'].id}/observations/negotiation").status_code == 404
    assert _count(app, ObservedRolePlay) == 0
    with app.app_context():
        assert db.session.get(User, s["trainee"].id) is not None


def test_the_managers_dashboard_and_csv_show_certified_and_expiring_stages(app, client, certified):
    s = certified
    client.post(f"/learn/certificates/{CERTIFIED_STAGE}")
    manager = app.test_client()
    login(manager, s["manager"].email)
    page = manager.get("/manage/").get_data(as_text=True)
    row = page[page.index(f'data-cert-trainee="{s["trainee"].id}"') :]
    assert row.startswith(f'data-cert-trainee="{s["trainee"].id}" data-certified="1" data-expiring="0"')
    assert "Qualifying prospects" in row[:800]
    with app.app_context():
        cert = db.session.scalars(select(Certificate)).one()
        cert.expires_on = date.today() + timedelta(days=20)
        db.session.commit()
    page = manager.get("/manage/").get_data(as_text=True)
    assert f'data-cert-trainee="{s["trainee"].id}" data-certified="1" data-expiring="1"' in page
    csv = manager.get("/manage/export/progress.csv").get_data(as_text=True).splitlines()
    header, line = csv[0].split(","), next(x for x in csv if NAME in x)
    assert header[-3:] == ["certified_stages", "expiring_within_30_days", "revoked_stages"]
    until = (date.today() + timedelta(days=20)).isoformat()
    assert line.endswith(f"Qualifying prospects ({until}),Qualifying prospects ({until}),")


# --- the manager's view of a certificate, and revoking it ---------------------------------------


def test_a_manager_revokes_a_certificate_with_a_reason(app, client, certified, factory):
    from app.models import AuditEvent

    s = certified
    client.post(f"/learn/certificates/{CERTIFIED_STAGE}")
    cert = _certificate(app)
    manager = app.test_client()
    login(manager, s["manager"].email)
    trainee_page = manager.get(f"/manage/trainees/{s['trainee'].id}").get_data(as_text=True)
    view = f"/manage/trainees/{s['trainee'].id}/certificates/{cert.id}"
    assert f'href="{view}"' in trainee_page
    page = manager.get(view).get_data(as_text=True)
    assert f'data-manager-certificate="{cert.id}"' in page and 'data-cert-valid="yes"' in page
    assert "data-revoke-form" in page and "data-evidence-role-play" in page
    # another team's manager sees nothing of it
    other = app.test_client()
    login(other, factory.user(role="manager").email)
    assert other.get(view).status_code == 404
    assert other.post(view + "/revoke", data={"reason": "No."}).status_code == 404
    # no reason: said beside the field, nothing written
    empty = manager.post(view + "/revoke", data={"reason": "  "})
    assert empty.status_code == 400 and "Say why the certificate is revoked" in empty.get_data(as_text=True)
    assert _certificate(app).revoked_at is None
    done = manager.post(view + "/revoke", data={"reason": "Played by a colleague."})
    twice = manager.post(view + "/revoke", data={"reason": "Played by a colleague."})  # double click
    assert done.status_code == twice.status_code == 303 and done.headers["Location"].endswith(view)
    assert _count(app, AuditEvent) >= 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "certificate-revoked")
            )
            == 1
        )
    page = manager.get(view).get_data(as_text=True)
    assert "data-revocation" in page and "Played by a colleague." in page and "data-revoke-form" not in page
    # the public page says revoked, and nothing of why; the PDF is gone
    anonymous = app.test_client()
    public = anonymous.get(f"/certificates/{cert.uuid}").get_data(as_text=True)
    assert 'data-valid="no"' in public and "Revoked" in public and "colleague" not in public
    assert f"/certificates/{cert.uuid}.pdf" not in public
    pdf = anonymous.get(f"/certificates/{cert.uuid}.pdf")
    assert pdf.status_code == 410 and pdf.mimetype == "text/html"
    # the dashboard and the CSV list it; the trainee can certify the stage again
    dashboard = manager.get("/manage/").get_data(as_text=True)
    assert (
        f'data-cert-trainee="{s["trainee"].id}" data-certified="0" data-expiring="0" data-revoked-count="1"'
        in dashboard
    )
    csv = manager.get("/manage/export/progress.csv").get_data(as_text=True).splitlines()
    line = next(x for x in csv if NAME in x)
    assert line.endswith(f",,Qualifying prospects ({date.today().isoformat()})")
    mine = client.get("/learn/progress").get_data(as_text=True)
    assert f'data-cert-stage="{CERTIFIED_STAGE}" data-cert-state="revoked"' in mine


def test_the_managers_view_shows_the_observed_role_play_kept_on_the_certificate(app, client, certified):
    s = certified
    with app.app_context():
        earn(s["trainee"].id, "prospecting")
        db.session.commit()
    manager = app.test_client()
    login(manager, s["manager"].email)
    data, _rubric = _form(app, s["trainee"].id, "prospecting")
    data["obs-prospecting-notes"] = "Opened with the buyer's own figures."
    recorded = manager.post(f"/manage/trainees/{s['trainee'].id}/observations/prospecting", data=data)
    assert recorded.status_code == 302
    client.post("/learn/certificates/prospecting")
    with app.app_context():
        cert = db.session.scalars(select(Certificate).where(Certificate.stage_id == "prospecting")).one()
        seen = db.session.scalars(select(ObservedRolePlay)).one()
    assert cert.evidence["observed"]["observation"] == seen.id
    page = manager.get(f"/manage/trainees/{s['trainee'].id}/certificates/{cert.id}").get_data(as_text=True)
    assert f'data-evidence-observed="{seen.id}"' in page and "Opened with the buyer" in page
    assert "not required by the course" in page and "Marc Manager" in page
    # nothing of it on the public page
    public = app.test_client().get(f"/certificates/{cert.uuid}").get_data(as_text=True)
    assert "Opened with the buyer" not in public and "Marc Manager" not in public


def test_a_french_manager_reads_the_rubric_in_french(app, client, certified):
    """The rubric's criteria and levels come from the course in the reader's language, on the
    observation form and on the manager's view of a certificate."""
    s = certified
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    with app.app_context():
        earn(s["trainee"].id, "prospecting")
        db.session.commit()
    manager = app.test_client()
    login(manager, s["manager"].email)
    form = manager.get(f"/manage/trainees/{s['trainee'].id}/observations/prospecting", headers=french)
    assert "Ouvre sur l’univers du prospect" in form.get_data(as_text=True)
    data, _rubric = _form(app, s["trainee"].id, "prospecting")
    assert (
        manager.post(f"/manage/trainees/{s['trainee'].id}/observations/prospecting", data=data).status_code
        == 302
    )
    client.post("/learn/certificates/prospecting")
    with app.app_context():
        cert = db.session.scalars(select(Certificate).where(Certificate.stage_id == "prospecting")).one()
    url = f"/manage/trainees/{s['trainee'].id}/certificates/{cert.id}"
    page = manager.get(url, headers=french).get_data(as_text=True)
    assert "Ouvre sur l’univers du prospect" in page and "Opens on the prospect" not in page
    assert "Opens on the prospect" in manager.get(url).get_data(as_text=True)
