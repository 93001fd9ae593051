"""Translations published as language variants of their source: a French and an English
trainee play the same scenario (same ids, same version), are counted together in the manager's
analytics, and each attempt reads, to its manager, in the language it was played in."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ContentTranslation, PublishedTranslation, ScenarioAttempt, User
from app.services import (
    coaching,
    demo_activity,
    publishing,
    team_analytics,
    translations,
)
from app.services.learning import knowledge_checks, published, role_plays
from tests.helpers import team_with_manager

FIXTURES = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "translated"
SOURCE = "scenarios/fifteen-percent.md"
FRENCH = "scenarios/fr/fifteen-percent.md"


@pytest.fixture
def root(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "root")
    return tmp_path / "root"


def sync(root, refused=()):
    lines = []
    report = publishing.sync_files(str(root), echo=lines.append)
    db.session.commit()
    assert [path for path, _f in report.refusals] == list(refused), report.refusals
    return report, lines


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_sync_publishes_translations_as_variants_after_their_sources(app, root):
    with app.app_context():
        report, lines = sync(root)
        assert report.published == 6
        assert lines.index("published scenario fifteen-percent v1") < lines.index(
            "published scenario fifteen-percent (fr) translation 1"
        )
        assert set(publishing.published_all("scenario")) == {"fifteen-percent"}  # no second scenario
        row = translations.live("scenario", "fifteen-percent", "fr")
        assert row.source_version_id == publishing.published("scenario", "fifteen-percent").id
        assert row.path == FRENCH and row.title == "Claire veut 15 % de remise"
        assert sync(root)[0].unchanged == 6  # idempotent
        assert db.session.scalar(select(func.count()).select_from(ContentTranslation)) == 3


def test_each_trainee_reads_their_language_and_falls_back_to_the_source(app, root):
    with app.app_context():
        sync(root)
        _version, french = published.published_scenario("fifteen-percent", "fr")
        assert french.title == "Claire veut 15 % de remise" and french.labels["margin"] == "Marge"
        assert published.published_scenario("fifteen-percent", "en")[1].title == "Claire wants 15% off"
        assert published.published_scenario("fifteen-percent", "de")[1].title == "Claire wants 15% off"
        assert published.published_module("reading-signals", "fr")[1].title == "Lire les signaux de maturité"
        assert (
            translations.localized_course("demo-course", "fr").stages[1].title == "Négociation et conclusion"
        )
        assert published.scenario_titles("fr") == {"fifteen-percent": "Claire veut 15 % de remise"}


def test_a_source_changed_in_words_keeps_its_translation_a_changed_structure_falls_back(app, root):
    with app.app_context():
        sync(root)
        edit(root, SOURCE, "Briefing: everything", "Briefing: all")  # words only: v2
        sync(root)
        v2 = publishing.published("scenario", "fifteen-percent")
        assert v2.version == 2 and translations.variant("scenario", v2, "fr").revision == 1
        edit(root, SOURCE, "`if discovery >= 4`", "`if discovery >= 2`")  # the play changed: v3
        edit(root, FRENCH, "`if discovery >= 4`", "`if discovery >= 2`")  # ...and so is the translation, but
        sync(root)  # it still follows v1: stale
        v3 = publishing.published("scenario", "fifteen-percent")
        assert v3.version == 3
        fr = translations.live("scenario", "fifteen-percent", "fr")
        assert (
            fr.revision == 2
            and fr.source_version_id == publishing.versions_of("scenario", "fifteen-percent")[-1].id
        )
        assert translations.variant("scenario", v3, "fr").id == fr.id  # same structure as v3 now
        edit(
            root, SOURCE, "`if discovery >= 2`", "`if discovery >= 3`"
        )  # v4: the translation no longer fits,
        _report, lines = sync(root, refused=[FRENCH])  # and sync refuses the file as it is
        assert (
            "  scenarios/fr/fifteen-percent.md:51: E-SAMECHOICES `if` in the code "
            "spans of choice 2 of node `batna` "
            "differs from the source: the source has `discovery >= 3`, the translation `discovery >= 2`"
        ) in lines
        v4 = publishing.published("scenario", "fifteen-percent")
        assert translations.variant("scenario", v4, "fr") is None
        assert published.published_scenario("fifteen-percent", "fr")[1].title == "Claire wants 15% off"


def test_french_and_english_trainees_count_together_and_read_back_in_their_language(app, root, factory):
    _manager, team, (amelie, bob) = team_with_manager(factory)
    with app.app_context():
        sync(root)
        fr = demo_activity.record_play(amelie.id, "fifteen-percent", language="fr")
        en = demo_activity.record_play(bob.id, "fifteen-percent", language="en")
        db.session.commit()
        assert (fr.language, en.language) == ("fr", "en")
        assert fr.version_id == en.version_id and fr.translation_id is not None and en.translation_id is None
        assert fr.percent == en.percent and fr.current_node == en.current_node == "end-win-strong"
        scores = team_analytics.scenario_scores([team])
        assert [(s["slug"], s["attempts"], s["trainees"], s["passed"]) for s in scores] == [
            ("fifteen-percent", 2, 2, 2)
        ]
        (played,), _wrong = team_analytics.choice_analytics([team])
        opening = next(n for n in played["nodes"] if n["id"] == "opening")
        assert [c["count"] for c in opening["choices"]] == [0, 2]  # one choice, whatever the language
        (in_french,), _wrong = team_analytics.choice_analytics([team], language="fr")
        french_opening = next(n for n in in_french["nodes"] if n["id"] == "opening")
        assert [c["count"] for c in french_opening["choices"]] == [0, 2]  # the same counts, in French
        assert french_opening["choices"][1]["label"].startswith("Décision : elle choisit")
        assert in_french["title"] == "Claire veut 15 % de remise" and french_opening["phase"] == "Décision"
        matrix = team_analytics.phase_matrix([team], language="fr")
        assert matrix["correct"] == 2 and dict(matrix["phases"])["decision"] == "Décision"
        french = coaching.transcript(db.session.get(ScenarioAttempt, fr.id))
        english = coaching.transcript(db.session.get(ScenarioAttempt, en.id))
        assert french["language"] == "fr" and french["scenario"].title == "Claire veut 15 % de remise"
        assert "Décision : elle choisit" in french["steps"][0].choice_label
        assert "Decision: she is choosing" in english["steps"][0].choice_label
        assert french["steps"][0].phase == "Décision" and english["steps"][0].phase == "Decision"
        assert "Chaque concession" in french["ending"]["debrief"]


def test_an_attempt_keeps_its_translation_when_a_new_one_is_published(app, root, factory):
    trainee = factory.user()
    with app.app_context():
        sync(root)
        user = db.session.get(User, trainee.id)
        attempt, _ = role_plays.start_attempt(user, "fifteen-percent", language="fr")
        db.session.commit()
        edit(root, FRENCH, "Le briefing : tout", "Le briefing : l'ensemble")
        sync(root)
        assert db.session.scalar(select(func.count()).select_from(PublishedTranslation)) == 3
        again = db.session.get(ScenarioAttempt, attempt.id)
        assert role_plays.scenario_of(again).briefing.startswith("Le briefing : tout")
        fresh = role_plays.start_over(user, attempt.id)
        assert fresh.language == "fr" and role_plays.scenario_of(fresh).briefing.startswith(
            "Le briefing : l'ensemble"
        )


def test_a_knowledge_check_taken_in_french_reads_back_in_french(app, root, factory):
    trainee = factory.user()
    with app.app_context():
        sync(root)
        user = db.session.get(User, trainee.id)
        version, french = published.published_module("reading-signals", "fr")
        answers = {"1": [next(i for i, a in enumerate(french.quiz[0].answers, 1) if a.correct)]}
        attempt, created = knowledge_checks.submit_quiz(
            user, "reading-signals", version, knowledge_checks.new_submission_token(), answers, language="fr"
        )
        english, _ = knowledge_checks.submit_quiz(
            user, "reading-signals", version, knowledge_checks.new_submission_token(), answers, language="en"
        )
        db.session.commit()
        assert created and attempt.passed and attempt.language == "fr" and english.language == "en"
        assert attempt.version_id == english.version_id and attempt.percent == english.percent == 100
        assert (
            knowledge_checks.quiz_module(attempt).quiz[0].answers[1].text
            == "Il vous donne une date de signature"
        )
        assert knowledge_checks.quiz_module(english).quiz[0].answers[1].text == "They give you a signing date"
