"""Assignments in Chromium as a manager clicks: a date in the past is refused beside the field
(nothing assigned), an empty form is refused, a right one assigns; cancelling asks on a page of
its own (no script needed), and the Undo on the next page gives the work back."""

from datetime import date, timedelta

import pytest

from tests.helpers import PASSWORD, log_in, publish_course, team_with_manager

pytestmark = pytest.mark.browser


def test_past_date_refused_cancel_confirmed_and_undone(page, live_server, make_app, factory):
    app = make_app()
    publish_course(app)
    manager, team, _ = team_with_manager(factory, trainees=1, name="Nantes desk")
    log_in(page, live_server, manager.email, PASSWORD)
    page.goto(live_server + "/manage/assignments")

    page.click("form.assign-form button[type=submit]")  # empty
    assert "Choose what to assign." in page.inner_text("form.assign-form")

    page.select_option("select[name=target]", "module:pao-action-plans")
    page.select_option("select[name=assignee]", f"team:{team}")
    page.check("input[name=due_mode][value=date]")
    page.fill("#new-due_date", (date.today() - timedelta(days=3)).isoformat())
    page.click("form.assign-form button[type=submit]")
    assert "That date has passed" in page.inner_text("#new-due_date-error")
    assert "Nothing assigned yet." in page.inner_text("main")

    page.fill("#new-due_date", (date.today() + timedelta(days=1)).isoformat())
    page.click("form.assign-form button[type=submit]")
    assert "Assigned." in page.inner_text("main")
    assert "Due tomorrow" in page.inner_text(".assignment-list") or "PAO" in page.inner_text(
        ".assignment-list"
    )

    page.click(".assignment-list details.change summary")
    page.click("[data-cancel-assignment]")
    assert "Cancel this assignment?" in page.inner_text("main")
    page.click("text=Keep it")
    assert page.locator(".assignment-list li").count() == 1

    page.click(".assignment-list details.change summary")
    page.click("[data-cancel-assignment]")
    page.click("[data-confirm-cancel]")
    assert "Assignment cancelled." in page.inner_text("main")
    assert "Nothing assigned yet." in page.inner_text("main")
    page.click("[data-undo] button")
    assert "Cancellation undone" in page.inner_text("main")
    assert page.locator(".assignment-list li").count() == 1
