"""A stage certificate in Chromium, at desktop and phone width: a trainee who studied the
qualification stage plays its last role-play in challenge mode, gets the certificate from My
progress (a second click changes nothing), opens its public page and PDF; anyone with the link
sees it without logging in. At desktop width their manager records an observed role-play: an
empty form and a bad date get messages beside the fields, a full one is recorded once."""

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from tests.helpers import (
    PASSWORD,
    challenge,
    log_in,
    path_by_rating,
    play_to_debrief,
    publish_course,
    study_stage,
)
from tests.pdf_text import text_of

pytestmark = pytest.mark.browser

NAME = "Hélène Lefèvre"
LAST = "ranking-the-pipeline"
OTHER = "the-inherited-territory"
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SHOTS = "/tmp/shots-cert"


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _play_challenge(page, base, numbers):
    page.goto(f"{base}/learn/scenarios/{LAST}")
    page.click('[data-start][data-mode="challenge"]')
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    play_to_debrief(page, numbers, feedback=False)


@pytest.mark.parametrize("size", SIZES)
def test_earning_and_viewing_a_certificate(browser, live_server, make_app, factory, size):
    content_app = make_app()
    publish_course(content_app)
    manager = factory.user(role="manager", name="Marc Manager", email=f"marc.{size}@example.com")
    team = factory.team(manager=manager)
    person = factory.user(name=NAME, team=team, email=f"helene.{size}@example.com")
    with content_app.app_context():
        study_stage(person.id, "qualification")
        challenge(person.id, OTHER)
        db.session.commit()
        best = path_by_rating(LAST)
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, person.email, PASSWORD)
        page.goto(f"{base}/learn/progress")
        stage = page.locator('[data-cert-stage="qualification"]')
        assert stage.get_attribute("data-cert-state") == "in-progress"
        assert stage.locator('[data-requirement="role-play"][data-done="no"]').count() == 1
        _play_challenge(page, base, best)

        page.goto(f"{base}/learn/progress#certificates")
        stage = page.locator('[data-cert-stage="qualification"]')
        assert stage.get_attribute("data-cert-state") == "ready"
        assert _fits(page)
        page.screenshot(path=f"{SHOTS}/progress-ready-{size}.png", full_page=False)
        issue_form = stage.locator("form:has([data-issue-certificate])")
        sent = issue_form.evaluate("f => [f.action, new URLSearchParams(new FormData(f)).toString()]")
        stage.locator("[data-issue-certificate]").click()
        page.wait_for_selector(".flash-success")
        again = page.request.post(
            sent[0],
            data=sent[1],  # the click sent again
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert again.ok
        stage = page.locator('[data-cert-stage="qualification"]')
        assert stage.get_attribute("data-cert-state") == "certified"
        assert stage.locator("[data-issue-certificate]").count() == 0
        assert _fits(page)
        stage.scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/progress-certified-{size}.png")
        link = stage.locator("[data-certificate-page]").get_attribute("href")
        pdf_link = stage.locator("[data-certificate-pdf]").get_attribute("href")

        page.goto(f"{base}/learn/")
        assert page.locator(f'[data-my-certificates] a[href="{link}"]').count() == 1

        page.goto(base + link)
        card = page.locator("[data-certificate]")
        assert card.get_attribute("data-valid") == "yes"
        text = card.inner_text()
        assert NAME in text and "Qualifying prospects" in text
        assert _fits(page)
        page.screenshot(path=f"{SHOTS}/public-{size}.png", full_page=True)
        pdf = page.request.get(base + pdf_link)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert NAME in text_of(pdf.body())
        with open(f"{SHOTS}/certificate-{size}.pdf", "wb") as fh:
            fh.write(pdf.body())

        stranger = browser.new_context(**SIZES[size])
        try:
            anonymous = stranger.new_page()
            anonymous.goto(base + link)
            body = anonymous.locator("main").inner_text()
            assert NAME in body and "Valid" in body and person.email not in body
            assert anonymous.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
        finally:
            stranger.close()
    finally:
        context.close()
    with content_app.app_context():
        from sqlalchemy import func, select

        from app.models import Certificate

        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_manager_records_an_observed_role_play(browser, live_server, make_app, factory):
    content_app = make_app()
    publish_course(content_app)
    manager = factory.user(role="manager", name="Marc Manager")
    team = factory.team(manager=manager)
    person = factory.user(name=NAME, team=team)
    context = browser.new_context(**SIZES["desktop"])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, manager.email, PASSWORD)
        page.goto(f"{base}/manage/trainees/{person.id}#certification")
        details = page.locator("details.observe-stage", has=page.locator('[data-observe="negotiation"]'))
        details.locator("summary").click()
        form = page.locator('form[data-observe="negotiation"]')
        form.locator('input[name$="observed_on"]').fill("")
        form.locator("[type=submit]").click()  # empty: messages, nothing recorded
        page.wait_for_selector(".flash-error")
        assert page.locator("fieldset.rubric .error").count() == 4
        page.screenshot(path=f"{SHOTS}/observe-errors-desktop.png", full_page=True)
        form = page.locator('form[data-observe="negotiation"]')
        for fieldset in form.locator("fieldset.rubric").all():
            fieldset.locator("input[type=radio]").nth(1).check()  # level 2 everywhere: a pass
        form.locator('input[name$="observed_on"]').fill((date.today() + timedelta(days=2)).isoformat())
        form.locator("[type=submit]").click()  # a date in the future
        page.wait_for_selector(".flash-error")
        assert "cannot be in the future" in page.locator("main").inner_text()
        form = page.locator('form[data-observe="negotiation"]')
        assert form.locator("input[type=radio]:checked").count() == 4  # the choices are kept
        form.locator('input[name$="observed_on"]').fill(date.today().isoformat())
        form.locator("textarea").fill("Held the 8% floor and traded the volume for a two-year term.")
        sent = form.evaluate("f => [f.action, new URLSearchParams(new FormData(f)).toString()]")
        form.locator("[type=submit]").click()
        page.wait_for_url(re.compile(r"/manage/trainees/\d+"))
        page.wait_for_selector(".flash-success")
        assert page.locator("[data-observation]").count() == 1
        assert "Passed" in page.locator("[data-observation]").inner_text()
        replay = page.request.post(
            sent[0],
            data=sent[1],  # the same form sent again
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert replay.ok and "already recorded" in replay.text()
        page.goto(f"{base}/manage/trainees/{person.id}#certification")
        assert page.locator("[data-observation]").count() == 1
        page.locator("#certification").screenshot(path=f"{SHOTS}/manager-certification-desktop.png")
    finally:
        context.close()
