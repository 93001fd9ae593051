"""A role-play in Chromium, as a new trainee plays it, at desktop and at phone width: the
first-visit welcome dismissed, choices clicked (and, at a keyboard, pressed with the number
keys), Continue on scenes that wait for it, each step's feedback, through to the debrief,
which scores best play 100%. Nothing is wider than the screen."""

import re

import pytest

from app.content import engine
from app.services.learning import published
from tests.helpers import PASSWORD, fits, log_in, path_by_rating, play_to_debrief, publish_course

pytestmark = pytest.mark.browser

SCENARIO = "ranking-the-pipeline"
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _assert_fits(page):
    assert fits(page)


@pytest.mark.parametrize("size", SIZES)
def test_role_play_choices_and_continue_to_the_debrief(browser, live_server, make_app, factory, size):
    content_app = make_app()
    publish_course(content_app)
    with content_app.app_context():
        best = path_by_rating(SCENARIO)
        _v, scenario = published.published_scenario(SCENARIO)
        continues = 0
        state = engine.start_state(scenario)
        for number in best:  # how many scenes wait for Continue on this path
            while engine.needs_continue(scenario, state):
                state, _ = engine.continue_(scenario, state)
                continues += 1
            state, _ = engine.step(scenario, state, number)
        while engine.needs_continue(scenario, state):
            state, _ = engine.continue_(scenario, state)
            continues += 1
    person = factory.user(name="Paula Phone" if size == "phone" else "Dana Desk")
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, person.email, PASSWORD)
        page.goto(base + "/learn/")

        # the first visit's welcome, dismissed once and remembered
        welcome = page.locator("[data-welcome]")
        assert welcome.is_visible() and welcome.locator("li").count() == 6
        assert fits(page)
        page.click("text=Got it, show me my next step")
        page.wait_for_url(re.compile(r"/learn/$"))
        assert page.locator("[data-welcome]").count() == 0
        page.reload()
        assert page.locator("[data-welcome]").count() == 0

        # the role-play is listed in its stage
        page.click(f'[data-stage="qualification"] [data-role-play="{SCENARIO}"] a')
        page.wait_for_selector("[data-briefing]")
        page.click("[data-start]")
        page.wait_for_url(re.compile(r"/attempts/\d+$"))

        pressed = 0

        def answer(page, step, number):
            nonlocal pressed
            hint = page.locator("[data-keys-hint]")
            if size == "desktop" and step == 1:
                # the number badges are real keys: pressing the digit takes that answer
                assert hint.is_visible() and "press" in hint.inner_text()
                page.keyboard.press(str(number))
                pressed += 1
            else:
                if size == "phone":
                    assert not hint.is_visible()  # no keyboard to press on a phone
                page.locator(f'[data-choice="{number}"]').click()

        def at_feedback(page):
            assert fits(page)
            assert page.locator("[data-feedback] h1").inner_text().strip()

        continued = play_to_debrief(
            page,
            best,
            feedback=True,
            at_choice=_assert_fits,
            answer=answer,
            at_feedback=at_feedback,
            at_scene=_assert_fits,
        )

        assert continued == continues
        assert pressed == (1 if size == "desktop" else 0)
        debrief = page.locator("[data-debrief]")
        assert debrief.is_visible()
        assert page.locator("[data-percent]").get_attribute("data-percent") == "100"
        assert "Passed" in debrief.inner_text()
        assert page.locator("#debrief-h").inner_text() == "Well played"
        assert page.locator(".transcript-list > li").count() == len(best) + continues
        assert fits(page)
    finally:
        context.close()
