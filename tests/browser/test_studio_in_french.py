"""A French trainer in the studio: the editor, the live lint and the preview speak French (the
findings keep their codes and lines), an empty and a wrong text are refused with French reasons,
a draft is saved and the right text published; the graph's legend and labels are French."""

import shutil
from pathlib import Path

import pytest

from app.extensions import db
from app.models import User
from app.services import publishing
from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"


def test_a_french_trainer_edits_checks_previews_and_publishes(
    page, live_server, app, runner, factory, tmp_path
):
    root = tmp_path / "root"
    shutil.copytree(FIXTURES, root)
    trainer = factory.user(role="trainer", name="Théo Formateur")
    with app.app_context():
        db.session.get(User, trainer.id).language = "fr"
        db.session.commit()
    assert runner.invoke(args=["content", "sync", "--root", str(root)]).exit_code == 0
    with app.app_context():
        text = publishing.published("scenario", "fifteen-percent").source
        db.session.remove()

    log_in(page, live_server, trainer.email, PASSWORD)
    page.wait_for_url(live_server + "/author/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Mises en situation" in page.inner_text("main")
    page.goto(live_server + "/author/scenario/fifteen-percent/edit")
    assert page.inner_text("#findings-title").startswith("Constats")
    assert "Aucun constat : le texte est prêt à être publié." in page.inner_text("#findings")
    assert "Mise en situation avec Claire Martin" in page.inner_text("#preview")

    # Typing a wrong start: the live lint answers in French, with the code and the line.
    page.fill("#source", text.replace("start: opening", "start: nowhere"))
    finding = page.locator("#findings .finding.is-error").first
    finding.wait_for()
    assert (
        "E-START" in finding.inner_text() and "le départ `nowhere` n’est pas un nœud" in finding.inner_text()
    )
    assert "Ligne 9" in finding.inner_text()
    assert "1 erreur" in page.inner_text("#finding-counts")
    page.wait_for_function("document.getElementById('editor-status').textContent.startsWith('Vérifié')")
    assert page.inner_text("#editor-status") == "Vérifié · non enregistré"

    # Publishing it is refused, in French; so is an empty text.
    for bad in (text.replace("start: opening", "start: nowhere"), ""):
        page.fill("#source", bad)
        page.click("button[value=publish]")
        page.wait_for_load_state()
        assert "Non publié : corrigez d’abord les erreurs ci-dessous." in page.inner_text(".flashes")
        assert "En ligne : v1" in page.inner_text("[data-live-origin]")
        assert "La publication est refusée tant qu’il reste" in page.inner_text("#publish-blocked")

    # A draft is saved, then the right text published.
    page.fill("#source", text.replace('title: "Claire wants 15% off"', 'title: "Claire veut 15 % de remise"'))
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert "Brouillon enregistré (révision 1)." in page.inner_text(".flashes")
    page.click("button[value=publish]")
    page.wait_for_url(live_server + "/author/scenario/fifteen-percent/edit")
    assert "Version 2 publiée." in page.inner_text(".flashes")
    origin = page.inner_text("[data-live-origin]")
    assert "En ligne : v2" in origin and "publiée dans le studio par Théo Formateur" in origin
    assert "Claire veut 15 % de remise" in page.inner_text("#preview")

    # The scenario's graph, in French.
    page.click(".studio-tabs >> text=Graphe")
    assert page.inner_text("h1").startswith("Graphe du scénario")
    legend = page.inner_text(".legend")
    assert "nœud à choix" in legend and "impasse" in legend and "inatteignable" in legend
    assert "départ" in page.locator(".gnode.k-start .node-kind").text_content()
    with app.app_context():
        assert publishing.published("scenario", "fifteen-percent").version == 2
        db.session.remove()
