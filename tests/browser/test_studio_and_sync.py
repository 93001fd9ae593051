"""A trainer publishes in the studio; the deploy's `flask content sync` then leaves the studio's
version live and says so; the trainer downloads the live text; `--force` publishes the file."""

import shutil
from pathlib import Path

import pytest

from app.extensions import db
from app.services import publishing
from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"
SCENARIO = "scenarios/fifteen-percent.md"


def test_a_studio_publication_survives_sync_until_forced(page, live_server, app, runner, factory, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES, root)
    trainer = factory.user(role="trainer", name="Théo Trainer")
    assert runner.invoke(args=["content", "sync", "--root", str(root)]).exit_code == 0
    with app.app_context():
        text = publishing.published("scenario", "fifteen-percent").source

    log_in(page, live_server, trainer.email, PASSWORD)
    page.goto(live_server + "/author/scenario/fifteen-percent/edit")
    assert "from the git file" in page.inner_text("[data-live-origin]")

    # Empty, then wrong: refused, nothing published.
    for bad in ("", text.replace("start: opening", "start: nowhere")):
        page.fill("#source", bad)
        page.click("button[value=publish]")
        page.wait_for_load_state()
        assert "Not published: fix the errors below first." in page.inner_text(".flashes")
        assert "Live: v1" in page.inner_text("[data-live-origin]")

    # Right: published in the studio.
    page.fill("#source", text.replace('title: "Claire wants 15% off"', 'title: "Claire, from the studio"'))
    page.click("button[value=publish]")
    page.wait_for_url(live_server + "/author/scenario/fifteen-percent/edit")
    origin = page.inner_text("[data-live-origin]")
    assert "Live: v2" in origin and "published in the studio by Théo Trainer" in origin

    # The deploy runs sync: the file has not changed since its last sync, so the studio's version stays.
    result = runner.invoke(args=["content", "sync", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert f"kept studio version: {SCENARIO} not published" in result.output
    assert "version 2, published in the studio by Théo Trainer" in result.output
    assert f"flask content sync --force {SCENARIO}" in result.output
    page.reload()
    assert "Live: v2" in page.inner_text("[data-live-origin]")

    # The studio offers the live text, to commit into the file.
    with page.expect_download() as caught:
        page.click("[data-download-live]")
    downloaded = Path(caught.value.path()).read_text(encoding="utf-8")
    assert 'title: "Claire, from the studio"' in downloaded

    # --force publishes the file over it; the studio's version stays in the history.
    result = runner.invoke(args=["content", "sync", "--root", str(root), "--force", SCENARIO])
    assert result.exit_code == 0, result.output
    assert "over studio version v2 (--force)" in result.output
    page.reload()
    origin = page.inner_text("[data-live-origin]")
    assert "Live: v1" in origin and f"from the git file {SCENARIO}" in origin
    page.click(".studio-tabs >> text=Versions")
    # loaded before counting: count() does not wait, and may read the page being left
    page.wait_for_url(live_server + "/author/scenario/fifteen-percent/versions")
    assert page.locator(".versions-table tbody tr").count() == 2
    with app.app_context():
        db.session.remove()


def test_starting_a_new_text_answers_beside_its_id(page, live_server, app, runner, factory, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES, root)
    trainer = factory.user(role="trainer")
    assert runner.invoke(args=["content", "sync", "--root", str(root)]).exit_code == 0
    log_in(page, live_server, trainer.email, PASSWORD)
    page.wait_for_url(live_server + "/author/")
    for slug, message in [
        ("", "Give the new text an id"),
        ("First Call", "The id must be kebab-case"),
        ("fifteen-percent", "already exists"),
    ]:
        page.fill("#slug", slug)
        page.fill("#title", "A title")
        page.click("text=Create draft")
        page.wait_for_load_state()
        assert message in page.inner_text("#slug-error")
        assert page.input_value("#title") == "A title"  # what was typed is kept
    page.fill("#slug", "first-call")
    page.click("text=Create draft")
    page.wait_for_url(live_server + "/author/scenario/first-call/edit")
    assert "Started scenario `first-call`" in page.inner_text(".flashes")
