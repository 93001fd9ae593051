"""The trainer studio through HTTP: the list, the editor without JavaScript, live lint and
preview, conflicts, uploads, graph, play-test, versions and item analysis."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AttemptStep, ContentDraft, PageView, QuizAttempt, ScenarioAttempt
from app.services import authoring, publishing
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "root"


@pytest.fixture
def published(app):
    with app.app_context():
        publishing.sync_files(str(ROOT), echo=lambda *_: None)
        db.session.commit()


@pytest.fixture
def trainer(login_as, published):
    return login_as("trainer")


def template(app, slug="first-call", title="First call"):
    with app.app_context():
        return authoring.template_text("scenario", slug, title, publishing.published_course("demo-course"))


def editor_fields(client, kind, slug):
    page = client.get(f"/author/{kind}/{slug}/edit").get_data(as_text=True)
    revision = re.search(r'name="revision"[^>]*value="([^"]*)"', page).group(1)
    base = re.search(r'name="base_version_id"[^>]*value="([^"]*)"', page)
    return {"revision": revision, "base_version_id": base.group(1) if base else ""}


def test_the_list_shows_each_kind_with_its_version_and_lint(client, trainer):
    page = client.get("/author/").get_data(as_text=True)
    assert "Claire wants 15% off" in page and "Reading signals" in page or "reading-signals" in page
    assert "v1" in page and "clean" in page or "warning" in page


def test_the_list_uses_the_same_number_of_queries_for_more_rows(app, client, trainer):
    def count():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/author/").status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few = count()
    for i in range(5):
        client.post(
            "/author/new",
            data={"kind": "scenario", "slug": f"call-{i}", "title": f"Call {i}", "course": "demo-course"},
        )
    assert count() == few


def test_lint_answers_json_findings_with_lines(app, client, trainer):
    text = template(app).replace("(#end-poor)", "(#nowhere)")
    answer = client.post("/author/lint", data={"source": text, "kind": "scenario"})
    assert answer.status_code == 200 and answer.is_json
    findings = answer.get_json()["findings"]
    bad_line = text.splitlines().index(next(line for line in text.splitlines() if "#nowhere" in line)) + 1
    assert {"line": bad_line, "code": "E-TARGET"}.items() <= findings[0].items()
    assert set(findings[0]) >= {"line", "code", "message"}
    assert (
        client.post("/author/lint", data={"source": template(app), "kind": "scenario"}).get_json()["findings"]
        == []
    )
    assert client.post("/author/lint", data={"source": "x", "kind": "poem"}).status_code == 400
    # pathological input: a clear finding, never a 500
    for nasty in ("\x00" * 10, "---\n" + "[" * 5000, "> " * 3000 + "x", "*a " * 20000):
        assert client.post("/author/lint", data={"source": nasty, "kind": "scenario"}).status_code == 200


def test_preview_renders_a_scenario_and_a_module(app, client, trainer):
    html = client.post("/author/preview", data={"source": template(app), "kind": "scenario"}).get_data(
        as_text=True
    )
    assert (
        "The briefing" in html and "A good answer" in html and "Why this works." in html and "Debrief" in html
    )
    module = (ROOT / "courses" / "demo-course" / "01-reading-signals.md").read_text()
    html = client.post(
        "/author/preview", data={"source": module, "kind": "module", "slug": "reading-signals"}
    ).get_data(as_text=True)
    assert "Knowledge check" in html and "correct" in html


def test_lint_and_preview_need_the_csrf_token(make_app, factory, published):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    person = factory.user(role="trainer")
    login(client, person.email)
    assert client.post("/author/lint", data={"source": "x", "kind": "scenario"}).status_code == 400
    page = client.get("/author/scenario/fifteen-percent/edit").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post(
        "/author/lint", data={"source": "x", "kind": "scenario"}, headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 200 and "findings" in answer.get_json()
    answer = client.post(
        "/author/preview", data={"source": "x", "kind": "scenario"}, headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 200


def test_the_editor_works_without_javascript(app, client, trainer):
    assert (
        client.post(
            "/author/new",
            data={"kind": "scenario", "slug": "first-call", "title": "First call", "course": "demo-course"},
        ).status_code
        == 302
    )
    page = client.get("/author/scenario/first-call/edit").get_data(as_text=True)
    for label in ("Check and preview", "Save draft", "Publish"):
        assert label in page
    fields = editor_fields(client, "scenario", "first-call")
    broken = template(app).replace("(#end-poor)", "(#nowhere)")
    checked = client.post(
        "/author/scenario/first-call/edit", data={**fields, "source": broken, "action": "check"}
    )
    assert checked.status_code == 200 and "E-TARGET" in checked.get_data(as_text=True)
    refused = client.post(
        "/author/scenario/first-call/edit", data={**fields, "source": broken, "action": "publish"}
    )
    assert refused.status_code == 422 and "nowhere" in refused.get_data(as_text=True)
    with app.app_context():
        assert publishing.published("scenario", "first-call") is None
    saved = client.post(
        "/author/scenario/first-call/edit", data={**fields, "source": broken, "action": "save"}
    )
    assert saved.status_code == 302
    fixed = template(app, title="Fixed call")
    fields = editor_fields(client, "scenario", "first-call")
    done = client.post(
        "/author/scenario/first-call/edit",
        data={**fields, "source": fixed, "action": "publish"},
        follow_redirects=True,
    )
    assert "Published version 1" in done.get_data(as_text=True)
    with app.app_context():
        assert publishing.published("scenario", "first-call").title == "Fixed call"


def test_a_second_trainer_saving_from_a_stale_revision_sees_the_conflict(app, client, factory, published):
    one, two = (
        factory.user(role="trainer", name="Ana Author"),
        factory.user(role="trainer", name="Ben Builder"),
    )
    login(client, one.email)
    client.post("/author/new", data={"kind": "scenario", "slug": "first-call", "course": "demo-course"})
    fields = editor_fields(client, "scenario", "first-call")
    other = app.test_client()
    login(other, two.email)
    stale = editor_fields(other, "scenario", "first-call")
    ana_text = template(app, title="Ana's title")
    ben_text = template(app, title="Ben's title")
    assert (
        client.post(
            "/author/scenario/first-call/edit", data={**fields, "source": ana_text, "action": "save"}
        ).status_code
        == 302
    )
    answer = other.post(
        "/author/scenario/first-call/edit", data={**stale, "source": ben_text, "action": "save"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Ana Author saved this draft" in page
    assert "Ben&#39;s title" in page and "Ana&#39;s title" in page  # both texts are on the page
    with app.app_context():
        assert db.session.scalar(select(ContentDraft.source)) == ana_text
    # The conflict page carries the new revision: saving again (after merging) goes through.
    revision = re.search(r'name="revision"[^>]*value="([^"]*)"', page).group(1)
    assert (
        other.post(
            "/author/scenario/first-call/edit",
            data={**stale, "revision": revision, "source": ben_text, "action": "save"},
        ).status_code
        == 302
    )


def test_upload_refusals_and_success(app, client, trainer):
    broken = template(app).replace("(#end-poor)", "(#nowhere)").encode()
    answer = client.post(
        "/author/upload",
        data={"kind": "scenario", "file": (io.BytesIO(broken), "first-call.md")},
        content_type="multipart/form-data",
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "E-TARGET" in page and "Line " in page
    answer = client.post(
        "/author/upload",
        data={"kind": "scenario", "file": (io.BytesIO(b"\xff\xfe\x00a"), "x.md")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "not UTF-8" in answer.get_data(as_text=True)
    answer = client.post(
        "/author/upload",
        data={"kind": "scenario", "file": (io.BytesIO(template(app).encode()), "first-call.md")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    with app.app_context():
        assert publishing.published("scenario", "first-call").version == 1


def test_an_oversized_upload_gets_the_413_page(make_app, factory, published):
    app = make_app(MAX_CONTENT_LENGTH=10_000)
    client = app.test_client()
    login(client, factory.user(role="trainer").email)
    answer = client.post(
        "/author/upload",
        data={"kind": "scenario", "file": (io.BytesIO(b"a" * 20_000), "big.md")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 413 and "Too large" in answer.get_data(as_text=True)


def test_download_gives_the_markdown(client, trainer):
    answer = client.get("/author/scenario/fifteen-percent/download")
    assert answer.status_code == 200 and answer.mimetype == "text/markdown"
    assert 'filename="fifteen-percent.md"' in answer.headers["Content-Disposition"]
    assert answer.get_data(as_text=True).startswith("---\nid: fifteen-percent")
    assert client.get("/author/scenario/fifteen-percent/download?from=v9").status_code == 404


def test_graph_page_draws_nodes_and_offers_mermaid(client, trainer):
    page = client.get("/author/scenario/fifteen-percent/graph").get_data(as_text=True)
    assert "<svg" in page and 'class="gnode' in page and "flowchart TD" in page
    assert page.count('class="gnode') == 7 or page.count('class="gnode') > 3
    assert "stroke-width=" in page


def test_play_test_from_a_node_with_values_records_nothing(app, client, trainer):
    page = client.get(
        "/author/scenario/fifteen-percent/playtest?node=batna&score_discovery=6&var_batna_known=true"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-choice="2"' in html  # the `if discovery >= 4` choice shows
    token = re.search(r'name="play" value="([^"]+)"', html).group(1)
    step = client.post(
        "/author/scenario/fifteen-percent/playtest?node=batna&score_discovery=6",
        data={"play": token, "choice": "2"},
    )
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and "You chose" in html and "12% for 3 sites" in html
    tampered = client.post(
        "/author/scenario/fifteen-percent/playtest", data={"play": token + "x", "choice": "1"}
    )
    assert "start again" in tampered.get_data(as_text=True)
    with app.app_context():
        for model in (ScenarioAttempt, AttemptStep, QuizAttempt, PageView):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert client.get("/author/scenario/fifteen-percent/playtest?node=nope").status_code == 400


def test_play_test_to_an_ending_shows_the_debrief_and_score(client, trainer):
    html = client.get("/author/scenario/fifteen-percent/playtest?node=end-win-thin").get_data(as_text=True)
    assert "data-debrief" in html and "data-percent=" in html


def test_test_report_runs_quicktest_and_randomtest(client, trainer):
    html = client.get("/author/scenario/fifteen-percent/tests?games=50&seed=3").get_data(as_text=True)
    assert "Quicktest" in html and "Randomtest: 50 games, seed 3" in html and "paths" in html


def test_versions_history_and_diff(app, client, trainer):
    fields = editor_fields(client, "scenario", "fifteen-percent")
    original = client.get("/author/scenario/fifteen-percent/download").get_data(as_text=True)
    changed = original.replace('title: "Claire wants 15% off"', 'title: "Claire wants 20% off"')
    assert (
        client.post(
            "/author/scenario/fifteen-percent/edit", data={**fields, "source": changed, "action": "publish"}
        ).status_code
        == 302
    )
    page = client.get("/author/scenario/fifteen-percent/versions?a=1&b=2").get_data(as_text=True)
    assert "v2" in page and "Claire wants 20% off" in page and 'class="del"' in page and 'class="add"' in page
    assert client.post("/author/scenario/fifteen-percent/versions/1/republish").status_code == 302
    with app.app_context():
        assert publishing.published("scenario", "fifteen-percent").version == 1


def test_item_analysis_page_shows_counts_without_names(app, client, trainer, factory):
    trainee = factory.user(role="trainee", name="Secret Person")
    with app.app_context():
        version = publishing.published("scenario", "fifteen-percent")
        attempt = ScenarioAttempt(
            user_id=trainee.id,
            scenario_slug="fifteen-percent",
            version_id=version.id,
            current_node="opening",
            state={},
            status="finished",
            passed=True,
        )
        db.session.add(attempt)
        db.session.flush()
        db.session.add(AttemptStep(attempt_id=attempt.id, seq=1, node="opening", choice=1, choice_label="x"))
        db.session.commit()
    html = client.get("/author/scenario/fifteen-percent/analysis").get_data(as_text=True)
    assert "Secret Person" not in html and "opening" in html and "1 finished attempt" in html


def test_unknown_kinds_and_slugs_are_404(client, trainer):
    for path in (
        "/author/poem/x/edit",
        "/author/scenario/Bad_Slug/edit",
        "/author/scenario/nothing-here/edit",
        "/author/scenario/nothing-here/graph",
        "/author/scenario/nothing-here/analysis",
    ):
        assert client.get(path).status_code == 404, path


def test_the_studio_says_where_the_live_version_came_from_and_offers_its_text(app, client, trainer):
    page = client.get("/author/scenario/fifteen-percent/edit").get_data(as_text=True)
    assert (
        'data-live-origin="file"' in page
        and "from the git file <code>scenarios/fifteen-percent.md</code>" in page
    )
    assert 'data-origin="studio"' not in client.get("/author/").get_data(as_text=True)
    with app.app_context():
        text = publishing.published("scenario", "fifteen-percent").source
    text = text.replace("Claire wants 15% off", "Claire, from the studio")
    answer = client.post(
        "/author/scenario/fifteen-percent/edit",
        data={"source": text, "action": "publish", **editor_fields(client, "scenario", "fifteen-percent")},
    )
    assert answer.status_code == 302
    for url in ("/author/scenario/fifteen-percent/edit", "/author/scenario/fifteen-percent/versions"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-live-origin="studio"' in page and "published in the studio by Trainer" in page
        assert 'href="/author/scenario/fifteen-percent/download?from=v2" data-download-live' in page
    row = re.search(
        r'<tr data-slug="fifteen-percent">.*?</tr>', client.get("/author/").get_data(as_text=True), re.S
    )
    assert 'data-origin="studio"' in row.group(0)
    download = client.get("/author/scenario/fifteen-percent/download?from=v2")
    assert download.status_code == 200 and "Claire, from the studio" in download.get_data(as_text=True)
    assert 'filename="fifteen-percent-v2.md"' in download.headers["Content-Disposition"]


def test_the_studio_serves_the_guides_from_docs(client, trainer):
    index = client.get("/author/").get_data(as_text=True)
    assert 'href="/author/guide/content-format" data-format-reference' in index
    page = client.get("/author/guide/content-format")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Content format reference</h1>" in text
    assert "<td>E-PHASEKEY</td>" in text and 'href="/author/guide/authoring"' in text
    guide = client.get("/author/guide/authoring").get_data(as_text=True)
    assert 'href="/author/guide/content-format"' in guide and "Git and the studio" in guide
    assert client.get("/author/guide/security").status_code == 404
    assert client.get("/author/guide/..%2Fsecurity").status_code == 404


def test_a_new_text_is_refused_beside_its_id_and_nothing_is_written(app, client, trainer):
    cases = [
        ("", "Give the new text an id"),
        ("First Call", "The id must be kebab-case"),
        ("fifteen-percent", "A scenario with the id fifteen-percent already exists"),
    ]
    for slug, message in cases:
        answer = client.post(
            "/author/new", data={"kind": "scenario", "slug": slug, "title": "T", "course": "demo-course"}
        )
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400
        assert re.search(r'<p class="error" id="slug-error">[^<]*' + re.escape(message), page), (
            slug,
            page[-2000:],
        )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContentDraft)) == 0
    answer = client.post(
        "/author/new",
        data={"kind": "scenario", "slug": " first-call ", "title": "First call", "course": "demo-course"},
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/author/scenario/first-call/edit"
    )
