"""The studio speaks the trainer's language: its pages, its flashes and lint's findings (the
content core's English messages, translated at the studio's door with the same codes, names and
lines); `flask content lint` keeps printing English."""

import re
from pathlib import Path

import pytest

from app.content import engine, parse
from app.content import lint as content_lint
from app.content.model import Said, said
from app.extensions import db
from app.models import User
from app.services import authoring, publishing
from tests.helpers import publish_course

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


FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def _broken_draft(app, client, trainer):
    """The template draft `first-call` saved with its poor answer pointing nowhere."""
    client.post(
        "/author/new",
        data={"kind": "scenario", "slug": "first-call", "title": "First call", "course": "demo-course"},
    )
    with app.app_context():
        authoring.save_draft("scenario", "first-call", _broken(app), 1, db.session.get(User, trainer.id))
        db.session.commit()


def _play_the_poor_answer(client, headers):
    page = client.get("/author/scenario/first-call/playtest?node=opening", headers=headers)
    token = re.search(r'name="play" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(
        "/author/scenario/first-call/playtest?node=opening",
        data={"play": token, "choice": "2"},
        headers=headers,
    ).get_data(as_text=True)


def test_a_french_trainer_play_tests_a_broken_draft_in_french(app, client, login_as, published):
    _broken_draft(app, client, login_as("trainer"))
    page = _play_the_poor_answer(client, FR)
    assert "Cette étape ne peut pas être jouée : la cible du choix `nowhere` n’est pas un nœud" in page
    assert "choice target" not in page and "is not a node" not in page
    page = _play_the_poor_answer(client, EN)
    assert "That step cannot be played: choice target `nowhere` is not a node" in page


def test_an_engine_error_is_english_text_that_keeps_its_template():
    """What logs and the CLI print is unchanged; the studio says the template."""
    scenario, _findings = parse.parse_scenario((ROOT / "scenarios" / "fifteen-percent.md").read_text())
    with pytest.raises(engine.ChoiceNotOffered) as refused:
        engine.step(scenario, engine.start_state(scenario), 99)
    assert str(refused.value).startswith("choice 99 is not offered at `")
    message = refused.value.args[0]
    assert isinstance(message, Said)
    assert message.template == "choice %(choice)s is not offered at `%(node)s` (%(shown)s shown)"


def test_a_french_trainer_reads_outcomes_and_type_words_in_french(app, client, login_as, published):
    login_as("trainer")
    client.post(
        "/author/new",
        data={"kind": "scenario", "slug": "first-call", "title": "First call", "course": "demo-course"},
    )
    graph = client.get("/author/scenario/first-call/graph", headers=FR).get_data(as_text=True)
    assert "fin : Bien joué" in graph and "fin : Pas cette fois" in graph and "fin : win" not in graph
    tests = client.get("/author/scenario/first-call/tests?games=5", headers=FR).get_data(as_text=True)
    assert "Bien joué <code>win</code>" in tests
    play = client.get("/author/scenario/first-call/playtest?node=end-good", headers=FR)
    assert "Fin : Bien joué" in play.get_data(as_text=True)
    with app.app_context():
        text = _broken(app).replace("`relationship +3`", '`relationship +3` `if relationship == "high"`')
    answer = client.post("/author/lint", data={"source": text, "kind": "scenario"}, headers=FR).get_json()
    assert any("compare un nombre avec un texte" in f["message"] for f in answer["findings"]), answer
    answer = client.post("/author/lint", data={"source": text, "kind": "scenario"}, headers=EN).get_json()
    assert any("compares a number with a string" in f["message"] for f in answer["findings"]), answer


def test_the_studio_lists_titles_in_the_readers_language_with_their_slugs(app, client, login_as):
    publish_course(app)
    login_as("trainer")
    page = client.get("/author/", headers=FR).get_data(as_text=True)
    row = page[page.index('data-slug="claire-wants-fifteen-percent"') :]
    row = row[: row.index("</tr>")]
    assert "Claire veut 15 % de remise" in row
    assert '<code class="slug">claire-wants-fifteen-percent</code>' in row
    assert "Claire wants 15% off" not in page
    page = client.get("/author/", headers=EN).get_data(as_text=True)
    assert "Claire wants 15% off" in page and "Claire veut 15 % de remise" not in page


def test_a_random_games_refusal_reads_in_french_on_the_test_report(app, client, login_as, published):
    _broken_draft(app, client, login_as("trainer"))
    page = client.get("/author/scenario/first-call/tests?games=20&seed=1", headers=FR).get_data(as_text=True)
    assert "partie aléatoire : la cible du choix `nowhere` n’est pas un nœud" in page
    assert "choice target" not in page


def test_every_content_message_a_trainer_can_meet_is_said_in_french(app):
    """Lint's duplicate kinds name the kind in French's own words, and a play-test message that
    wraps another (a pick no reading fits) says both in French."""
    from flask_babel import force_locale

    from app.author.words import say

    course = parse.parse_course(
        "---\nid: c\ntitle: C\nphases:\n  - id: p\n    title: P\n  - id: p\n    title: Q\n---\n# C\n", "c.md"
    )[0]
    twice = [f.message for f in content_lint.lint_course(course) if f.code == "E-DUP"]
    picking = engine.ContentError(
        said(
            "%(reason)s (picking items %(items)s)", reason=said("no node `%(node)s`", node="x"), items="1, 3"
        )
    )
    with app.test_request_context(), force_locale("fr"):
        assert [str(say(m)) for m in twice] == ["la phase `p` est déclarée deux fois"]
        assert str(say(picking)) == "aucun nœud `x` (constats cochés : 1, 3)"
