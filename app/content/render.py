"""Markdown to safe HTML, for lessons, briefings, narrative, choices, feedback and debriefs.

Two locks, because either alone has failed somewhere before: markdown-it runs with raw HTML
off (tags in the text come out escaped), and its output still goes through nh3 with a tight
allowlist. Links keep only http, https, mailto, `#fragment` and site-relative `/path` URLs.
"""

from __future__ import annotations

import re
from typing import Any

import nh3

from .engine import interpolate
from .markdown import new_parser
from .memo import text_memo

_PARSER = new_parser()

TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"class"},
    "td": {"class"},
}
ALIGN_CLASSES = {"align-left", "align-right", "align-center"}
# markdown-it writes table alignment as an inline style, which the site's CSP (no inline
# styles) would refuse; it becomes a class instead.
_ALIGN_STYLE = re.compile(r'<(th|td) style="text-align:(left|right|center)">')


def _url_ok(value: str) -> bool:
    v = value.strip()
    low = v.lower()
    if low.startswith(("http://", "https://", "mailto:")):
        return True
    if v.startswith("#"):
        return True
    # site-relative only: `/x`, never `//host` or `/\host` (browsers read both as a host)
    return v.startswith("/") and not v.startswith(("//", "/\\"))


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in ("href", "src"):
        return value if _url_ok(value) else None
    if attr == "class":
        return value if value in ALIGN_CLASSES else None
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    clean_content_tags={"script", "style"},
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
    attribute_filter=_attribute_filter,
)


def sanitize(html: str) -> str:
    return _CLEANER.clean(_ALIGN_STYLE.sub(r'<\1 class="align-\2">', html))


# Published content is immutable and re-rendered on every page view, so renders are memoised
# by text (they are pure), within a budget of characters; a long text (a trainer's draft being
# previewed) is rendered and not kept.
_memoised = text_memo(budget=8_000_000, largest=60_000)


@_memoised
def render_markdown(md: str) -> str:
    """Block Markdown to sanitized HTML. Never raises: unreadable input renders as text."""
    try:
        html = _PARSER.render(md or "")
    except RecursionError:
        html = "<p>" + nh3.clean_text(md or "") + "</p>"
    return sanitize(html)


@_memoised
def render_inline(md: str) -> str:
    """Inline Markdown (a choice label, a quiz answer) without a wrapping paragraph."""
    try:
        html = _PARSER.renderInline(md or "")
    except RecursionError:
        html = nh3.clean_text(md or "")
    return sanitize(html)


def render_interpolated(md: str, known: dict[str, Any]) -> str:
    """Render, then put current values in place of `{name}`; values are escaped, and going
    after rendering means a value can never be read as Markdown."""
    return sanitize(interpolate(render_markdown(md), known, escape=True))
