"""Notifications in Chromium: a trainee sees the bell's count after new work is assigned, opens
the notification to the module, turns a kind of mail off and on in the preferences form; the
unsubscribe link from a mail works in a browser that is not logged in."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import MailOptOut, User
from app.services import notifications
from app.services.assignments import assigning
from tests.helpers import PASSWORD, log_in, publish_course, team_with_manager

pytestmark = pytest.mark.browser


def _off(app, user_id):
    with app.app_context():
        kinds = set(db.session.scalars(db.select(MailOptOut.kind).where(MailOptOut.user_id == user_id)))
        db.session.remove()
    return kinds


def test_a_trainee_follows_the_bell_and_chooses_their_mail(page, live_server, make_app, factory):
    app = make_app()
    publish_course(app)
    manager, team, (tina, _) = team_with_manager(factory)
    with app.app_context():
        assigning.assign(
            db.session.get(User, manager.id),
            "module",
            "maturation-phases",
            team_id=team,
            due_date=date.today() + timedelta(days=9),
        )
        db.session.commit()
        db.session.remove()
    log_in(page, live_server, tina.email, PASSWORD)
    page.wait_for_url(live_server + "/learn/")
    bell = page.locator(".nav-bell")
    assert bell.get_attribute("data-unread") == "1" and bell.inner_text().strip() == "1"
    bell.click()
    page.wait_for_url(live_server + "/notifications")
    page.locator("[data-notification=assignment] a").click()
    page.wait_for_url(live_server + "/learn/modules/maturation-phases")
    assert page.locator(".nav-bell").get_attribute("data-unread") == "0"

    page.goto(live_server + "/notifications/preferences")
    page.uncheck("[data-kind=due-soon]")
    page.uncheck("[data-kind=overdue]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Your mail preferences are saved.")
    assert not page.is_checked("[data-kind=due-soon]") and page.is_checked("[data-kind=assignment]")
    assert _off(app, tina.id) == {"due-soon", "overdue"}
    page.check("[data-kind=overdue]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Your mail preferences are saved.")
    assert _off(app, tina.id) == {"due-soon"}
    for kind in (
        "assignment",
        "comment",
        "stage-completed",
        "overdue",
        "boosts-due",
    ):  # everything off: an empty form
        page.uncheck(f"[data-kind={kind}]")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Your mail preferences are saved.")
    assert len(_off(app, tina.id)) == 6
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server + "/notifications")
    assert page.locator(".nav-bell").is_visible()


def test_the_unsubscribe_link_in_a_browser_that_is_not_logged_in(page, live_server, make_app, factory):
    app = make_app()
    person = factory.user()
    with app.app_context():
        link = notifications.unsubscribe_link(person.id, "comment")
    page.goto(live_server + "/" + link.split("/", 3)[3])
    page.click("[data-unsubscribe]")
    page.wait_for_selector("text=These mails are turned off")
    assert _off(app, person.id) == {"comment"}
