"""The XSS corpus (payloads that must never run) and the inspector of pages every XSS test
uses: no inline script, no event handler, no javascript:/data: URL, no style attribute."""

import re
from html.parser import HTMLParser

from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt
from app.models.base import utcnow
from app.services import publishing

CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](jav&#97;script&colon;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x][r]\n\n[r]: <javascript:alert(1)> "t"',
    "[r]\n\n[r]: data:text/html,<script>alert(1)</script>",
    "<javascript:alert(1)>",
    '<http://a.b/"onmouseover="alert(1)>',
    '[x](http://a.b/"onmouseover="alert(1))',
    '[x]("onclick="alert(1))',
    '![a" onerror="alert(1)](x.png)',
    "[x](//evil.example/)",
    "[x](/\\evil.example/)",
    "[x](file:///etc/passwd)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <img src=x onerror=alert(1)>",
    "- <b onclick=alert(1)>x</b>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "<!-- x --><script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{name}",
]

ONE_LINE = [p for p in CORPUS if "\n" not in p]
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "math", "base", "frame", "frameset", "form-x"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")

COURSE = (
    """---
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

"""
    + "\n\n".join(CORPUS)
    + "\n"
)


def scenario_text(title="Payloads", extra=""):
    labels = "\n".join(
        f"- [{p.replace('[', '(').replace(']', ')')}](#end-good) `relationship +3` `rating: best`\n  > {p}"
        for p in ONE_LINE[:12]
    )
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


def publish_corpus_world(app, factory):
    """A trainer and a trainee, a course and a scenario full of the corpus, and a finished attempt
    whose recorded choice label is a script."""
    trainer = factory.user(role="trainer")
    trainee = factory.user(role="trainee")
    with app.app_context():
        publishing.publish_text("course", COURSE, "courses/xss-course/course.md")
        publishing.publish_text("scenario", scenario_text("Clean title"), "scenarios/xss-play.md")
        version = publishing.publish_text(
            "scenario", scenario_text("<script>alert('title')</script>"), "scenarios/xss-play.md"
        ).version
        attempt = ScenarioAttempt(
            user_id=trainee.id,
            scenario_slug="xss-play",
            version_id=version.id,
            current_node="end-good",
            state={},
            status="finished",
            passed=True,
            percent=80,
            outcome="win",
            finished_at=utcnow(),
        )
        db.session.add(attempt)
        db.session.flush()
        db.session.add(
            AttemptStep(
                attempt_id=attempt.id,
                seq=1,
                node="opening",
                choice=0,
                choice_label="<script>alert(1)</script>",
            )
        )
        db.session.commit()
    return trainer, trainee
