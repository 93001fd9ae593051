"""Knowledge checks in Chromium, answered as a trainee does: single-choice (radio) and
"select all that apply" (checkbox) questions, submitted empty, with a wrong answer and with the
right one. Checkboxes are never `required` (the browser would demand every box ticked); an
unanswered question gets the server's message beside it and the answers given stay ticked."""

import pytest

from tests.helpers import PASSWORD, log_in, publish_course, quiz_questions, tick, words

pytestmark = pytest.mark.browser


def _module_with_both_kinds(app):
    """A module of the first stage (open to a new trainee) with both kinds of question, and the
    right answers keyed by the question's words."""
    from app.services import publishing

    with app.app_context():
        first_stage = publishing.published_course(publishing.course_id()).stages[0].id
        for version in publishing.published_all("module").values():
            module = publishing.value_of(version)
            kinds = {sum(a.correct for a in q.answers) > 1 for q in module.quiz}
            if module.stage == first_stage and kinds == {True, False}:
                return module.id, {
                    words(q.text): [i for i, a in enumerate(q.answers, 1) if a.correct] for q in module.quiz
                }
    pytest.fail("no module of the first stage has both a single- and a multiple-choice question")


def test_single_and_multiple_choice_checks(browser, page, live_server, make_app, factory):
    content_app = make_app()
    publish_course(content_app)
    module_id, key = _module_with_both_kinds(content_app)
    person = factory.user(name="Quinn Quiz")
    log_in(page, live_server, person.email, PASSWORD)
    # each visit draws a new set from the pool: open the check until a set has both kinds
    for _ in range(30):
        page.goto(f"{live_server}/learn/modules/{module_id}/check")
        questions = quiz_questions(page, key)
        if any(q[2] for q in questions) and not all(q[2] for q in questions):
            break
    assert any(q[2] for q in questions) and not all(q[2] for q in questions)
    assert page.locator("input[type=checkbox][required]").count() == 0
    assert page.locator("input[required]").count() == 0
    question_box = page.locator("fieldset.question").first.bounding_box()
    legend_box = page.locator("fieldset.question legend").first.bounding_box()
    # a fieldset's legend sits on its top border (the box starts at the legend's top) unless moved in
    assert legend_box["y"] > question_box["y"] + 4, "the question straddles the top border of its card"

    # empty: the browser lets it go, and the server says so beside every question
    page.click("text=Check my answers")
    page.wait_for_selector("fieldset.question.has-error")
    assert "/check" in page.url and not page.locator("[data-quiz-result]").count()
    errors = page.locator("fieldset.question .error")
    assert errors.count() == len(questions)
    texts = [e.inner_text() for e in errors.all()]
    for (_f, _n, several, _r, _v), text in zip(questions, texts, strict=False):
        assert text == ("Choose at least one answer." if several else "Choose an answer.")

    # half answered: the multiple-choice question right, the rest empty; the ticks are kept
    questions = quiz_questions(page, key)
    multiple = next(q for q in questions if q[2])
    fieldset, name, _several, right, _values = multiple
    tick(fieldset, name, right)
    page.click("text=Check my answers")
    page.wait_for_selector("fieldset.question.has-error")
    questions = quiz_questions(page, key)
    fieldset = next(q[0] for q in questions if q[1] == name)
    assert sorted(i.get_attribute("value") for i in fieldset.locator("input:checked").all()) == sorted(right)
    assert not fieldset.locator(".error").count()
    assert page.locator("fieldset.question .error").count() == len(questions) - 1

    # a wrong answer: every single-choice question right but one, the multiple one half ticked
    for fieldset, name, several, right, _values in questions:
        if several:
            for box in fieldset.locator("input").all():
                box.uncheck()
            tick(fieldset, name, right[:1])  # one right box is not enough
        else:
            tick(fieldset, name, right)
    single = next(q for q in questions if not q[2])
    wrong = next(v for v in single[4] if v not in single[3])
    tick(single[0], single[1], [wrong])
    page.click("text=Check my answers")
    page.wait_for_selector("[data-quiz-result]")
    assert "not yet" in page.locator("[data-quiz-result] h1").inner_text()
    assert page.locator(".question-result.wrong").count() == 2
    assert int(page.locator("[data-quiz-result]").get_attribute("data-percent")) < 100

    # the right answers, checkboxes included
    page.click("a.button:has-text('Try again')")
    page.wait_for_selector("fieldset.question")  # the check again, not the result page left behind
    for fieldset, name, _several, right, _values in quiz_questions(page, key):
        tick(fieldset, name, right)
    page.click("text=Check my answers")
    page.wait_for_selector("[data-quiz-result]")
    assert page.locator("[data-quiz-result] h1").inner_text() == "Passed: 100%"
    assert page.locator(".question-result.wrong").count() == 0


def test_multiple_choice_at_phone_width(browser, live_server, make_app, factory):
    content_app = make_app()
    publish_course(content_app)
    module_id, key = _module_with_both_kinds(content_app)
    person = factory.user()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, person.email, PASSWORD)
        page.goto(f"{live_server}/learn/modules/{module_id}/check")
        for fieldset, name, _several, right, _values in quiz_questions(page, key):
            tick(fieldset, name, right)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("text=Check my answers")
        page.wait_for_selector("[data-quiz-result]")
        assert page.locator("[data-quiz-result] h1").inner_text() == "Passed: 100%"
    finally:
        context.close()
