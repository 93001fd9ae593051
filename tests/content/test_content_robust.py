"""Parsing never raises, on any text or bytes, and pathological input stays bounded in work (function
calls counted, not seconds: a loaded machine makes no difference)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content.frontmatter import MAX_BYTES
from app.content.lint import check_course_text, check_module_text, check_scenario_text
from app.content.render import render_markdown
from tests.content.samples import BASE
from tests.helpers import calls_made, linear_budget

MD_ALPHABET = st.sampled_from(
    list("abc-#`*_[]()>!:{}\n \t0123456789=<\"'|\\") + ["---\n", "- [", "](#", "`goto: ", "`if ", "\x00", "é"]
)
md_text = st.lists(MD_ALPHABET, max_size=300).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def all_checks(data):
    for check in (check_scenario_text, check_module_text, check_course_text):
        _, findings = (
            check(data, "x/courses/c/01-x.md") if check is check_module_text else check(data, "x.md")
        )
        for f in findings:
            assert f.code and f.line >= 1 and f.message
    if isinstance(data, str):
        render_markdown(data)


@SETTINGS
@given(md_text)
def test_any_markdownish_text(text):
    all_checks(text)
    all_checks("---\nid: x\n---\n" + text)


@SETTINGS
@given(st.text(max_size=500))
def test_any_unicode_text(text):
    all_checks(text)


@SETTINGS
@given(st.binary(max_size=500))
def test_any_bytes(data):
    all_checks(data)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(BASE) - 1), md_text)
def test_mutated_scenario(position, insert):
    all_checks(BASE[:position] + insert + BASE[position:])


def front(body):
    return BASE.split("## opening")[0] + body


# Sized so that work that grows with the square of the input (the failure this guards against)
# makes hundreds of millions of calls, linear work a few million at most.
PATHOLOGICAL = {
    "deep quotes": front(">" * 10_000 + " x\n"),
    "deep lists": front("".join("  " * i + "- x\n" for i in range(900))),
    "deep list markers": front("- " * 10_000 + "x\n"),
    "emphasis run": front("*" * 40_000),
    "emphasis pairs": front("*a " * 20_000),
    "brackets": front("[" * 20_000),
    "links": front("[a](#b)" * 10_000),
    "backticks": front("`" * 20_000),
    "headings": front("## a\n" * 10_000),
    "nul bytes": front("a\x00b" * 1_000),
    "deep yaml": "---\nid: " + "[" * 5_000 + "\n---\n",
    "yaml alias bomb": "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, "
    "*a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, "
    "*c, *c, *c]\n---\n",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_is_bounded(name):
    text = PATHOLOGICAL[name]

    def lint_and_render():
        render_markdown(text)
        return check_scenario_text(text, "demo.md")

    (_, findings), calls = calls_made(lint_and_render)
    assert calls < linear_budget(text), calls
    if name.startswith("deep") and name != "deep list markers" or name == "nul bytes":
        assert any(f.code == "E-META" for f in findings), [f.format() for f in findings]


def test_invalid_utf8_and_oversized():
    _, findings = check_scenario_text(b"---\nid: x\n---\n\xff\xfe bad", "x.md")
    assert [(f.code, f.line) for f in findings] == [("E-META", 4)]
    (_, findings), calls = calls_made(check_scenario_text, b"a" * 5_000_000, "x.md")
    assert [(f.code, f.line) for f in findings] == [("E-META", 1)]
    assert str(MAX_BYTES // 1000) in findings[0].message.replace(",", "")
    assert calls < 1_000  # refused on its size, before any of it is read


def test_yaml_anchors_aliases_and_huge_values_are_refused_with_their_line():
    """A few nested aliases are a billion elements once the linter or a page walks them: refused
    before anything is built, as are more values or longer ones than any honest front matter has."""
    from app.content.frontmatter import MAX_FRONT_MATTER_NODES, MAX_SCALAR_CHARACTERS

    laughs = "".join(
        f"l{i}: &l{i} [{', '.join(['*l' + str(i - 1)] * 9 if i else ['lol'] * 9)}]\n" for i in range(9)
    )
    bomb = "---\nid: x\ntitle: X\n" + laughs + "negotiation:\n  concessions: [*l8, *l8, *l8]\n---\n"
    _, findings = check_scenario_text(bomb, "x.md")
    assert [(f.code, f.line) for f in findings if "anchors" in f.message] == [("E-META", 4)]
    alias_only = "---\nid: x\ntitle: X\nnegotiation: *nothing\n---\n"
    assert any(f.line == 4 and "aliases" in f.message for f in check_scenario_text(alias_only, "x.md")[1])
    long_value = "---\nid: x\ntitle: " + "x" * (MAX_SCALAR_CHARACTERS + 1) + "\n---\n"
    assert any(f.line == 3 and "limit" in f.message for f in check_scenario_text(long_value, "x.md")[1])
    many = "---\nid: x\nlist: [" + ", ".join(["1"] * MAX_FRONT_MATTER_NODES) + "]\n---\n"
    assert any("more than" in f.message for f in check_scenario_text(many, "x.md")[1])
