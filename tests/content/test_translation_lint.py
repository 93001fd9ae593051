"""A translation is checked against its source: same structure (errors), a source changed since
(W-STALE), a declared language with no translation (W-UNTRANSLATED)."""

import os
import shutil

import pytest

from app.content import translation
from app.content.catalog import ContentSet

HERE = os.path.dirname(__file__)
TRANSLATED = os.path.join(HERE, "fixtures", "translated")
FR_SCENARIO = os.path.join("scenarios", "fr", "fifteen-percent.md")
FR_MODULE = os.path.join("courses", "demo-course", "fr", "01-reading-signals.md")


@pytest.fixture
def root(tmp_path):
    shutil.copytree(TRANSLATED, tmp_path / "root")
    return tmp_path / "root"


def edit(root, rel, old, new, count=1):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def findings(root, rel=None):
    content = ContentSet.load(str(root))
    return [(f.path, f.line, f.code) for f in content.findings([str(root / rel)] if rel else None)]


def codes(root, rel):
    return [(line, code) for _p, line, code in findings(root, rel)]


def line_of(root, rel, needle):
    for number, line in enumerate((root / rel).read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_the_fixture_translations_are_clean_and_load_as_variants(root):
    assert findings(root) == []
    content = ContentSet.load(str(root))
    assert set(content.scenarios) == {"fifteen-percent"}  # a translation is no second scenario
    french = content.translations[("scenario", "fifteen-percent", "fr")].value
    assert french.title == "Claire veut 15 % de remise" and french.labels["discovery"] == "Découverte"
    assert content.translations[("course", "demo-course", "fr")].value.id == "demo-course"
    assert content.translations[("module", "reading-signals", "fr")].value.course == "demo-course"


def test_split_language_and_source_version():
    assert translation.split_language("root/scenarios/fr/x.md") == ("fr", "root/scenarios/x.md")
    assert translation.split_language("courses/c/fr/01-m.md") == ("fr", "courses/c/01-m.md")
    assert translation.split_language("courses/fr/01-m.md") == (
        None,
        "courses/fr/01-m.md",
    )  # a course called fr
    assert translation.split_language("scenarios/x.md") == (None, "scenarios/x.md")
    assert translation.source_version_of(b"abc") == "ba7816bf8f01"


@pytest.mark.parametrize(
    "old, new, code, needle",
    [
        (
            "](#closing) `give discount 8`",
            "](#batna) `give discount 8`",
            "E-SAMECHOICES",
            "8 % si elle signe",
        ),
        (
            "`give discount 8` `get volume 3` `margin +1`",
            "`give discount 9` `get volume 3` `margin +1`",
            "E-SAMECHOICES",
            "8 % si elle signe",
        ),
        ("`if discovery >= 4`", "`if discovery >= 3`", "E-SAMECHOICES", "12 % pour 3 sites"),
        (
            "`claims: decision` `discovery +2` `rating: best`",
            "`claims: decision` `discovery +2` `rating: good`",
            "E-SAMECHOICES",
            "Décision : elle choisit",
        ),
        ("## batna\n`skill: negotiation`", "## batna\n`skill: pao`", "E-SAMENODES", "## batna"),
        ("## end-win-thin", "## end-thin-win", "E-SAMENODES", "## opening"),
        (
            "  - {choose: [2, 1, 1], expect: {node: end-win-strong}}",
            "  - {choose: [2, 1, 2], expect: {node: end-win-strong}}",
            "E-SAMETESTS",
            "tests:",
        ),
        ("start: opening", "start: batna", "E-SAMEMETA", "start:"),
        ("language: fr", "language: en", "E-LANG", "language:"),
        ("source-version: 45b333d54c4a", "source-version: 45B333", "E-LANG", "source-version:"),
        ("source-version: 45b333d54c4a", 'source-version: "000000000000"', "W-STALE", "source-version:"),
    ],
)
def test_each_structural_difference_is_named_on_its_line(root, old, new, code, needle):
    edit(root, FR_SCENARIO, old, new)
    found = codes(root, FR_SCENARIO)
    assert (line_of(root, FR_SCENARIO, needle), code) in found, found


def test_a_dropped_choice_and_a_dropped_feedback(root):
    edit(
        root,
        FR_SCENARIO,
        "- [A5 : demander 15 % à votre directeur](#end-margin-loss) `pao: A5` `give discount 15` "
        "`unilateral` `margin -4` `rating: poor`\n  > Remonter d'emblée à la hiérarchie, c'est dire "
        "que le prix est négociable.\n",
        "",
    )
    assert (line_of(root, FR_SCENARIO, "## pao-step"), "E-SAMECHOICES") in codes(root, FR_SCENARIO)


def test_questions_and_correct_options(root):
    edit(
        root, FR_MODULE, "- [ ] Il demande une plaquette générale", "- [x] Il demande une plaquette générale"
    )
    assert (line_of(root, FR_MODULE, "### Lequel"), "E-SAMEQUIZ") in codes(root, FR_MODULE)
    edit(root, FR_MODULE, "## Pour aller plus loin\n\nRelisez le catalogue du PAO.\n", "")
    assert "E-SAMEQUIZ" in {c for _l, c in codes(root, FR_MODULE)}


def test_a_translation_without_a_source_and_with_another_id(root):
    shutil.copy(root / FR_SCENARIO, root / "scenarios" / "fr" / "lost.md")
    assert (1, "E-SOURCE") in codes(root, "scenarios/fr/lost.md")
    edit(root, FR_SCENARIO, "id: fifteen-percent", "id: quinze-pourcent")
    found = codes(root, FR_SCENARIO)
    assert (2, "E-META") in found  # the id must match the file name, as for any scenario


def test_a_missing_translation_warns_on_the_source_and_an_undeclared_language_is_an_error(root):
    os.remove(root / FR_SCENARIO)
    assert (1, "W-UNTRANSLATED") in codes(root, "scenarios/fifteen-percent.md")
    edit(root, "courses/demo-course/course.md", "languages: [en, fr]", "languages: [en]")
    found = codes(root, FR_MODULE)
    assert (line_of(root, FR_MODULE, "language: fr"), "E-LANG") in found
    assert "W-UNTRANSLATED" not in {c for _l, c in codes(root, "scenarios/fifteen-percent.md")}


def test_a_changed_source_makes_the_translation_stale_not_wrong(root):
    edit(root, "scenarios/fifteen-percent.md", "Briefing: everything", "Briefing: all")
    found = codes(root, FR_SCENARIO)
    assert found == [(line_of(root, FR_SCENARIO, "source-version:"), "W-STALE")]


def test_labels_name_known_ids(root):
    edit(root, FR_SCENARIO, 'discount: "Remise"', 'rabais: "Rabais"')
    assert (line_of(root, FR_SCENARIO, "labels:"), "E-NAME") in codes(root, FR_SCENARIO)


def _compared(source_text, changed_text):
    from app.content.parse import parse_scenario

    source, _ = parse_scenario(source_text, "scenarios/demo.md")
    changed, _ = parse_scenario(
        changed_text.replace("---\nid:", '---\nlanguage: fr\nsource-version: "000000000000"\nid:', 1),
        "scenarios/demo.md",
    )
    return [(f.line, f.code) for f in translation.compare(source, changed, "fr", "000000000000")]


def test_signal_picks_and_preparation_sheets_keep_their_structure():
    from tests.content.test_sheet import SHEET
    from tests.content.test_signals import PICKING

    assert _compared(PICKING, PICKING.replace("She asks for a diagnosis", "Elle demande un diagnostic")) == []
    flipped = PICKING.replace(
        "She names who signs `signal: right`", "Elle nomme le signataire `signal: distractor`"
    )
    assert _compared(PICKING, flipped) == [(PICKING.split("\n").index("## stand") + 3, "E-SAMENODES")]
    assert _compared(SHEET, SHEET.replace("Your first move", "Votre premier mouvement")) == []
    widened = SHEET.replace("`range: 0..4` `rating: best`", "`range: 0..5` `rating: best`")
    assert _compared(SHEET, widened) == [(SHEET.split("\n").index("## prep") + 3, "E-SAMENODES")]
