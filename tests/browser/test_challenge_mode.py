"""A role-play in challenge mode in Chromium, at desktop and phone width: started from the
scenario page's second button, played with no rating, score or meter shown (only the
prospect's reaction, Continue where a scene waits), to a debrief that reveals every step."""

import re

import pytest

from tests.helpers import PASSWORD, fits, log_in, path_by_rating, play_to_debrief, publish_course

pytestmark = pytest.mark.browser

SCENARIO = "ranking-the-pipeline"
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
HIDDEN_WHILE_PLAYING = ("Best answer", "Good answer", "Partly right", "Weak answer", "What it changed")


@pytest.mark.parametrize("size", SIZES)
def test_a_challenge_to_its_debrief(browser, live_server, make_app, factory, size):
    content_app = make_app()
    publish_course(content_app)
    with content_app.app_context():
        weak = path_by_rating(SCENARIO, best=False)  # a path that does not pass
    person = factory.user(name="Chloe Challenge")
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, person.email, PASSWORD)
        page.goto(f"{base}/learn/scenarios/{SCENARIO}")
        page.wait_for_selector("[data-briefing]")
        assert fits(page)
        page.click('[data-start][data-mode="challenge"]')
        page.wait_for_url(re.compile(r"/attempts/\d+$"))

        def at_choice(page):
            assert page.locator("[data-challenge]").is_visible()
            assert page.locator(".meters, .meter").count() == 0
            text = page.locator("main").inner_text()
            assert not any(words in text for words in HIDDEN_WHILE_PLAYING)
            assert fits(page)

        play_to_debrief(page, weak, feedback=False, at_choice=at_choice)  # never a feedback page

        debrief = page.locator("[data-debrief]")
        assert debrief.is_visible()
        text = debrief.inner_text()
        assert "Challenge" in text and "Not passed yet" in text
        assert "Weak answer" in text  # revealed now, step by step
        assert page.locator("[data-better]").count() >= 1 and "The best answer here" in text
        assert page.locator('[data-replay][data-mode="challenge"]').is_visible()
        assert fits(page)
    finally:
        context.close()
