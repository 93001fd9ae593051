"""docs/content-format.md is the trainers' reference: it must name every lint code the content
core can emit and every front-matter key the parser reads, so it cannot drift from the code."""

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CONTENT = PROJECT / "app" / "content"
REFERENCE = (PROJECT / "docs" / "content-format.md").read_text(encoding="utf-8")


def test_every_lint_code_is_in_the_reference_table():
    codes = set()
    for source in CONTENT.glob("*.py"):
        codes |= set(re.findall(r'"([EWC]-[A-Z]+)"', source.read_text(encoding="utf-8")))
    assert len(codes) > 15
    table = set(re.findall(r"^\| ([EWC]-[A-Z]+) \| (?:error|warning) \|", REFERENCE, re.M))
    assert codes - table == set(), "add these codes to docs/content-format.md"
    assert table - codes == set(), "these codes are documented but no longer emitted"
    for code in table:
        severity = re.search(rf"^\| {code} \| (error|warning) \|", REFERENCE, re.M).group(1)
        assert severity == ("warning" if code.startswith("W-") else "error"), code


def test_every_front_matter_key_the_parser_reads_is_documented():
    parse = (CONTENT / "parse.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'meta\.(?:text|integer|text_list|mapping|records|own_id_?)\("([a-z_]+)"', parse))
    keys |= set(re.findall(r'meta\.data\["([a-z_]+)"\]', parse))
    keys |= {"id", "walkaway", "concessions", "counterparts", "choose", "expect"}
    assert {"title", "stage", "draw", "scores", "pass", "tests"} <= keys
    missing = sorted(k for k in keys if f"`{k}`" not in REFERENCE)
    assert missing == [], f"document these keys in docs/content-format.md: {missing}"


def test_the_guides_link_to_each_other_and_to_no_missing_file():
    guide = (PROJECT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert "](content-format.md)" in guide and "](authoring.md)" in REFERENCE
    assert "design folder" not in guide
    for text in (guide, REFERENCE):
        for target in re.findall(r"\]\(([\w./-]+\.md)\)", text):
            assert (PROJECT / "docs" / target).exists(), target
