"""An author's Markdown can never run script in another user's browser: the XSS corpus goes
through every place the studio shows author text (list, editor, preview, graph, play-test,
test report, versions diff, item analysis, upload refusal) and through the trainee's player."""

import io
import re

from app.services import publishing
from tests.helpers import login
from tests.xss import COURSE, assert_safe, scenario_text


def test_the_corpus_scenario_publishes(world, app):
    with app.app_context():
        assert publishing.published("scenario", "xss-play").version == 2


def test_studio_pages_never_carry_author_script(world, client, app):
    trainer, _ = world
    login(client, trainer.email)
    pages = [
        "/author/",
        "/author/scenario/xss-play/edit",
        "/author/course/xss-course/edit",
        "/author/scenario/xss-play/graph",
        "/author/scenario/xss-play/graph?from=v1",
        "/author/scenario/xss-play/playtest?node=opening",
        "/author/scenario/xss-play/playtest?node=end-good",
        "/author/scenario/xss-play/playtest?node=end-poor",
        "/author/scenario/xss-play/tests?games=20",
        "/author/scenario/xss-play/versions?a=1&b=2",
        "/author/scenario/xss-play/analysis",
        "/author/course/xss-course/versions",
    ]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert_safe(answer.get_data(as_text=True), path)
    for kind, source in (("scenario", scenario_text()), ("course", COURSE)):
        html = client.post("/author/preview", data={"kind": kind, "source": source}).get_data(as_text=True)
        assert_safe(html, f"preview {kind}")
    # a play-test step shows a label and its feedback
    html = client.get("/author/scenario/xss-play/playtest?node=opening").get_data(as_text=True)
    token = re.search(r'name="play" value="([^"]+)"', html).group(1)
    for n in range(1, 13):
        stepped = client.post(
            "/author/scenario/xss-play/playtest?node=opening", data={"play": token, "choice": str(n)}
        )
        assert_safe(stepped.get_data(as_text=True), f"play-test choice {n}")
    # an upload refused for its findings echoes the text's names safely
    bad = scenario_text(extra="\n## <script>alert(1)</script>\n").replace(
        "(#end-poor)", "(#<img src=x onerror=alert(1)>)"
    )
    refused = client.post(
        "/author/upload",
        data={"kind": "scenario", "file": (io.BytesIO(bad.encode()), "xss-play.md")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert_safe(refused.get_data(as_text=True), "upload refused")
    # a refused save echoes the findings, and the conflict page shows both texts
    checked = client.post(
        "/author/scenario/xss-play/edit", data={"source": bad, "revision": "99", "action": "save"}
    )
    assert checked.status_code == 422
    assert_safe(checked.get_data(as_text=True), "refused save")
    editor = client.get("/author/scenario/xss-play/edit").get_data(as_text=True)
    revision = re.search(r'name="revision"[^>]*value="(\d*)"', editor).group(1)
    stale = scenario_text(extra="\n## <script>alert(2)</script>\n")
    saved = client.post(
        "/author/scenario/xss-play/edit", data={"source": stale, "revision": revision, "action": "save"}
    )
    assert saved.status_code == 302
    conflict = client.post(
        "/author/scenario/xss-play/edit", data={"source": stale, "revision": revision, "action": "save"}
    )
    assert conflict.status_code == 409
    assert_safe(conflict.get_data(as_text=True), "conflict")


def test_the_trainee_player_never_carries_author_script(world, client):
    _, trainee = world
    login(client, trainee.email)
    page = client.get("/learn/scenarios/xss-play")
    assert page.status_code == 200
    assert_safe(page.get_data(as_text=True), "briefing")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    started = client.post(
        "/learn/scenarios/xss-play/start",
        data={"csrf_token": token.group(1) if token else ""},
        follow_redirects=True,
    )
    html = started.get_data(as_text=True)
    assert_safe(html, "player")
    seq = re.search(r'name="seq"[^>]*value="(\d+)"', html)
    action = re.search(r'action="(/learn/attempts/\d+/step)"', html)
    if seq and action:
        answer = client.post(
            action.group(1), data={"seq": seq.group(1), "choice": "1"}, follow_redirects=True
        )
        assert_safe(answer.get_data(as_text=True), "feedback")
