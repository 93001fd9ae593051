"""An XSS corpus through every renderer: nothing dangerous survives."""

from html.parser import HTMLParser

import pytest

from app.content.render import TAGS, render_inline, render_interpolated, render_markdown
from tests.xss import CORPUS

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"handler {name}")
            if name in ("href", "src"):
                if value.startswith(DANGEROUS_SCHEMES) or value.startswith(("//", "/\\")):
                    self.problems.append(f"url {value}")
                if not value.startswith(("http://", "https://", "mailto:", "#", "/")):
                    self.problems.append(f"url {value}")
            if name == "style" and ("url(" in value or "expression" in value):
                self.problems.append(f"style {value}")


def problems(html):
    inspector = Inspector()
    inspector.feed(html)
    lowered = html.lower()
    for raw in ("<script", "<iframe", "<svg", "<style", "<math"):
        # escaped text (&lt;script) is fine; a live tag or attribute is not
        if raw in lowered:
            inspector.problems.append(raw)
    return inspector.problems


@pytest.mark.parametrize("payload", CORPUS)
def test_xss_corpus(payload):
    hostile_value = '<script>alert(1)</script>" onmouseover="x'
    for html in (
        render_markdown(payload),
        render_inline(payload),
        render_interpolated(payload, {"name": hostile_value}),
        render_markdown(f"- [{payload}](#n)\n  > {payload}"),
        render_markdown(f"### {payload}\n\n> {payload}"),
    ):
        assert problems(html) == [], html


def test_good_markdown_survives():
    html = render_markdown(
        "**b** [ok](https://a.b/c) [frag](#x) [site](/learn/) ![i](/static/i.png)\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |"
    )
    assert "<strong>b</strong>" in html
    assert 'href="https://a.b/c"' in html and 'href="#x"' in html and 'href="/learn/"' in html
    assert (
        'src="/static/i.png"' in html
        and "<table>" in html
        and 'class="align-right"' in html
        and "style=" not in html
    )
    assert " id=" not in render_markdown("## A heading")  # no ids that could clobber the page's


def test_interpolated_value_is_escaped_not_markdown():
    html = render_interpolated("Margin {m}/10, {x}", {"m": 7, "x": "[a](javascript:alert(1)) <b>"})
    assert "Margin 7/10" in html and "&lt;b&gt;" in html and "<a" not in html
