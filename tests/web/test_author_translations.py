"""The studio's Translations tab: each language's state (up to date, source changed, missing),
the source's changes since a translation was made, and the translation editor."""

import html
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ContentTranslation
from app.services import publishing

FIXTURES = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "translated"
MODULE_FR = "courses/demo-course/fr/01-reading-signals.md"


@pytest.fixture
def root(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "root")
    (tmp_path / "root" / MODULE_FR).unlink()  # the module's French is still to write
    return tmp_path / "root"


def _sync(app, root):
    with app.app_context():
        report = publishing.sync_files(str(root), echo=lambda *_: None)
        db.session.commit()
        return report


@pytest.fixture
def trainer(app, login_as, root):
    _sync(app, root)
    return login_as("trainer")


def _token(page):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _translations(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ContentTranslation))


def test_states_up_to_date_then_source_changed_with_the_diff(app, client, trainer, root):
    page = client.get("/author/scenario/fifteen-percent/translations").get_data(as_text=True)
    assert 'data-language="fr" data-state="current"' in page and "Up to date" in page
    assert "French" in page and "scenarios/fr/fifteen-percent.md" in page
    source = root / "scenarios" / "fifteen-percent.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Briefing: everything", "Briefing: all"), encoding="utf-8"
    )
    _sync(app, root)
    page = client.get("/author/scenario/fifteen-percent/translations").get_data(as_text=True)
    assert 'data-state="stale"' in page and "Source changed" in page and "follows v1" in page
    assert "Briefing: everything" in page and "Briefing: all" in page  # the diff, both sides
    assert "v1, which it follows, compared with the live v2" in page


def test_a_missing_translation_is_written_checked_and_published(app, client, trainer):
    page = client.get("/author/module/reading-signals/translations").get_data(as_text=True)
    assert 'data-language="fr" data-state="missing"' in page and "Missing" in page
    editor = client.get("/author/module/reading-signals/translations/fr").get_data(as_text=True)
    text = html.unescape(re.search(r"<textarea[^>]*>\r?\n(.*?)</textarea>", editor, re.DOTALL).group(1))
    assert text.startswith('---\nlanguage: fr\nsource-version: "629c0e2614c0"\nid: reading-signals')
    before = _translations(app)
    broken = text.replace("- [x] They give you a signing date", "- [ ] They give you a signing date")
    refused = client.post(
        "/author/module/reading-signals/translations/fr",
        data={"csrf_token": _token(editor), "source": broken, "base_id": "", "action": "publish"},
    )
    assert refused.status_code == 422 and "E-SAMEQUIZ" in refused.get_data(as_text=True)
    assert _translations(app) == before  # nothing written
    french = text.replace('title: "Reading maturation signals"', 'title: "Lire les signaux de maturité"')
    done = client.post(
        "/author/module/reading-signals/translations/fr",
        data={"csrf_token": _token(editor), "source": french, "base_id": "", "action": "publish"},
    )
    assert done.status_code == 303
    again = client.post(
        "/author/module/reading-signals/translations/fr",  # a double click
        data={"csrf_token": _token(editor), "source": french, "base_id": "", "action": "publish"},
    )
    assert again.status_code == 303 and _translations(app) == before + 1
    page = client.get("/author/module/reading-signals/translations").get_data(as_text=True)
    assert 'data-state="current"' in page
    stale_editor = client.post(
        "/author/module/reading-signals/translations/fr",  # opened before the publish
        data={"csrf_token": _token(editor), "source": french + "\nMore.", "base_id": "", "action": "publish"},
    )
    assert stale_editor.status_code == 409 and "another translation went live" in stale_editor.get_data(
        as_text=True
    )
    assert _translations(app) == before + 1


def test_unknown_languages_and_texts_are_not_found(client, trainer):
    assert client.get("/author/scenario/fifteen-percent/translations/de").status_code == 404
    assert client.get("/author/scenario/nope/translations").status_code == 404
    assert client.get("/author/scenario/fifteen-percent/translations/FR").status_code == 404


def test_a_missing_translation_sent_with_a_base_that_is_not_live_is_published(app, client, trainer):
    """An editor whose form names a translation that is not live (no translation is, here):
    there is no one's text to keep, so it publishes rather than failing on the missing row."""
    editor = client.get("/author/module/reading-signals/translations/fr").get_data(as_text=True)
    text = html.unescape(re.search(r"<textarea[^>]*>\r?\n(.*?)</textarea>", editor, re.DOTALL).group(1))
    french = text.replace('title: "Reading maturation signals"', 'title: "Lire les signaux de maturité"')
    before = _translations(app)
    done = client.post(
        "/author/module/reading-signals/translations/fr",
        data={"csrf_token": _token(editor), "source": french, "base_id": "999", "action": "publish"},
    )
    assert done.status_code == 303 and _translations(app) == before + 1
