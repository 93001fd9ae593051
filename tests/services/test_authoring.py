"""The studio's use cases: drafts that two trainers save without losing a word, publishing,
templates, uploads, play-tests that record nothing, the graph layout and item analysis."""

from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AttemptStep, ContentDraft, ContentVersion, PageView, QuizAttempt, ScenarioAttempt, User
from app.services import authoring, publishing

ROOT = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"


def scenario_text(slug="first-call", title="First call", extra_node=""):
    return authoring.template_text("scenario", slug, title, _course()) + extra_node


def _course():
    return publishing.published_course("demo-course")


@pytest.fixture
def studio(app, factory):
    """An app context with the fixture course and scenario published, and two trainers."""
    ana = factory.user(role="trainer", name="Ana Author")
    ben = factory.user(role="trainer", name="Ben Builder")
    with app.app_context():
        report = publishing.sync_files(str(ROOT), echo=lambda *_: None)
        assert report.refused == 0
        db.session.commit()
        yield db.session.get(User, ana.id), db.session.get(User, ben.id)


def test_every_template_passes_lint(studio):
    for kind in authoring.KINDS:
        slug = {"course": "new-course", "module": "new-module", "scenario": "new-scenario"}[kind]
        text = authoring.template_text(kind, slug, "A new one", _course())
        _, findings = authoring.check(kind, text, authoring.path_for(kind, slug))
        assert [f for f in findings if f.is_error] == [], (kind, findings)


def test_two_trainers_saving_from_one_base_lose_nothing(studio):
    ana, ben = studio
    authoring.new_from_template("scenario", "first-call", "First call", ana)
    db.session.commit()
    loaded = authoring.open_for_editing("scenario", "first-call")
    assert loaded.revision == 1
    ana_text = loaded.source.replace("A good answer", "Ana's good answer")
    ben_text = loaded.source.replace("A poor answer", "Ben's poor answer")
    authoring.save_draft("scenario", "first-call", ana_text, loaded.revision, ana)
    db.session.commit()
    with pytest.raises(authoring.DraftConflict) as caught:
        authoring.save_draft("scenario", "first-call", ben_text, loaded.revision, ben)
    db.session.rollback()
    conflict = caught.value
    assert conflict.theirs == ana_text and conflict.mine == ben_text
    assert conflict.by == "Ana Author" and conflict.revision == 2
    assert any(r[0] == "add" and "Ben's poor answer" in r[3] for r in conflict.diff)
    assert any(r[0] == "del" and "Ana's good answer" in r[3] for r in conflict.diff)
    draft = db.session.scalar(select(ContentDraft))
    assert draft.source == ana_text and draft.revision == 2  # Ana's text is kept
    # Ben merges on top of the revision the conflict gave him: now it saves.
    merged = ana_text.replace("A poor answer", "Ben's poor answer")
    authoring.save_draft("scenario", "first-call", merged, conflict.revision, ben)
    db.session.commit()
    assert db.session.scalar(select(ContentDraft)).source == merged


def test_two_first_saves_of_a_new_draft_conflict(studio):
    ana, ben = studio
    authoring.publish("scenario", "first-call", scenario_text(), 0, None, ana)
    db.session.commit()
    db.session.execute(ContentDraft.__table__.delete())
    db.session.commit()
    live = publishing.published("scenario", "first-call")
    authoring.save_draft("scenario", "first-call", scenario_text() + "\n<!-- ana -->\n", 0, ana, live.id)
    db.session.commit()
    with pytest.raises(authoring.DraftConflict):
        authoring.save_draft("scenario", "first-call", scenario_text() + "\n<!-- ben -->\n", 0, ben, live.id)
    db.session.rollback()
    assert "ana" in db.session.scalar(select(ContentDraft.source))


def test_publishing_a_draft_that_has_gone_since_is_refused_in_words(studio):
    """The editor loaded revision 1 and the draft row went away meanwhile (a database tidied by
    hand): publishing says so, as saving does, rather than failing on the missing draft."""
    ana, _ = studio
    authoring.publish("scenario", "first-call", scenario_text(), 0, None, ana)
    db.session.commit()
    editing = authoring.open_for_editing("scenario", "first-call")
    db.session.execute(ContentDraft.__table__.delete())
    db.session.commit()
    with pytest.raises(authoring.AuthoringError, match="no longer exists"):
        authoring.publish(
            "scenario",
            "first-call",
            scenario_text(title="Again"),
            editing.revision,
            editing.base_version_id,
            ana,
        )
    db.session.rollback()
    assert publishing.published("scenario", "first-call").version == 1


