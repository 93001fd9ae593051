"""A trainee whose browser speaks French plays a role-play in French, an English colleague the
same role-play in English; their manager reads each attempt in the language it was played in."""
import re

from app.extensions import db
from app.models import Assignment, ScenarioAttempt
from tests.conftest import login
from tests.services.test_team_reports_fixtures import publish_course, team_with_manager

SLUG = "claire-wants-fifteen-percent"
FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _play_first_step(client, email, headers):
    login(client, email)
    page = client.get(f"/learn/scenarios/{SLUG}", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    started = client.post(f"/learn/scenarios/{SLUG}/start", data={"csrf_token": token, "mode": "practice"},
                          headers=headers)
    assert started.status_code == 303
    player = client.get(started.headers["Location"], headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', player).group(1)
    attempt_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    feedback = client.post(f"/learn/attempts/{attempt_id}/step", data={"csrf_token": token, "seq": 1, "choice": 2},
                           headers=headers)
    assert feedback.status_code == 200
    client.post("/logout", data={"csrf_token": token})
    return page, player, feedback.get_data(as_text=True), attempt_id


def test_french_and_english_trainees_and_their_manager(app, client, factory):
    publish_course(app)
    manager, team, (amelie, bob) = team_with_manager(factory)
    with app.app_context():               # assigned: open whatever the stage
        db.session.add(Assignment(target_kind="scenario", target_slug=SLUG, team_id=team, assigned_by_id=manager.id))
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
