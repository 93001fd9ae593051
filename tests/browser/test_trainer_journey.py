"""A trainer pastes a scenario with an error, sees the finding at its line, fixes it, sees the
graph, play-tests it, publishes, and a trainee opens the new version."""

from pathlib import Path

import pytest

from app.extensions import db
from app.services import authoring, publishing
from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"


def test_trainer_writes_checks_tries_and_publishes(browser, page, live_server, app, factory):
    trainer = factory.user(role="trainer", name="Theo Trainer")
    trainee = factory.user(role="trainee", name="Tina Trainee")
    with app.app_context():
        publishing.sync_files(str(ROOT), echo=lambda *_: None)
        db.session.commit()
        good = authoring.template_text(
            "scenario", "first-call", "The first call", publishing.published_course("demo-course")
        )
    broken = good.replace("(#end-poor)", "(#end-nowhere)")
    bad_line = (
        broken.splitlines().index(next(line for line in broken.splitlines() if "#end-nowhere" in line)) + 1
    )

    log_in(page, live_server, trainer.email, PASSWORD)
    page.goto(live_server + "/author/")
    page.fill("#slug", "first-call")
    page.fill("#title", "The first call")
    page.click("text=Create draft")
    page.wait_for_url(live_server + "/author/scenario/first-call/edit")

    # Paste a text with an error: the live lint shows it at its line.
    page.fill("#source", broken)
    finding = page.locator("#findings .finding.is-error a").first
    finding.wait_for()
    assert "E-TARGET" in finding.inner_text() and f"Line {bad_line}" in finding.inner_text()
    finding.click()
    line = page.evaluate(
        "() => { const s = document.getElementById('source');"
        " return s.value.slice(0, s.selectionStart).split('\\n').length; }"
    )
    assert line == bad_line
    assert page.evaluate("() => document.activeElement.id") == "source"

    # Fix it: the findings clear and the preview shows the text.
    page.fill("#source", good)
    page.locator("#findings .is-clean").wait_for()
    assert "A good answer" in page.inner_text("#preview")
    page.click("button[value=save]")
    page.wait_for_url(live_server + "/author/scenario/first-call/edit")
    assert "Draft saved" in page.content()

    # The graph
    page.click(".studio-tabs >> text=Graph")
    page.locator("svg.scenario-graph").wait_for()
    assert page.locator("svg.scenario-graph .gnode").count() == 3

    # Play-test: start, choose, see the score change
    page.click(".studio-tabs >> text=Play-test")
    page.click("text=Start play-test")
    page.click("[data-choice='1']")
    page.locator("[data-debrief]").wait_for()
    assert page.locator("[data-score=relationship] td.up").inner_text() == "+3"

    # Publish
    page.click(".studio-tabs >> text=Edit")
    page.click("button[value=publish]")
    page.wait_for_url(live_server + "/author/scenario/first-call/edit")
    assert "Published version 1" in page.content()

    # A trainee opens the new scenario.
    context = browser.new_context()
    other = context.new_page()
    log_in(other, live_server, trainee.email, PASSWORD)
    other.wait_for_url(live_server + "/learn/")
    response = other.goto(live_server + "/learn/scenarios/first-call")
    assert response.status == 200
    assert "The first call" in other.content()
    other.click("[data-start]")
    other.click("[data-choice='1']")
    other.locator("[data-feedback]").wait_for()
    other.click("[data-continue]")
    other.locator("[data-debrief]").wait_for()
    assert "Passed" in other.inner_text("[data-debrief]")
    context.close()