def test_publish_is_refused_with_errors_and_writes_nothing(studio):
    ana, _ = studio
    broken = scenario_text().replace("(#end-poor)", "(#nowhere)")
    with pytest.raises(publishing.PublishRefused) as refused:
        authoring.publish("scenario", "first-call", broken, 0, None, ana)
    db.session.rollback()
    assert any(f.code == "E-TARGET" for f in refused.value.findings)
    assert (
        db.session.scalar(
            select(func.count()).select_from(ContentVersion).where(ContentVersion.slug == "first-call")
        )
        == 0
    )


def test_publish_makes_versions_and_the_draft_follows(studio):
    ana, ben = studio
    authoring.publish("scenario", "first-call", scenario_text(), 0, None, ana)
    db.session.commit()
    editing = authoring.open_for_editing("scenario", "first-call")
    v1 = publishing.published("scenario", "first-call")
    assert v1.version == 1 and editing.revision == 1 and editing.base_version_id == v1.id
    result = authoring.publish(
        "scenario",
        "first-call",
        scenario_text(title="First call, again"),
        editing.revision,
        editing.base_version_id,
        ben,
    )
    db.session.commit()
    assert result.version.version == 2 and result.version.author_id == ben.id
    # An editor still open on v1 is told, not allowed to overwrite v2.
    with pytest.raises(authoring.DraftConflict) as caught:
        authoring.publish(
            "scenario",
            "first-call",
            scenario_text(title="Stale"),
            editing.revision,
            editing.base_version_id,
            ana,
        )
    db.session.rollback()
    assert caught.value.reason == "draft"
    assert publishing.published("scenario", "first-call").version == 2


def test_publishing_from_a_stale_published_base_is_a_conflict(studio):
    ana, _ = studio
    authoring.publish("scenario", "first-call", scenario_text(), 0, None, ana)
    db.session.commit()
    editing = authoring.open_for_editing("scenario", "first-call")
    # Someone publishes from git meanwhile; the draft is untouched.
    value, _ = authoring.check("scenario", scenario_text(title="From git"), "scenarios/first-call.md")
    publishing.publish_value("scenario", scenario_text(title="From git"), value, "scenarios/first-call.md")
    db.session.commit()
    with pytest.raises(authoring.DraftConflict) as caught:
        authoring.publish(
            "scenario",
            "first-call",
            scenario_text(title="Mine"),
            editing.revision,
            editing.base_version_id,
            ana,
        )
    db.session.rollback()
    assert caught.value.reason == "published" and "From git" in caught.value.theirs


def test_an_attempt_in_progress_stays_on_its_version(studio, factory):
    ana, _ = studio
    trainee = factory.user(role="trainee")
    authoring.publish("scenario", "first-call", scenario_text(), 0, None, ana)
    db.session.commit()
    v1 = publishing.published("scenario", "first-call")
    attempt = ScenarioAttempt(
        user_id=trainee.id,
        scenario_slug="first-call",
        version_id=v1.id,
        current_node="opening",
        state={"node": "opening"},
    )
    db.session.add(attempt)
    db.session.commit()
    editing = authoring.open_for_editing("scenario", "first-call")
    authoring.publish(
        "scenario",
        "first-call",
        scenario_text(title="Version two"),
        editing.revision,
        editing.base_version_id,
        ana,
    )
    db.session.commit()
    db.session.expire_all()
    attempt = db.session.get(ScenarioAttempt, attempt.id)
    assert publishing.published("scenario", "first-call").version == 2
    assert attempt.version.version == 1
    assert publishing.value_of(attempt.version).title == "First call"


