"""A preparation sheet in Chromium, at desktop and phone width, without any script of ours
needed: French decimals ("12,5"), an out-of-bounds figure and an empty box are each refused
beside their box with the other figures kept; then the corrected sheet is graded figure by
figure, and the negotiation goes on with the walk-away the rep wrote on the ledger."""

import os
import re
from datetime import date

import pytest

from app.extensions import db
from app.models import Assignment
from tests.helpers import PASSWORD, log_in, publish_course

pytestmark = pytest.mark.browser

SCENARIO = "the-dairy-renewal"
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True},
}
SHOTS = os.environ.get("SHEET_SHOTS")  # a folder to keep the screenshots in, to look at them


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_a_sheet_refuses_beside_the_box_then_grades_each_figure(
    browser, live_server, make_app, factory, size
):
    content_app = make_app()
    publish_course(content_app)
    person = factory.user(name="Paul Préparation")
    with content_app.app_context():
        db.session.add(
            Assignment(target_kind="scenario", target_slug=SCENARIO, user_id=person.id, due_date=date.today())
        )
        db.session.commit()
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, person.email, PASSWORD)
        page.goto(f"{base}/learn/scenarios/{SCENARIO}")
        page.click('[data-start][data-mode="practice"]')
        page.wait_for_url(re.compile(r"/attempts/\d+$"))
        page.wait_for_selector("[data-sheet]")
        assert page.get_attribute("#fig-walkaway", "inputmode") == "decimal"
        assert page.locator("label[for=fig-walkaway]").inner_text().startswith("Your walk-away discount")
        assert _fits(page)
        _shot(page, f"sheet-{size}-empty")

        page.get_by_label(re.compile("ideal outcome")).fill("12,5")  # French decimal comma
        page.get_by_label(re.compile("walk-away discount")).fill("25")  # above the 20% bound
        page.get_by_label(re.compile("first move")).fill("")  # empty
        page.click("[data-submit-sheet]")
        page.wait_for_selector("[data-error]")
        errors = {e.get_attribute("id"): e.inner_text() for e in page.locator("[data-error]").all()}
        assert errors == {
            "fig-walkaway-error": "Write a figure from 0% to 20%.",
            "fig-first_move-error": "Write a figure.",
        }
        assert page.input_value("#fig-target") == "12,5"  # kept as typed
        assert page.input_value("#fig-walkaway") == "25"
        assert page.get_attribute("#fig-walkaway", "aria-invalid") == "true"
        assert page.get_attribute("#fig-target", "aria-invalid") is None
        assert _fits(page)
        _shot(page, f"sheet-{size}-refused")

        page.fill("#fig-walkaway", "5,5 %")
        page.fill("#fig-first_move", "2")
        page.click("[data-submit-sheet]")
        page.wait_for_selector("[data-feedback] [data-figures]")
        results = page.locator("[data-figure-result]")
        assert results.count() == 3
        target = page.locator('[data-figure-result="target"]').inner_text()
        assert "12.5%" in target and "Weak answer" in target  # 12,5 read as 12.5: past 6%
        walkaway = page.locator('[data-figure-result="walkaway"]').inner_text()
        assert "5.5%" in walkaway and "Best answer" in walkaway and "You did the sum" in walkaway
        assert _fits(page)
        _shot(page, f"sheet-{size}-graded")

        page.click("[data-feedback] [data-continue]")
        page.wait_for_selector("[data-signal-pick]")  # reading Sandrine's email comes next
        ledger = page.locator(".ledger").inner_text()
        assert "walk-away 5.5%" in ledger  # the figure the rep wrote
        assert _fits(page)
    finally:
        context.close()
