"""The manager's journey in a real browser: assign a module to the team with a due date, the
trainee sees it on /learn/ and plays its scenario, the manager sees the result and the transcript
and leaves a coaching comment."""

from datetime import date, timedelta

import pytest

from tests.helpers import PASSWORD, log_in, publish_course, team_with_manager

pytestmark = pytest.mark.browser


def test_assign_play_and_review(browser, live_server, make_app, factory):
    app = make_app()
    publish_course(app)
    manager, team, (rep,) = team_with_manager(factory, trainees=1, name="Lyon desk")
    due = (date.today() + timedelta(days=5)).isoformat()

    manager_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    manager_page.set_default_timeout(15000)
    log_in(manager_page, live_server, manager.email, PASSWORD)
    manager_page.goto(live_server + "/manage/assignments")
    manager_page.select_option("select[name=target]", "module:filters-and-ranking")
    manager_page.select_option("select[name=assignee]", f"team:{team}")
    manager_page.check("input[name=due_mode][value=date]")
    manager_page.fill("#new-due_date", due)
    manager_page.click("form.assign-form button[type=submit]")
    assert "Assigned." in manager_page.content()
    assert "Filters and ranking" in manager_page.inner_text(".assignment-list")

    trainee_page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    trainee_page.set_default_timeout(15000)
    log_in(trainee_page, live_server, rep.email, PASSWORD)
    trainee_page.goto(live_server + "/learn/")
    assert "Filters and ranking" in trainee_page.inner_text("main")
    trainee_page.goto(live_server + "/learn/scenarios/ranking-the-pipeline")
    trainee_page.click("[data-start]")
    for _ in range(60):
        if trainee_page.locator("[data-debrief]").count():
            break
        if trainee_page.locator("[data-choice]").count():
            trainee_page.locator("[data-choice]").first.click()
        elif trainee_page.locator("[data-continue]").count():
            trainee_page.locator("[data-continue]").first.click()
        trainee_page.wait_for_load_state()
    percent = trainee_page.get_attribute("[data-debrief] [data-percent]", "data-percent")
    assert percent is not None

    manager_page.goto(live_server + "/manage/")
    assert rep.name in manager_page.inner_text("table.heat")
    # on a phone the heatmap scrolls inside its frame; the page itself never scrolls sideways
    # (screen-reader-only labels in the cells once pushed it to twice the screen's width)
    manager_page.set_viewport_size({"width": 390, "height": 800})
    assert manager_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert manager_page.evaluate("document.querySelector('.heat-wrap').scrollWidth") > 390
    manager_page.set_viewport_size({"width": 1280, "height": 900})
    manager_page.click(f"text={rep.name}")
    assert "Ranking the pipeline" in manager_page.inner_text("main")
    manager_page.click("a[href*='/manage/attempts/']")
    transcript = manager_page.inner_text("main")
    assert "Chose:" in transcript and "Debrief" in transcript and f"{percent}%" in transcript
    manager_page.fill("textarea[name=body]", "Nice call plan. Next time, rank by fit before size.")
    manager_page.click("#comments button[type=submit]")
    assert "Nice call plan" in manager_page.inner_text("#comments")