def test_upload_refuses_errors_and_bad_bytes(studio):
    ana, _ = studio
    broken = scenario_text().replace("(#end-poor)", "(#nowhere)").encode()
    with pytest.raises(authoring.UploadRefused) as refused:
        authoring.upload("scenario", "first-call.md", broken, ana)
    assert [f.code for f in refused.value.findings] == ["E-TARGET"]
    assert (
        refused.value.findings[0].line
        == scenario_text()
        .splitlines()
        .index(next(line for line in scenario_text().splitlines() if "#end-poor" in line))
        + 1
    )
    with pytest.raises(authoring.UploadRefused, match="not UTF-8"):
        authoring.upload("scenario", "first-call.md", b"---\nid: x\n---\n\xff\xfe", ana)
    with pytest.raises(authoring.UploadRefused, match=r"\.md"):
        authoring.upload("scenario", "first-call.txt", b"hello", ana)
    db.session.rollback()
    assert publishing.published("scenario", "first-call") is None
    result, _ = authoring.upload("scenario", "first-call.md", scenario_text().encode(), ana)
    db.session.commit()
    assert result.version.version == 1 and result.version.author_id == ana.id


def test_new_from_template_refuses_bad_or_taken_ids(studio):
    ana, _ = studio
    with pytest.raises(authoring.AuthoringError, match="kebab-case"):
        authoring.new_from_template("scenario", "Bad Id", "", ana)
    with pytest.raises(authoring.AuthoringError, match="already exists"):
        authoring.new_from_template("scenario", "fifteen-percent", "", ana)


def test_a_play_test_records_nothing(studio):
    scenario = publishing.value_of(publishing.published("scenario", "fifteen-percent"))
    state = authoring.playtest_start(
        scenario, "batna", {"score_discovery": "6", "var_batna_known": "true", "score_margin": "99"}
    )
    assert (
        state["node"] == "batna"
        and state["scores"]["discovery"] == 6
        and state["vars"]["batna_known"] is True
    )
    assert state["scores"]["margin"] == 10  # clamped to the declared max
    state, outcome = authoring.playtest_advance(scenario, state, 2)  # shown only when discovery >= 4
    assert outcome.deltas == {"margin": 0} or outcome.deltas.get("margin") is not None
    token = authoring.pack("k" * 40, {"state": state})
    assert authoring.unpack("k" * 40, token)["state"] == state
    assert authoring.unpack("k" * 40, token[:-2] + "xx") is None
    for model in (ScenarioAttempt, AttemptStep, QuizAttempt, PageView):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    with pytest.raises(authoring.AuthoringError):
        authoring.playtest_start(scenario, "no-such-node", {})
    with pytest.raises(authoring.AuthoringError):
        authoring.playtest_start(scenario, None, {"score_margin": "lots"})


def test_item_analysis_counts_choices_and_finds_splits(studio, factory):
    version = publishing.published("scenario", "fifteen-percent")
    people = [factory.user(role="trainee") for _ in range(4)]
    # Two passers split at `opening` (choice 0 and 1); one who failed took choice 0.
    for person, choice, passed in (
        (people[0], 0, True),
        (people[1], 1, True),
        (people[2], 0, False),
        (people[3], 1, None),
    ):
        attempt = ScenarioAttempt(
            user_id=person.id,
            scenario_slug="fifteen-percent",
            version_id=version.id,
            current_node="opening",
            state={},
            passed=passed,
            status="finished" if passed is not None else "in_progress",
        )
        db.session.add(attempt)
        db.session.flush()
        db.session.add(
            AttemptStep(attempt_id=attempt.id, seq=1, node="opening", choice=choice, choice_label="x")
        )
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        scenario, stats, totals = authoring.item_analysis("fifteen-percent", version)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 3
    opening = next(s for s in stats if s.node_id == "opening")
    assert [c.taken for c in opening.choices] == [2, 2]
    assert [c.taken_by_passers for c in opening.choices] == [1, 1]
    assert opening.split and totals == {"finished": 3, "passed": 2}


def test_catalogue_uses_a_fixed_number_of_queries(studio, factory):
    ana, _ = studio

    def count():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            groups = authoring.catalogue()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements), groups

    few, _ = count()
    for i in range(6):
        authoring.new_from_template("scenario", f"call-{i}", f"Call {i}", ana)
    db.session.commit()
    many, groups = count()
    assert many == few <= 6
    row = next(r for r in groups["scenario"] if r.slug == "call-3")
    assert row.version is None and row.errors == 0 and row.unpublished_changes


def test_diff_lines_marks_changes_with_line_numbers():
    rows = authoring.diff_lines("a\nb\nc", "a\nB\nc\nd")
    assert ("del", 2, None, "b") in rows and ("add", None, 2, "B") in rows and ("add", None, 4, "d") in rows
    assert rows[0][0] == "hunk"
