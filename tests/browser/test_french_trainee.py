"""A French trainee in Chromium (a browser that says French): from the login page through the
dashboard, a lesson, a knowledge check and a role-play to its debrief, every page in French
(interface and course); then their manager sees them beside an English colleague of the team,
with the same analytics. Screenshots of the French pages at desktop and phone width go to
$SHOTS_DIR when it is set (for a person to look at longer French labels)."""

import os
import re

import pytest

from app.extensions import db
from app.models import ScenarioAttempt, User
from app.services.learning import published
from tests.helpers import PASSWORD, correct_answers, path_by_rating, play_to_debrief, publish_course

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR")


def _shot(page, name):
    """Desktop and phone screenshots, and nothing may stick out sideways at phone width."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}-phone.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 361)
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right).slice(0, 3)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert wide <= 360, f"{name}: {wide}px wide at phone width: {widest}"


def _french_page(page):
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Se déconnecter" in page.locator("header").inner_text()


def test_a_french_trainee_from_login_to_debrief_and_their_manager(browser, live_server, make_app, factory):
    content_app = make_app()
    publish_course(content_app)
    with content_app.app_context():
        _v, module = published.published_module("crm-data-that-matters")
        right = correct_answers(module)
        pages = len(module.pages)
        win = path_by_rating("ranking-the-pipeline")
    manager = factory.user(role="manager", name="Marc Manager")
    team = factory.team(name="Équipe Lyon", manager=manager)
    amelie = factory.user(name="Amélie Dupont", team=team)
    factory.user(name="Ethan Smith", team=team)
    base = live_server

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15000)

    # the login page speaks the browser's language, and offers the other one
    page.goto(base + "/login")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Se connecter"
    assert page.locator("button[name=language][value=en]").inner_text() == "English"
    _shot(page, "fr-login")
    page.fill("input[name=email]", "")
    page.click("form[novalidate] button[type=submit]")  # nothing typed: told in French
    assert "Ce champ est requis." in page.locator(".error").first.inner_text()
    page.fill("input[name=email]", amelie.email)
    page.fill("input[name=password]", "wrong-password")
    page.click("form[novalidate] button[type=submit]")
    assert "ne correspondent à aucun compte actif" in page.locator(".error").inner_text()
    page.fill("input[name=email]", amelie.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[novalidate] button[type=submit]")

    # the dashboard
    page.wait_for_url(re.compile(r"/learn/$"))
    _french_page(page)
    assert page.locator("h1").inner_text().startswith("Bonjour Amélie")
    assert "Votre prochaine étape" in page.content()
    _shot(page, "fr-dashboard")

    # a lesson, a page at a time, in French
    page.goto(base + "/learn/modules/crm-data-that-matters")
    _french_page(page)
    assert page.locator("h1").inner_text() == "Les données CRM qui comptent"
    _shot(page, "fr-module")
    page.goto(base + "/learn/modules/crm-data-that-matters/pages/1")
    for number in range(1, pages):
        assert page.locator(".where").inner_text() == f"Page {number} sur {pages}"
        page.click("text=Page suivante →")
        # loaded before the next read: a quick browser read the page it was leaving
        page.wait_for_url(re.compile(rf"/pages/{number + 1}$"))
    _shot(page, "fr-lesson")
    page.click("text=Faire le quiz →")
    page.wait_for_selector("fieldset.question")

    # the knowledge check: empty first (told in French), then right
    _french_page(page)
    _shot(page, "fr-check")
    page.click("text=Vérifier mes réponses")
    assert "Répondez à toutes les questions" in page.locator(".flash").inner_text()
    for n in [n for n in right if page.locator(f'input[name="q{n}"]').count()]:
        for i in right[n]:
            page.check(f'input[name="q{n}"][value="{i}"]')
    page.click("text=Vérifier mes réponses")
    result = page.locator("[data-quiz-result] h1").inner_text()
    assert result.startswith("Réussi") and "\u00a0%" in result  # 100 %, French spacing
    _shot(page, "fr-check-result")

    # the role-play, in French, to its debrief
    page.goto(base + "/learn/scenarios/ranking-the-pipeline")
    _french_page(page)
    assert page.locator("h1").inner_text() == "Classer son portefeuille"
    page.click("[data-start]")
    page.wait_for_selector("[data-choice], form.choices [data-continue]")
    _shot(page, "fr-player")

    def at_feedback(page):
        assert "Ce que cela a changé" in page.content() or "Vos scores n’ont pas bougé" in page.content()

    play_to_debrief(page, win, feedback=True, at_feedback=at_feedback)
    debrief = page.locator("[data-debrief]")
    assert debrief.is_visible()
    _french_page(page)
    text = debrief.inner_text()
    assert "Réussi" in text and "Votre conversation, étape par étape" in page.content()
    _shot(page, "fr-debrief")
    context.close()

    with content_app.app_context():
        attempt = db.session.scalars(
            db.select(ScenarioAttempt).where(ScenarioAttempt.user_id == amelie.id)
        ).one()
        assert attempt.status == "finished" and attempt.passed and attempt.language == "fr"
        attempt_id = attempt.id
        db.session.get(User, manager.id).language = None  # the manager's browser decides
        db.session.commit()

    # their manager, in English, sees Amélie and her English colleague in one team
    english = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = english.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/login")
    page.fill("input[name=email]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(re.compile(r"/manage/"))
    assert page.locator("html").get_attribute("lang") == "en"
    board = page.locator("main").inner_text()
    assert "Amélie Dupont" in board and "Ethan Smith" in board and "Équipe Lyon" in board
    page.goto(base + f"/manage/attempts/{attempt_id}")
    assert (
        page.locator("html").get_attribute("lang") == "en" and "Played" in page.locator("main").inner_text()
    )
    assert "Classer son portefeuille" in page.locator("h1").inner_text()  # read in the language played

    # the same page in French for a French manager: the same people and the same numbers
    numbers = sorted(re.findall(r"\d+", board))
    page.goto(base + "/account")
    page.select_option("select[name=language]", "fr")
    page.click("form[action$='/account/language'] button[type=submit]")
    assert "Langue enregistrée" in page.locator(".flash").inner_text()
    page.goto(base + "/manage/")
    _french_page(page)
    french_board = page.locator("main").inner_text()
    assert "Amélie Dupont" in french_board and "Ethan Smith" in french_board
    assert "Progression de l’équipe" in page.content() or "apprenants en retard" in french_board
    assert sorted(re.findall(r"\d+", french_board)) == numbers
    _shot(page, "fr-manager-dashboard")
    page.goto(base + "/manage/analytics")
    _french_page(page)
    _shot(page, "fr-manager-analytics")
    english.close()
