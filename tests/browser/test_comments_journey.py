"""A coaching comment reaches the trainee, in Chromium as people click: the manager writes one
(an empty one first, refused beside the field), the trainee sees the notice on the dashboard,
reads the comment on the debrief and the notice goes; the manager edits it (the notice comes
back) and deletes it. No JavaScript is needed: the edit form opens in a <details>."""

import pytest

from tests.helpers import PASSWORD, log_in, play, publish_course, team_with_manager

pytestmark = pytest.mark.browser


def _context(browser, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(15000)
    return page


def test_comment_seen_by_the_trainee_then_edited_and_deleted(browser, live_server, make_app, factory):
    app = make_app()
    publish_course(app)
    manager, _team, (rep,) = team_with_manager(factory, trainees=1)
    attempt_id = play(app, rep.id, "ranking-the-pipeline")

    boss = _context(browser, 1280)
    log_in(boss, live_server, manager.email, PASSWORD)
    boss.goto(f"{live_server}/manage/trainees/{rep.id}")
    boss.click(f"a[href$='/manage/attempts/{attempt_id}']")
    assert "sees it on the debrief of this attempt" in boss.inner_text("#comments")
    boss.click("#comments form:last-of-type button[type=submit]")  # empty
    assert "Write a comment first." in boss.inner_text("#comments")
    boss.fill("textarea[name=body]", "Good qualification. Next time, ask about the budget first.")
    boss.click("#comments form:last-of-type button[type=submit]")
    assert "Comment sent." in boss.inner_text("main")
    assert "not read yet" in boss.inner_text("#comments")

    trainee = _context(browser, 390)
    log_in(trainee, live_server, rep.email, PASSWORD)
    trainee.goto(live_server + "/learn/")
    assert trainee.locator("[data-unread-comments='1']").count() == 1
    trainee.goto(f"{live_server}/learn/attempts/{attempt_id}")
    shown = trainee.inner_text("#comments")
    assert "ask about the budget first" in shown and manager.name in shown
    trainee.goto(live_server + "/learn/")
    assert trainee.locator("[data-unread-comments]").count() == 0

    boss.reload()
    assert "read by" in boss.inner_text("#comments")
    boss.click("#comments details.comment-edit summary")
    editor = boss.locator("#comments details.comment-edit textarea")
    editor.fill("")
    boss.click("#comments details.comment-edit button[type=submit]")
    assert "Write a comment first." in boss.inner_text("#comments")  # refused, the old text kept
    boss.locator("#comments details.comment-edit textarea").fill(
        "Good qualification. Ask about the budget and the timing."
    )
    boss.click("#comments details.comment-edit button[type=submit]")
    assert "Comment updated" in boss.inner_text("main")
    assert "and the timing" in boss.inner_text("#comments .comment-body")

    trainee.goto(live_server + "/learn/")
    assert trainee.locator("[data-unread-comments='1']").count() == 1
    trainee.click("[data-unread-comments] a")
    assert "and the timing" in trainee.inner_text("main") and "edited" in trainee.inner_text("main")
    assert trainee.evaluate("document.documentElement.scrollWidth") <= 390
    trainee.goto(live_server + "/learn/")
    assert trainee.locator("[data-unread-comments]").count() == 0

    boss.click("[data-delete-comment]")
    assert "Comment deleted." in boss.inner_text("main")
    assert boss.locator("#comments .comment-body").count() == 0
    trainee.goto(f"{live_server}/learn/attempts/{attempt_id}")
    assert trainee.locator("#comments").count() == 0
