"""Today's boost in Chromium, at desktop and phone width: the dashboard's card, an empty answer
(the message beside the question, nothing recorded), a wrong one, right ones, a phase-reading
item that shows the scene again, the end of the round, and a signal-picking item (the scene,
the observations to tick, the verdict on each after). Screenshots of each page are kept in
BOOST_SHOTS when it is set, to look at."""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import BoostAnswer, BoostItem, QuizAttempt, User
from app.models.base import utcnow
from app.services import boosts_shown, demo_activity
from app.services.learning import knowledge_checks, published
from tests.helpers import PASSWORD, correct_answers, log_in, publish_course

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("BOOST_SHOTS")


def _shot(page, name):
    """A full-page screenshot into SHOTS when it is set: each costs Chromium a full render and a
    PNG, and no test reads them."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}", full_page=True)


def _met(app, person):
    """A check passed three days ago and the trade fair played ten days ago, misreading: the
    phase readings are due first."""
    with app.app_context():
        user = db.session.get(User, person.id)
        version, module = published.published_module("maturation-phases")
        attempt, _ = knowledge_checks.submit_quiz(
            user,
            "maturation-phases",
            version,
            knowledge_checks.new_submission_token(),
            correct_answers(module),
        )
        db.session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(created_at=utcnow() - timedelta(days=3))
        )
        demo_activity.record_play(
            person.id,
            "signals-at-the-trade-fair",
            pick=lambda offered: len(offered) - 1,
            when=utcnow() - timedelta(days=10),
        )
        db.session.commit()


def _answers(app, page):
    """(kind, right values, a wrong value) of the item on the page."""
    item_id = int(page.get_attribute("form[data-boost-item]", "data-boost-item"))
    with app.app_context():
        shown = boosts_shown.show(db.session.get(BoostItem, item_id))
        right = [str(v) for v in shown.right()]
        if shown.question:
            values = [str(n) for n in shown.order]
        elif shown.picking:  # a signal item: the observations to tick, 0-based
            values = [str(i) for i, _item in shown.picking]
        else:
            values = [p for p, _t in shown.phases]
    return shown.item.kind, right, next(v for v in values if v not in right)


def _answer(page, values):
    for value in values:
        page.check(f'input[name="answer"][value="{value}"]')
    page.click("form[data-boost-item] button[type=submit]")


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BoostAnswer))


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_boost_in_the_browser(browser, live_server, make_app, factory, width, height):
    app = make_app()
    publish_course(app)
    person = factory.user(name="Bea Boost")
    _met(app, person)
    label = "desktop" if width > 500 else "phone"
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, live_server, person.email, PASSWORD)
        page.goto(live_server + "/learn/")
        card = page.locator("[data-boost-due]")
        due = int(card.get_attribute("data-boost-due"))
        assert due > 3 and card.is_visible()
        _shot(page, f"dashboard-{label}.png")
        _fits(page, width)
        page.click("text=Start today's boost")
        page.wait_for_selector("form[data-boost-item]")
        assert page.get_attribute("[data-boost-position]", "data-boost-position") == "1"

        # the first item is a phase reading (the oldest due): the scene again, the phases to choose from
        kind, right, wrong = _answers(app, page)
        assert kind == "phase" and page.locator(".situation .prose").inner_text().strip()
        _shot(page, f"phase-item-{label}.png")
        _fits(page, width)

        # empty: the server's message beside the question, nothing recorded
        page.click("form[data-boost-item] button[type=submit]")
        page.wait_for_selector("#boost-error")
        assert page.locator("#boost-error").inner_text() == "Choose the phase the prospect is in."
        assert _count(app) == 0
        _shot(page, f"empty-{label}.png")

        # wrong: "Not quite", the phase and why, back tomorrow
        _answer(page, [wrong])
        page.wait_for_selector("[data-boost-answer]")
        assert page.get_attribute("[data-boost-answer]", "data-boost-answer") == "wrong"
        assert "comes back tomorrow" in page.inner_text("[data-boost-answer]")
        _shot(page, f"wrong-{label}.png")
        _fits(page, width)
        page.reload()  # a reload asks for the page, records nothing
        assert _count(app) == 1

        # right answers to the end of the round
        answered = 1
        while True:
            page.click("[data-boost-next]")
            page.wait_for_selector("form[data-boost-item]")
            kind, right, _wrong = _answers(app, page)
            _answer(page, right)
            page.wait_for_selector("[data-boost-answer]")
            assert page.get_attribute("[data-boost-answer]", "data-boost-answer") == "right"
            answered += 1
            if answered == 2:
                _shot(page, f"right-{label}.png")
                _fits(page, width)
            if page.locator("[data-boost-finish]").count():
                break
            assert answered < 5
        assert 3 <= answered <= 5 and _count(app) == answered
        page.click("[data-boost-finish]")
        page.wait_for_selector("#next-h")
        assert int(page.get_attribute("[data-boost-due]", "data-boost-due")) == due - answered
    finally:
        context.close()


def _misread_the_signals(app, person):
    """The trade fair played to the end a week ago, ticking the distractors at the signal-picking
    node: that item is due now, every other a month away."""
    from app.content import playtest, signals

    def pick(offered):
        return playtest.best_pick(offered)

    pick.items = signals.wrong_items
    with app.app_context():
        demo_activity.record_play(
            person.id, "signals-at-the-trade-fair", pick=pick, when=utcnow() - timedelta(days=7)
        )
        db.session.commit()
        from app.services import boosts_met

        boosts_met.refresh(db.session.get(User, person.id))
        db.session.execute(
            update(BoostItem)
            .where(BoostItem.user_id == person.id, BoostItem.kind != "signals")
            .values(due=utcnow() + timedelta(days=30))
        )
        db.session.commit()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_signal_item_in_the_browser(browser, live_server, make_app, factory, width, height):
    app = make_app()
    publish_course(app)
    person = factory.user(name="Sami Signal")
    _misread_the_signals(app, person)
    label = "desktop" if width > 500 else "phone"
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, live_server, person.email, PASSWORD)
        page.goto(live_server + "/learn/boost")
        page.wait_for_selector('form[data-boost-kind="signals"]')
        assert "Two months after the fair" in page.locator(".situation .prose").inner_text()
        boxes = page.locator('form[data-boost-item] input[type=checkbox][name="answer"]')
        assert boxes.count() == 7 and page.locator("input[required]").count() == 0
        _shot(page, f"signals-item-{label}.png")
        _fits(page, width)
        # empty: the message beside the list, nothing recorded
        page.click("form[data-boost-item] button[type=submit]")
        page.wait_for_selector("#boost-error")
        assert "Tick at least one observation" in page.locator("#boost-error").inner_text()
        assert _count(app) == 0
        kind, right, wrong = _answers(app, page)
        assert kind == "signals" and len(right) == 4
        # a distractor with three of the four signals: a misread, each observation explained
        _answer(page, right[:3] + [wrong])
        page.wait_for_selector("[data-boost-answer]")
        assert page.get_attribute("[data-boost-answer]", "data-boost-answer") == "wrong"
        verdicts = page.locator("[data-signal-verdicts] [data-verdict]")
        assert verdicts.count() == 7
        assert page.locator('[data-verdict="missed"]').count() == 1
        assert page.locator('[data-verdict="mistaken"]').count() == 1
        assert page.locator("[data-best-reading]").count() == 1
        _shot(page, f"signals-feedback-{label}.png")
        _fits(page, width)
        assert _count(app) == 1
    finally:
        context.close()
