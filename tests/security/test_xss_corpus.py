"""An author's Markdown can never run script in another user's browser: the XSS corpus goes
through every place the studio shows author text (list, editor, preview, graph, play-test,
test report, versions diff, item analysis, upload refusal) and through the trainee's player."""
import io
import re
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt
from app.models.base import utcnow
from app.services import publishing
from tests.conftest import login
from tests.content.test_content_render import CORPUS

ONE_LINE = [p for p in CORPUS if "\n" not in p]
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "math", "base", "frame", "frameset", "form-x"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

COURSE = """---
id: xss-course
title: "XSS course <script>alert(1)</script>"
unlock: open
stages:
  - {id: only, title: "Only stage <img src=x onerror=alert(1)>"}
phases:
  - {id: latent, title: "Latent", signals: ["s"]}
pao:
  - {id: A1, phase: latent, title: "Act"}
---

# Course

""" + "\n\n".join(CORPUS) + "\n"


def scenario_text(title="Payloads", extra=""):
    labels = "\n".join(f"- [{p.replace('[', '(').replace(']', ')')}](#end-good) `relationship +3` `rating: best`\n"
                       f"  > {p}" for p in ONE_LINE[:12])
    return f"""---
id: xss-play
title: {title!r}
course: xss-course
stage: only
persona: "<script>alert('persona')</script>"
difficulty: 1
minutes: 5
start: opening
scores: {{relationship: [0, 5, 10]}}
---

# Payloads

{chr(10).join(chr(10) + p + chr(10) for p in CORPUS)}

## opening

{chr(10).join(chr(10) + p + chr(10) for p in CORPUS)}

{labels}
- [Poor](#end-poor) `relationship -3` `rating: poor`
  > <img src=x onerror=alert(2)>

## end-good
`end: win`

### Debrief
{chr(10).join(chr(10) + p + chr(10) for p in CORPUS)}

### Coach notes
<script>alert('coach')</script> [x](javascript:alert(1))

## end-poor
`end: loss`

### Debrief
<svg onload=alert(1)> {{relationship}}
{extra}"""


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline script {attrs}")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag {tag}")
        svg_class = (attrs.get("class") or "").split()
        if tag == "svg" and not {"scenario-graph", "chart", "chart-swatch"} & set(svg_class):
            # the app's own drawings (graph, charts) escape every label; any other svg came from text
            self.problems.append("svg from content")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset"):
                v = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
                if v.startswith(BAD_SCHEMES):
                    self.problems.append(f"{tag} {name}={value}")
            if name == "style":
                self.problems.append(f"{tag} style={value}")

    handle_startendtag = handle_starttag


def assert_safe(html, where):
    inspector = Inspector()
    inspector.feed(html)
    assert inspector.problems == [], f"{where}: {inspector.problems[:5]}"


@pytest.fixture
def world(app, factory):
    trainer = factory.user(role="trainer")
    trainee = factory.user(role="trainee")
    with app.app_context():
        publishing.publish_text("course", COURSE, "courses/xss-course/course.md")
        publishing.publish_text("scenario", scenario_text("Clean title"), "scenarios/xss-play.md")
        version = publishing.publish_text("scenario", scenario_text("<script>alert('title')</script>"),
                                          "scenarios/xss-play.md").version
        attempt = ScenarioAttempt(user_id=trainee.id, scenario_slug="xss-play", version_id=version.id,
                                  current_node="end-good", state={}, status="finished", passed=True,
                                  percent=80, outcome="win", finished_at=utcnow())
        db.session.add(attempt)
        db.session.flush()
        db.session.add(AttemptStep(attempt_id=attempt.id, seq=1, node="opening", choice=0,
                                   choice_label="<script>alert(1)</script>"))
        db.session.commit()
    return trainer, trainee


def test_the_corpus_scenario_publishes(world, app):
    with app.app_context():
        assert publishing.published("scenario", "xss-play").version == 2


def test_studio_pages_never_carry_author_script(world, client, app):
    trainer, _ = world
    login(client, trainer.email)
    pages = ["/author/", "/author/scenario/xss-play/edit", "/author/course/xss-course/edit",
             "/author/scenario/xss-play/graph", "/author/scenario/xss-play/graph?from=v1",
             "/author/scenario/xss-play/playtest?node=opening",
             "/author/scenario/xss-play/playtest?node=end-good", "/author/scenario/xss-play/playtest?node=end-poor",
             "/author/scenario/xss-play/tests?games=20", "/author/scenario/xss-play/versions?a=1&b=2",
             "/author/scenario/xss-play/analysis", "/author/course/xss-course/versions"]
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
        stepped = client.post("/author/scenario/xss-play/playtest?node=opening", data={"play": token, "choice": str(n)})
        assert_safe(stepped.get_data(as_text=True), f"play-test choice {n}")
    # an upload refused for its findings echoes the text's names safely
    bad = scenario_text(extra="\n## <script>alert(1)</script>\n").replace("(#end-poor)", "(#<img src=x onerror=alert(1)>)")
    refused = client.post("/author/upload", data={"kind": "scenario", "file": (io.BytesIO(bad.encode()), "xss-play.md")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert_safe(refused.get_data(as_text=True), "upload refused")
    # a refused save echoes the findings, and the conflict page shows both texts
    checked = client.post("/author/scenario/xss-play/edit", data={"source": bad, "revision": "99", "action": "save"})
    assert checked.status_code == 422
    assert_safe(checked.get_data(as_text=True), "refused save")
    editor = client.get("/author/scenario/xss-play/edit").get_data(as_text=True)
    revision = re.search(r'name="revision"[^>]*value="(\d*)"', editor).group(1)
    stale = scenario_text(extra="\n## <script>alert(2)</script>\n")
    saved = client.post("/author/scenario/xss-play/edit", data={"source": stale, "revision": revision, "action": "save"})
    assert saved.status_code == 302
    conflict = client.post("/author/scenario/xss-play/edit", data={"source": stale, "revision": revision, "action": "save"})
    assert conflict.status_code == 409
    assert_safe(conflict.get_data(as_text=True), "conflict")


def test_the_trainee_player_never_carries_author_script(world, client):
    _, trainee = world
    login(client, trainee.email)
    page = client.get("/learn/scenarios/xss-play")
    assert page.status_code == 200
    assert_safe(page.get_data(as_text=True), "briefing")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    started = client.post("/learn/scenarios/xss-play/start", data={"csrf_token": token.group(1) if token else ""},
                          follow_redirects=True)
    html = started.get_data(as_text=True)
    assert_safe(html, "player")
    seq = re.search(r'name="seq"[^>]*value="(\d+)"', html)
    action = re.search(r'action="(/learn/attempts/\d+/step)"', html)
    if seq and action:
        answer = client.post(action.group(1), data={"seq": seq.group(1), "choice": "1"}, follow_redirects=True)
        assert_safe(answer.get_data(as_text=True), "feedback")
