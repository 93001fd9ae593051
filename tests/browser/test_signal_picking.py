"""Signal picking in Chromium, at desktop and phone width: an empty submit is refused beside the
list (nothing recorded), a wrong set shows each observation's verdict and feedback, the debrief
offers "try again from this step", and the replay (marked as such) takes the right signals.
Nothing is wider than the screen. Screenshots go to $SHOTS when it is set."""

import os
import re

import pytest

from app.extensions import db
from app.models import Assignment
from tests.helpers import PASSWORD, log_in, publish_course

pytestmark = pytest.mark.browser

SLUG = "signals-at-the-trade-fair"
TO_PICK = [1, 2, 1, 2, 3, 2, 2]
RIGHT = {"0", "1", "2", "3"}
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shot(page, name):
    folder = os.environ.get("SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name + ".png"), full_page=True)


def _tick(page, values):
    for box in page.locator('[data-signal-pick] input[name="item"]').all():
        if box.get_attribute("value") in values:
            box.check()


@pytest.mark.parametrize("size", SIZES)
def test_picking_signals_and_trying_again(browser, live_server, make_app, factory, size):
    content_app = make_app()
    publish_course(content_app)
    person = factory.user(name="Sam Signals")
    with content_app.app_context():
        db.session.add(Assignment(target_kind="scenario", target_slug=SLUG, user_id=person.id))
        db.session.commit()
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, live_server, person.email, PASSWORD)
        page.goto(f"{live_server}/learn/scenarios/{SLUG}")
        page.click('[data-start][data-mode="practice"]')
        for number in TO_PICK:
            page.click(f"[data-choice='{number}']")
            page.click("[data-continue]")
        pick = page.locator("[data-signal-pick]")
        assert pick.is_visible() and page.locator("[data-signal-pick] input[required]").count() == 0
        assert _fits(page)
        _shot(page, f"{size}-1-pick")

        page.click("[data-pick]")  # nothing ticked
        error = page.locator("#pick-error")
        assert error.is_visible() and "Tick at least one observation" in error.inner_text()
        assert _fits(page)
        _shot(page, f"{size}-2-empty")

        _tick(page, {"0", "4", "5"})  # one signal and two distractors
        page.click("[data-pick]")
        verdicts = page.locator("[data-signal-verdicts] [data-verdict]")
        assert verdicts.count() == 7
        shown = sorted(verdicts.nth(i).get_attribute("data-verdict") for i in range(7))
        assert shown == sorted(["spotted", "missed", "missed", "missed", "mistaken", "mistaken", "avoided"])
        assert _fits(page)
        _shot(page, f"{size}-3-verdicts")

        page.click("[data-continue]")
        while page.locator("[data-debrief]").count() == 0:  # the rest: the worst answers
            choices = page.locator("[data-choice]")
            if choices.count():
                choices.nth(choices.count() - 1).click()
            page.click("[data-continue]")
        assert "Not passed yet" in page.content()
        retry = page.locator(f"[data-try-again='{len(TO_PICK) + 1}']")
        assert retry.is_visible() and _fits(page)
        _shot(page, f"{size}-4-debrief")

        retry.click()
        page.wait_for_selector("[data-signal-pick]")
        assert page.locator("[data-replay]").is_visible()
        _tick(page, RIGHT)
        page.click("[data-pick]")
        verdicts = page.locator("[data-signal-verdicts] [data-verdict]")
        assert (
            sorted(verdicts.nth(i).get_attribute("data-verdict") for i in range(7))
            == ["avoided"] * 3 + ["spotted"] * 4
        )
        assert re.search(r"from every signal and none of the noise", page.content())
        assert _fits(page)
        _shot(page, f"{size}-5-replay-right")
    finally:
        context.close()
