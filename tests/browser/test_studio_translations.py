"""A trainer keeps the French translation in step in the studio: the Translations tab says which
language is up to date, whose source changed (with the diff) and which is missing; a wrong
translation is refused, an empty one too, a right one goes live."""

import shutil
from pathlib import Path

import pytest

from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "translated"


def test_translation_states_diff_and_editor(page, live_server, runner, factory, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES, root)
    (root / "courses/demo-course/fr/01-reading-signals.md").unlink()
    source = root / "scenarios/fifteen-percent.md"
    assert runner.invoke(args=["content", "sync", "--root", str(root)]).exit_code == 0
    source.write_text(
        source.read_text(encoding="utf-8").replace("Briefing: everything", "Briefing: all"), encoding="utf-8"
    )
    assert runner.invoke(args=["content", "sync", "--root", str(root)]).exit_code == 0
    trainer = factory.user(role="trainer")
    log_in(page, live_server, trainer.email, PASSWORD)

    page.goto(live_server + "/author/scenario/fifteen-percent/edit")
    page.click("nav.studio-tabs >> text=Translations")
    row = page.locator("tr[data-language=fr]")
    assert row.get_attribute("data-state") == "stale" and "Source changed" in row.inner_text()
    diff = page.inner_text("#changed-fr")
    assert "Briefing: everything" in diff and "Briefing: all" in diff

    page.goto(live_server + "/author/module/reading-signals/translations")
    assert page.locator("tr[data-language=fr]").get_attribute("data-state") == "missing"
    page.click("tr[data-language=fr] >> text=Write it")
    text = page.input_value("#source")
    assert text.startswith("---\nlanguage: fr\n")
    for bad in ("", text.replace("- [x] They give", "- [ ] They give")):
        page.fill("#source", bad)
        page.click("button[value=publish]")
        page.wait_for_load_state()
        assert "Not published: fix the errors below first." in page.inner_text(".flashes")
    page.fill(
        "#source",
        text.replace('title: "Reading maturation signals"', 'title: "Lire les signaux de maturité"'),
    )
    page.click("button[value=publish]")
    page.wait_for_url(live_server + "/author/module/reading-signals/translations")
    assert page.locator("tr[data-language=fr]").get_attribute("data-state") == "current"
    assert "Published translation 1." in page.inner_text(".flashes")
