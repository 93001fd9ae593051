"""The studio speaks the trainer's language: its pages, its flashes and lint's findings (the
content core's English messages, translated at the studio's door with the same codes, names and
lines); `flask content lint` keeps printing English."""

import re
from pathlib import Path

import pytest

from app.content import lint as content_lint
from app.content.model import Said, said
from app.extensions import db
from app.models import User
from app.services import authoring, publishing

ROOT = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"


@pytest.fixture
def published(app):
    with app.app_context():
        publishing.sync_files(str(ROOT), echo=lambda *_: None)
        db.session.commit()


def _trainer(app, login_as, language):
    person = login_as("trainer")
    with app.app_context():
        db.session.get(User, person.id).language = language
        db.session.commit()
    return person


def _broken(app):
    with app.app_context():
        text = authoring.template_text(
            "scenario", "first-call", "First call", publishing.published_course("demo-course")
        )
    return text.replace("(#end-poor)", "(#nowhere)")


def test_a_french_trainer_reads_lint_in_french_with_the_same_code_and_line(app, client, login_as, published):
    _trainer(app, login_as, "fr")
    answer = client.post("/author/lint", data={"source": _broken(app), "kind": "scenario"}).get_json()
    finding = next(f for f in answer["findings"] if f["code"] == "E-TARGET")
    assert finding["message"] == "la cible du choix `#nowhere` n’est pas un nœud"
    assert answer["counted"][0] == "1 erreur"
    assert client.post("/author/new", data={}).status_code == 400  # a form error, in French below
    client.post(
        "/author/new",
        data={"kind": "scenario", "slug": "first-call", "title": "Premier appel", "course": "demo-course"},
    )
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"',
        client.get("/author/scenario/first-call/edit").get_data(as_text=True),
    ).group(1)
    page = client.post(
        "/author/scenario/first-call/edit",
        data={"csrf_token": token, "source": _broken(app), "revision": "1", "action": "check"},
    ).get_data(as_text=True)
    assert "la cible du choix `#nowhere` n’est pas un nœud" in page
    assert "Constats" in page and "Aperçu" in page and "Enregistrer le brouillon" in page
    assert "choice target" not in page


def test_an_english_trainer_reads_the_same_finding_in_english(app, client, login_as, published):
    _trainer(app, login_as, "en")
    answer = client.post("/author/lint", data={"source": _broken(app), "kind": "scenario"}).get_json()
    finding = next(f for f in answer["findings"] if f["code"] == "E-TARGET")
    assert finding["message"] == "choice target `#nowhere` is not a node"
    assert answer["counted"][0] == "1 error"


def test_the_cli_lint_stays_english(app, published):
    """The content core is English whatever the page: Finding.format is what `flask content lint`
    prints, and a message keeps its template for the studio."""
    with app.app_context():
        course = publishing.published_course("demo-course")
        value, findings = content_lint.check_text(
            "scenario", _broken(app), "scenarios/first-call.md", {course.id: course}, set()
        )
    target = next(f for f in findings if f.code == "E-TARGET")
    assert (
        target.format()
        == f"scenarios/first-call.md:{target.line}: E-TARGET choice target `#nowhere` is not a node"
    )
    assert (
        isinstance(target.message, Said)
        and target.message.template == "choice target `#%(choice_target)s` is not a node"
    )


def test_a_said_message_is_english_text_that_keeps_its_template():
    inner = said("unknown name `%(name)s`", name="margn")
    text = said("%(what)s: %(why)s, 100%% sure", what="pass", why=inner)
    assert text == "pass: unknown name `margn`, 100% sure"
    assert text.params["why"] is inner
    import pickle

    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.template == text.template
