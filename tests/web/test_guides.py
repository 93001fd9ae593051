"""The guides of docs/ in the reader's language (app/services/guides.py): a French manager reads
the managers' guide in French, an English one in English, a language with no translation reads
English; and every translation keeps the sections of its English source, so an edit to one
without the other fails here."""

import re

import pytest

from app.content.markdown import new_parser
from app.extensions import db
from app.models import User
from app.services import guides
from tests.helpers import login, publish_course, team_with_manager

LINT_CODE = re.compile(r"\b[EWC]-[A-Z]+\b")
TRANSLATIONS = sorted(p for p in guides.DOCS.glob("*/*.md"))


def _outline(text):
    """What a translation must keep: each heading's level and number ("## 3."), each table's
    rows and columns, each list's items, each code block, and every link's target."""
    shape = []
    for token in new_parser().parse(text):
        if token.type == "heading_open":
            shape.append(token.tag)
        elif token.type == "inline" and shape and shape[-1] in ("h1", "h2", "h3", "h4"):
            number = re.match(r"\d+\.", token.content)
            shape[-1] += " " + (number.group(0) if number else "")
        elif token.type in ("table_open", "tr_open", "th_open", "list_item_open", "fence"):
            shape.append(token.type)
        if token.children:
            shape += [c.attrs["href"] for c in token.children if c.type == "link_open"]
    return shape


def test_there_is_a_french_managers_guide():
    assert guides.DOCS / "fr" / guides.MANAGERS_GUIDE in TRANSLATIONS


@pytest.mark.parametrize("translation", TRANSLATIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_translated_guide_has_the_sections_of_its_source(translation):
    source = guides.DOCS / translation.name
    assert source.is_file(), f"{translation} translates no guide of docs/"
    english = _outline(source.read_text(encoding="utf-8"))
    translated = _outline(translation.read_text(encoding="utf-8"))
    assert translated == english, f"{translation} and {source} no longer have the same sections"
    codes = [set(LINT_CODE.findall(f.read_text(encoding="utf-8"))) for f in (source, translation)]
    assert codes[0] == codes[1], f"{translation} and {source} do not name the same lint codes"
    headings = [s for s in english if s.startswith("h")]
    assert len(headings) > 3


def test_a_french_guide_uses_the_typographic_apostrophe():
    for translation in guides.DOCS.glob("fr/*.md"):
        prose = re.sub(r"```.*?```|`[^`]*`", "", translation.read_text(encoding="utf-8"), flags=re.S)
        assert "'" not in prose, translation


def test_a_language_with_no_translation_reads_english():
    assert guides.guide_path(guides.MANAGERS_GUIDE, "de") == guides.DOCS / guides.MANAGERS_GUIDE
    assert guides.guide_path(guides.MANAGERS_GUIDE, "../fr") == guides.DOCS / guides.MANAGERS_GUIDE
    assert guides.read_guide("nowhere.md", "fr") is None
    english = guides.read_guide(guides.MANAGERS_GUIDE, "en")
    assert english is not None and english.language == "en"


def _manager_reading_in(app, factory, client, language):
    publish_course(app)
    manager, _team_id, _people = team_with_manager(factory, trainees=1)
    with app.app_context():
        db.session.get(User, manager.id).language = language
        db.session.commit()
    login(client, manager.email)
    page = client.get("/manage/guide")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_french_manager_reads_the_guide_in_french(app, client, factory):
    page = _manager_reading_in(app, factory, client, "fr")
    assert '<html lang="fr"' in page and 'lang="fr" data-managers-guide' in page
    for words in ("le guide du manager", "Assignez le travail qui compte maintenant", "point de rupture"):
        assert words in page
    assert "Assign the work that matters now" not in page


def test_an_english_manager_reads_the_guide_in_english(app, client, factory):
    page = _manager_reading_in(app, factory, client, "en")
    assert 'lang="en" data-managers-guide' in page and "Assign the work that matters now" in page
    assert "Assignez le travail" not in page


def test_a_french_trainer_reads_the_studio_guides_in_french_when_written(app, client, factory):
    """The studio's guides follow the same rule: French where written (the format reference),
    else English marked as English; links between the guides still lead to the studio's pages."""
    publish_course(app)
    trainer = factory.user(role="trainer")
    with app.app_context():
        db.session.get(User, trainer.id).language = "fr"
        db.session.commit()
    login(client, trainer.email)
    reference = client.get("/author/guide/content-format").get_data(as_text=True)
    assert 'lang="fr" data-guide="content-format"' in reference
    assert "Référence du format de contenu" in reference and "<td>E-PHASEKEY</td>" in reference
    assert 'href="/author/guide/authoring"' in reference
    guide = client.get("/author/guide/authoring").get_data(as_text=True)
    written_in = guides.read_guide("authoring.md", "fr")
    assert written_in is not None and f'lang="{written_in.language}" data-guide="authoring"' in guide
    assert 'href="/author/guide/content-format"' in guide
