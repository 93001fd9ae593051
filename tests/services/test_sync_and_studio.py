"""`flask content sync` never silently replaces a version published in the studio: it skips a
file whose live version came from the studio while the file has not changed since its last
sync, says so, and publishes it with --force (or once the file has changed in git)."""

import shutil
from pathlib import Path

import pytest

from app.extensions import db
from app.models import PublishedContent, User
from app.services import authoring, publishing

FIXTURES = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"
SCENARIO = "scenarios/fifteen-percent.md"


@pytest.fixture
def root(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "root")
    return tmp_path / "root"


@pytest.fixture
def trainer(app, factory, root):
    person = factory.user(role="trainer", name="Théo Trainer")
    with app.app_context():
        assert publishing.sync_files(str(root), echo=lambda *_: None).refused == 0
        db.session.commit()
        yield db.session.get(User, person.id)


def _sync(root, **kwargs):
    lines = []
    report = publishing.sync_files(str(root), echo=lines.append, **kwargs)
    db.session.commit()
    return report, "\n".join(lines)


def _publish_in_studio(trainer, retitle="Claire wants 15% off, from the studio"):
    live = publishing.published("scenario", "fifteen-percent")
    text = live.source.replace('title: "Claire wants 15% off"', f'title: "{retitle}"')
    result = authoring.publish("scenario", "fifteen-percent", text, 0, live.id, trainer)
    db.session.commit()
    return result.version


def test_a_file_synced_is_live_from_the_file(trainer):
    live = publishing.live_origin("scenario", "fifteen-percent")
    assert live.origin == publishing.FROM_FILE and live.by is None and live.path == SCENARIO
    pointer = db.session.query(PublishedContent).filter_by(kind="scenario", slug="fifteen-percent").one()
    assert pointer.file_sha256 == live.version.sha256


def test_sync_keeps_a_studio_version_and_says_how_to_reconcile(trainer, root):
    studio = _publish_in_studio(trainer)
    live = publishing.live_origin("scenario", "fifteen-percent")
    assert live.from_studio and live.by == "Théo Trainer" and live.version.id == studio.id
    report, said = _sync(root)
    assert publishing.published("scenario", "fifteen-percent").id == studio.id  # still live
    assert [(k.path, k.slug, k.live_version) for k in report.kept] == [(SCENARIO, "fifteen-percent", 2)]
    assert report.published == 0 and report.refused == 0
    assert f"kept studio version: {SCENARIO} not published" in said
    assert "version 2, published in the studio by Théo Trainer" in said
    assert f"save it as {SCENARIO} and commit it" in said
    assert f"flask content sync --force {SCENARIO}" in said
    # Again: still kept, nothing written.
    report, _ = _sync(root)
    assert len(report.kept) == 1 and publishing.published("scenario", "fifteen-percent").id == studio.id


def test_force_publishes_the_file_over_the_studio_version(trainer, root):
    studio = _publish_in_studio(trainer)
    report, said = _sync(root, force=True)
    live = publishing.live_origin("scenario", "fifteen-percent")
    assert live.origin == publishing.FROM_FILE and live.version.version == 1
    assert report.published == 1 and report.kept == [] and [k.live_version for k in report.replaced] == [2]
    assert "over studio version v2 (--force)" in said
    assert authoring.version("scenario", "fifteen-percent", 2).id == studio.id  # still a version


def test_a_file_changed_in_git_since_its_last_sync_is_published_and_says_over_what(trainer, root):
    _publish_in_studio(trainer)
    path = root / SCENARIO
    path.write_text(
        path.read_text(encoding="utf-8").replace("Claire wants 15% off", "Claire wants 15% off (git)"),
        encoding="utf-8",
    )
    report, said = _sync(root)
    live = publishing.live_origin("scenario", "fifteen-percent")
    assert live.origin == publishing.FROM_FILE and live.version.version == 3 and "(git)" in live.version.title
    assert "over studio version v2 (the file changed since its last sync)" in said
    assert report.kept == []


def test_the_studio_text_committed_to_the_file_reconciles_them(trainer, root):
    studio = _publish_in_studio(trainer)
    (root / SCENARIO).write_text(studio.source, encoding="utf-8")  # downloaded and committed
    report, said = _sync(root)
    live = publishing.live_origin("scenario", "fifteen-percent")
    assert live.version.id == studio.id and live.origin == publishing.FROM_FILE
    assert report.unchanged >= 1 and report.kept == [] and "kept" not in said
    # From now on the file leads again: a later git change is published.
    path = root / SCENARIO
    path.write_text(
        path.read_text(encoding="utf-8").replace("from the studio", "edited in git"), encoding="utf-8"
    )
    report, _ = _sync(root)
    assert publishing.published("scenario", "fifteen-percent").version == 3


def test_a_studio_republish_of_an_old_version_is_kept_too(trainer, root):
    path = root / SCENARIO
    path.write_text(
        path.read_text(encoding="utf-8").replace("Claire wants 15% off", "Claire, v2"), encoding="utf-8"
    )
    _sync(root)
    assert publishing.published("scenario", "fifteen-percent").version == 2
    authoring.republish("scenario", "fifteen-percent", 1, trainer)  # the trainer puts v1 back
    db.session.commit()
    report, _ = _sync(root)
    assert publishing.published("scenario", "fifteen-percent").version == 1
    assert [k.live_version for k in report.kept] == [1]


def test_a_text_born_in_the_studio_is_not_replaced_by_a_file_that_appears_later(trainer, root):
    text = authoring.template_text(
        "scenario", "first-call", "First call", publishing.published_course("demo-course")
    )
    authoring.publish("scenario", "first-call", text, 0, None, trainer)
    db.session.commit()
    (root / "scenarios" / "first-call.md").write_text(
        text.replace("First call", "First call (old file)"), encoding="utf-8"
    )
    report, said = _sync(root)
    assert publishing.published("scenario", "first-call").version == 1
    assert [k.slug for k in report.kept] == ["first-call"]


def test_an_upload_in_the_studio_counts_as_the_studio(trainer, root):
    text = (root / SCENARIO).read_text(encoding="utf-8").replace("Claire wants 15% off", "Uploaded")
    authoring.upload("scenario", "fifteen-percent.md", text.encode(), trainer)
    db.session.commit()
    assert publishing.live_origin("scenario", "fifteen-percent").from_studio
    assert len(_sync(root)[0].kept) == 1


def test_the_cli_says_what_it_kept_and_force_publishes(app, runner, trainer, root):
    _publish_in_studio(trainer)
    result = runner.invoke(args=["content", "sync", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert f"kept studio version: {SCENARIO} not published" in result.output
    assert "0 published, 2 unchanged, 1 kept from the studio, 0 refused." in result.output
    result = runner.invoke(args=["content", "sync", "--root", str(root), "--force", SCENARIO])
    assert result.exit_code == 0, result.output
    assert (
        "published scenario fifteen-percent v1" in result.output and "over studio version v2" in result.output
    )
    db.session.expire_all()
    assert publishing.live_origin("scenario", "fifteen-percent").origin == publishing.FROM_FILE
