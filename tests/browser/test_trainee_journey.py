"""A new rep in Chromium: reads a module, passes its knowledge check, plays a role-play to its
ending (reloading mid-way, double-clicking, replaying a POST, using the keyboard), and sees
the right progress. Runs on the real course, synced from the repository's courses/ and scenarios/."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt
from app.services.learning import published
from tests.helpers import (
    NEXT_ON_PLAYER,
    PASSWORD,
    continue_scenes,
    correct_answers,
    log_in,
    path_by_rating,
    publish_course,
)

pytestmark = pytest.mark.browser


def test_trainee_journey(browser, page, live_server, make_app, factory):
    content_app = make_app()
    publish_course(content_app)
    with content_app.app_context():
        _v, module = published.published_module("crm-data-that-matters")
        right = correct_answers(module)
        pages = len(module.pages)
        win = path_by_rating("ranking-the-pipeline")
    person = factory.user(name="Rita Rep")
    base = live_server
    log_in(page, base, person.email, PASSWORD)
    page.goto(base + "/learn/")
    assert page.locator("h1").inner_text().startswith("Hello Rita")
    assert page.locator(".stage.is-locked").count() == 5

    # read the module, one page at a time
    page.click("text=Start the module")
    page.click("text=Start reading")
    for number in range(1, pages):
        assert page.locator(".where").inner_text() == f"Page {number} of {pages}"
        page.click("text=Next page →")
    page.click("text=Take the knowledge check →")
    page.wait_for_selector("fieldset.question")

    # the knowledge check: a first try with two wrong answers, then a pass. Questions are drawn
    # from the pool and answers shuffled, so each answer is found by its question and value.
    def asked():
        return [n for n in right if page.locator(f'input[name="q{n}"]').count()]

    shown = asked()
    assert len(shown) == 6
    for n in shown:
        for i in right[n]:
            page.check(f'input[name="q{n}"][value="{i}"]')
    for wrong_q in [n for n in shown if len(right[n]) == 1][:2]:  # two wrong: 4 of 6 is under 70%
        wrong = right[wrong_q][0] % len(module.quiz[int(wrong_q) - 1].answers) + 1
        page.check(f'input[name="q{wrong_q}"][value="{wrong}"]')
    page.click("text=Check my answers")
    assert "not yet" in page.locator("[data-quiz-result] h1").inner_text()
    page.click("a.button:has-text('Try again')")
    page.wait_for_selector("fieldset.question")  # the new draw, not the result page left behind
    for n in asked():
        for i in right[n]:
            page.check(f'input[name="q{n}"][value="{i}"]')
    page.click("text=Check my answers")
    assert page.locator("[data-quiz-result] h1").inner_text().startswith("Passed")

    # the role-play of the next module of the stage
    page.goto(base + "/learn/scenarios/ranking-the-pipeline")
    assert page.locator("[data-briefing]").is_visible()
    page.click("[data-start]")
    # the start answers with the first scene; learn.js then puts its address in the address bar
    page.wait_for_url(re.compile(r".*/attempts/\d+"))
    attempt_id = int(re.search(r"/attempts/(\d+)", page.url).group(1))

    def take(number, how="click", reload_feedback=False):
        continue_scenes(page)
        selector = f'[data-choice="{number}"]'
        if how == "dblclick":
            page.dblclick(selector)
        elif how == "keyboard":
            page.focus(selector)
            page.keyboard.press("Enter")
        else:
            page.click(selector)
        page.wait_for_selector("[data-feedback]")
        # the feedback came back with the POST, and the address bar names it: a reload asks for
        # the page again, it does not re-send the answer
        page.wait_for_url(re.compile(r"/attempts/\d+/steps/\d+$"))  # set by learn.js once loaded
        if reload_feedback:
            said = page.inner_text("[data-feedback]")
            page.reload()
            assert page.inner_text("[data-feedback]") == said
        page.click("[data-continue]")
        page.wait_for_url(re.compile(r"/attempts/\d+$"))
        page.wait_for_selector(NEXT_ON_PLAYER)

    take(win[0], reload_feedback=True)
    take(win[1], how="keyboard")
    page.reload()  # a reload mid-way shows the same node
    assert page.locator('input[name="seq"]').get_attribute("value") == "3"
    # a replayed POST of the step just taken: answered with the current state, nothing recorded
    token = page.locator('form.choices input[name="csrf_token"]').get_attribute("value")
    replay = page.request.post(
        f"{base}/learn/attempts/{attempt_id}/step", form={"csrf_token": token, "seq": "2", "choice": "1"}
    )
    assert replay.ok
    take(win[2], how="dblclick")
    with content_app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AttemptStep).where(AttemptStep.attempt_id == attempt_id)
            )
            == 3
        )

    # phone width: nothing overflows sideways
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})

    for number in win[3:]:
        take(number)
    debrief = page.locator("[data-debrief]")
    assert debrief.is_visible(), page.content()[-3000:]
    percent = int(page.locator("[data-percent]").get_attribute("data-percent"))
    with content_app.app_context():
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        steps = db.session.scalars(
            select(AttemptStep.seq).where(AttemptStep.attempt_id == attempt_id).order_by(AttemptStep.seq)
        ).all()
        assert attempt.status == "finished" and attempt.passed and attempt.percent == percent
        assert steps == list(range(1, attempt.step_count + 1))
    assert "Passed" in debrief.inner_text()
    assert page.locator(".transcript-list > li").count() == len(steps)

    # progress: module 1 done, module 2's role-play passed, the stage not complete yet
    page.goto(base + "/learn/")
    stage = page.locator(".stage").first
    assert "✓ Done" in stage.locator(".module-row").first.inner_text()
    assert (
        "Read the lesson" in stage.locator(".module-row").nth(1).inner_text()
        or "Keep reading" in stage.locator(".module-row").nth(1).inner_text()
    )
    page.goto(base + "/learn/progress")
    assert page.locator("svg.chart").count() >= 2
    assert "Ranking the pipeline" in page.content()
