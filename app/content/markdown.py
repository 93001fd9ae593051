"""The one Markdown parser configuration shared by parsing and rendering.

CommonMark plus tables and strikethrough; raw HTML off, so no author text can carry tags.
`maxNesting` bounds markdown-it's recursion: deeper lists or quotes are cut off (and lint
says so) instead of exhausting the stack.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_NESTING = 20


def new_parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING}
    )
    md.enable(["table", "strikethrough"])
    return md


PARSER = new_parser()


def parse_tokens(text: str) -> tuple[list[Token], str | None]:
    """Tokens of `text`, and a problem message when it was too deep to read whole."""
    try:
        tokens = PARSER.parse(text)
    except RecursionError:
        return [], f"Markdown nested too deeply to read (limit {MAX_NESTING} levels)"
    deepest = max((t.level for t in tokens), default=0)
    if deepest >= MAX_NESTING - 1:
        return tokens, (
            f"Markdown nested deeper than {MAX_NESTING} levels "
            "(lists or quotes inside each other); the rest is cut off"
        )
    return tokens, None
