"""French prose takes the typographic apostrophe (l’appel, aujourd’hui), as French publishing
does: in the course and role-play files under courses/*/fr/ and scenarios/fr/ (prose only: code
spans, ids and expressions keep their own characters; an ending's `headline:` is prose) and in
the interface's French catalog."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
STRAIGHT = re.compile(r"(?<=\w)'+(?=[*_]*\w)")  # an elision written with ' (or YAML's '')
CODE = re.compile(r"(`+)(.+?)\1")


def _prose(line):
    """The line without its code spans, except a headline's words."""
    return CODE.sub(lambda m: m.group(2) if m.group(2).startswith("headline:") else " ", line)


def french_files():
    return sorted([*ROOT.glob("courses/*/fr/*.md"), *ROOT.glob("scenarios/fr/*.md")])


def test_there_are_french_files_to_check():
    assert len(french_files()) >= 20


def test_french_content_uses_the_typographic_apostrophe():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in french_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STRAIGHT.search(_prose(line))
    ]
    assert not found, "write ’ (not ') in French prose:\n" + "\n".join(found)


def test_the_french_catalog_uses_the_typographic_apostrophe():
    with i18n.catalog_paths()["fr"].open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    found = [
        text
        for message in catalog
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if STRAIGHT.search(text or "")
    ]
    assert not found, "write ’ (not ') in the French catalog:\n" + "\n".join(found)


def test_the_check_sees_a_straight_apostrophe_but_not_in_code():
    assert STRAIGHT.search(_prose("C'est l'heure"))
    assert STRAIGHT.search(_prose("`headline: Sandrine n'oubliera pas`"))
    assert not STRAIGHT.search(_prose("`set mood = 'l'` C’est l’heure"))
    assert STRAIGHT.search("title: 'L''appel'")
