"""The guides of docs/ in the reader's language: the one place that says which file a guide is
read from. English is the source (docs/<file>); a translation sits in docs/<language>/<file>
with the same sections (tests/web/test_guides.py keeps them in step). A language with no
translation of a guide reads the English one, so a guide is never missing."""

import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
SOURCE_LANGUAGE = "en"
MANAGERS_GUIDE = "managers-guide.md"


@dataclass(frozen=True)
class Guide:
    text: str  # Markdown
    language: str  # the language the text is written in, for the page's lang attribute


def guide_path(filename: str, language: str) -> Path:
    """docs/<language>/<filename> when it is written, else the English docs/<filename>."""
    if language != SOURCE_LANGUAGE and re.fullmatch(r"[a-z]{2,3}", language or ""):
        translated = DOCS / language / filename
        if translated.is_file():
            return translated
    return DOCS / filename


def read_guide(filename: str, language: str) -> Guide | None:
    """The guide in the language, else in English; None when the file is not there."""
    path = guide_path(filename, language)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return Guide(text, SOURCE_LANGUAGE if path.parent == DOCS else path.parent.name)
