"""A knowledge check drawn from its pool, in Chromium, as a trainee takes it: two tries below
the pass mark (the results say what was wrong, not which answers are right), the pause before
a third with the pages to re-read, a re-read that opens the check again, a pass, and the first
result now showing the right answers."""

import re

import pytest

from tests.helpers import PASSWORD, log_in, publish_course, quiz_questions, tick, words

pytestmark = pytest.mark.browser
MODULE = "crm-data-that-matters"


def _key(app):
    from app.services.learning import published

    with app.app_context():
        _v, module = published.published_module(MODULE)
        return {words(q.text): [i for i, a in enumerate(q.answers, 1) if a.correct] for q in module.quiz}


def _answer(page, key, right):
    """Tick every question right, or every one wrong (the first value that is not right)."""
    questions = quiz_questions(page, key)
    assert len(questions) == 6, "six questions drawn from the pool"
    for fieldset, name, _several, good, values in questions:
        tick(fieldset, name, good if right else [next(v for v in values if v not in good)])
    page.click("text=Check my answers")
    page.wait_for_selector("[data-quiz-result]")


def test_two_failed_tries_pause_then_a_reread_opens_the_check(browser, page, live_server, make_app, factory):
    app = make_app()
    publish_course(app)
    key = _key(app)
    person = factory.user(name="Pia Pool")
    log_in(page, live_server, person.email, PASSWORD)

    page.goto(f"{live_server}/learn/modules/{MODULE}/check")
    assert "drawn from" in page.locator(".lead").inner_text()
    _answer(page, key, right=False)
    first_result = page.url
    assert "not yet" in page.locator("[data-quiz-result] h1").inner_text()
    assert page.locator("[data-answers-hidden]").count() == 1
    assert page.locator(".tag.good").count() == 0  # no "Correct answer" before a pass
    assert page.locator(".question-result.wrong").count() == 6

    page.click("a.button:has-text('Try again')")
    _answer(page, key, right=False)
    page.click("a.button:has-text('Try again')")
    pause = page.locator("[data-retry-pause]")
    assert pause.count() == 1 and page.locator("form.quiz").count() == 0
    assert "re-read" in pause.inner_text() and "minutes" in pause.inner_text()

    page.locator("[data-retry-pause] a.button").first.click()  # re-read a page
    page.wait_for_load_state()
    page.goto(f"{live_server}/learn/modules/{MODULE}/check")
    assert page.locator("[data-retry-pause]").count() == 0
    _answer(page, key, right=True)
    assert re.match(r"Passed: 100%", page.locator("[data-quiz-result] h1").inner_text())

    page.goto(first_result)  # passed now: the answers show
    assert page.locator("[data-answers-hidden]").count() == 0
    assert page.locator(".tag.good").count() >= 6
