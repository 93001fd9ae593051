"""A trainee whose browser speaks French plays a role-play in French, an English colleague the
same role-play in English; their manager reads each attempt in the language it was played in."""

import re

from app.extensions import db
from app.models import Assignment, ScenarioAttempt
from tests.helpers import login, publish_course, team_with_manager

SLUG = "claire-wants-fifteen-percent"
FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _play_first_step(client, email, headers):
    login(client, email)
    page = client.get(f"/learn/scenarios/{SLUG}", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    started = client.post(
        f"/learn/scenarios/{SLUG}/start", data={"csrf_token": token, "mode": "practice"}, headers=headers
    )
    assert started.status_code == 200  # the first page, naming its own address
    player = started.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', player).group(1)
    attempt_id = int(started.headers["Content-Location"].rstrip("/").split("/")[-1])
    feedback = client.post(
        f"/learn/attempts/{attempt_id}/step",
        data={"csrf_token": token, "seq": 1, "choice": 2},
        headers=headers,
    )
    assert feedback.status_code == 200
    client.post("/logout", data={"csrf_token": token})
    return page, player, feedback.get_data(as_text=True), attempt_id


def test_french_and_english_trainees_and_their_manager(app, client, factory):
    publish_course(app)
    manager, team, (amelie, bob) = team_with_manager(factory)
    with app.app_context():  # assigned: open whatever the stage
        db.session.add(
            Assignment(target_kind="scenario", target_slug=SLUG, team_id=team, assigned_by_id=manager.id)
        )
        db.session.commit()
    page, player, feedback, fr_id = _play_first_step(client, amelie.email, FR)
    assert "Claire veut 15 % de remise" in page and "Claire wants 15% off" not in page
    assert "Partir du tarif, trois sites, 24 mois" in player and "Marge" in player
    assert "Une position de départ crédible" in feedback
    page, player, feedback, en_id = _play_first_step(client, bob.email, EN)
    assert "Claire wants 15% off" in page and "Start at list price, three sites, 24 months" in player
    with app.app_context():
        fr, en = db.session.get(ScenarioAttempt, fr_id), db.session.get(ScenarioAttempt, en_id)
        assert (fr.language, en.language) == ("fr", "en") and fr.version_id == en.version_id
        assert fr.translation_id is not None and en.translation_id is None
        assert fr.steps[0].choice_label.startswith("Partir du tarif")
    login(client, manager.email)
    french = client.get(f"/manage/attempts/{fr_id}", headers=EN).get_data(as_text=True)
    assert "Claire veut 15 % de remise" in french and "Partir du tarif, trois sites" in french
    assert 'data-language="fr"' in french and ">French<" in french
    english = client.get(f"/manage/attempts/{en_id}", headers=EN).get_data(as_text=True)
    assert "Start at list price, three sites" in english and 'data-language="en"' in english
    analytics = client.get("/manage/analytics", headers=EN)
    assert analytics.status_code == 200


def test_ledger_amounts_in_french_leave_the_thing_to_its_label(app):
    from app import vocabulary
    from app.content import labels
    from app.services.learning import published

    publish_course(app)
    with app.test_request_context("/", headers=FR):
        _version, french = published.published_scenario(SLUG, "fr")
        assert labels.name_label(french, "referral") == "Recommandations"
        assert vocabulary.trade_words(french, "referral", 2, False) == "2"  # not "2 referrals"
        assert vocabulary.trade_words(french, "discount", 5, True) == "5\u00a0% de remise"
        assert vocabulary.trade_words(french, "duration", 36, False) == "36 mois"
    with app.test_request_context("/", headers=EN):
        english = published.published_scenario(SLUG, "en")[1]
        assert labels.name_label(english, "referral") == "Referral"
        assert vocabulary.trade_words(english, "referral", 2, False) == "2 referrals"


def test_a_french_dashboard_names_assigned_work_in_french(app, client, factory):
    """What the manager assigned reads in the trainee's language: the titles and how long is left."""
    from datetime import date, timedelta

    publish_course(app)
    manager, team, (amelie,) = team_with_manager(factory, trainees=1)
    with app.app_context():
        for kind, slug, days in (("scenario", SLUG, 5), ("module", "filters-and-ranking", 1)):
            db.session.add(
                Assignment(
                    target_kind=kind,
                    target_slug=slug,
                    team_id=team,
                    assigned_by_id=manager.id,
                    due_date=date.today() + timedelta(days=days),
                )
            )
        db.session.commit()
    login(client, amelie.email)
    page = client.get("/learn/", headers=FR).get_data(as_text=True)
    assigned = page[page.index('id="assigned-h"') : page.index("</section>", page.index('id="assigned-h"'))]
    assert "Claire veut 15 % de remise" in assigned and "Claire wants 15% off" not in assigned
    assert "Filtres et classement" in assigned and "Filters and ranking" not in assigned
    assert "dans 5 jours" in assigned and "demain" in assigned
    assert " in 5 " not in assigned and "tomorrow" not in assigned


def test_a_french_manager_assigns_and_reads_work_by_its_french_titles(app, client, factory):
    publish_course(app)
    manager, team, _people = team_with_manager(factory, trainees=1)
    login(client, manager.email)
    page = client.get("/manage/assignments", headers=FR).get_data(as_text=True)
    assert "Claire veut 15 % de remise" in page and "Claire wants 15% off" not in page
    assert "Filtres et classement" in page and "Filters and ranking" not in page
    analytics = client.get("/manage/analytics", headers=FR).get_data(as_text=True)
    assert "Claire wants 15% off" not in analytics


def test_a_french_managers_team_dashboard_names_the_stages_in_french(app, client, factory):
    from datetime import date, timedelta

    publish_course(app)
    manager, team, _people = team_with_manager(factory, trainees=1)
    with app.app_context():
        db.session.add(
            Assignment(
                target_kind="module",
                target_slug="filters-and-ranking",
                team_id=team,
                assigned_by_id=manager.id,
                due_date=date.today() + timedelta(days=3),
            )
        )
        db.session.commit()
    login(client, manager.email)
    page = client.get("/manage/", headers=FR).get_data(as_text=True)
    assert "Qualifier les prospects" in page and "Qualifying prospects" not in page
    assert "Filtres et classement" in page and "Filters and ranking" not in page
    assert client.get("/manage/", headers=EN).get_data(as_text=True).count("Qualifying prospects") >= 1


def test_a_french_trainees_certificates_name_what_is_left_in_french(app, client, factory):
    """My progress lists what each stage's certificate still asks for by the titles the trainee
    reads (the French role-play titles), not the English sources'."""
    publish_course(app)
    _, _, (amelie,) = team_with_manager(factory, trainees=1)
    login(client, amelie.email)
    page = client.get("/learn/progress", headers=FR).get_data(as_text=True)
    certificates = page[
        page.index('id="certificates"') : page.index("</section>", page.index('id="certificates"'))
    ]
    assert "Classer son portefeuille" in certificates and "Ranking the pipeline" not in certificates
