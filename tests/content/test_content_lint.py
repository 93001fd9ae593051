"""Each lint code: a failing fixture checked to the exact code and line, and a passing one."""

import pytest

from app.content.lint import check_course_text, check_module_text, check_scenario_text
from tests.content.samples import BASE, read

TRAP = (
    BASE.replace("`goto: end-win if margin >= 5` `goto: end-loss`", "`goto: loop-a`")
    + """
## loop-a

- [On](#loop-b) `rating: ok`
  > Round.

## loop-b

- [Back](#loop-a) `rating: ok`
  > And round.
"""
)

ORPHAN = (
    BASE
    + """
## orphan
`end: lost`

### Debrief
Nobody comes here.
"""
)

CASES = [
    # (name, text, path, code, line)
    ("missing title", BASE.replace("title: Demo\n", ""), "demo.md", "E-META", 1),
    ("id not stem", BASE, "other.md", "E-META", 2),
    (
        "ill-typed key",
        BASE.replace("start: opening", "start: opening\ndifficulty: 7"),
        "demo.md",
        "E-META",
        7,
    ),
    ("bad yaml", BASE.replace("title: Demo", "title: [Demo"), "demo.md", "E-META", 4),
    ("score order", BASE.replace("[0, 5, 10]", "[0, 11, 10]"), "demo.md", "E-SCORE", 7),
    (
        "node id case",
        BASE.replace("## trade", "## Trade").replace("(#trade)", "(#Trade)"),
        "demo.md",
        "E-ID",
        26,
    ),
    ("front-matter id case", BASE.replace("id: demo", "id: Demo"), "Demo.md", "E-ID", 2),
    ("duplicate node", BASE.replace("## closing", "## trade"), "demo.md", "E-DUP", 33),
    ("start", BASE.replace("start: opening", "start: nowhere"), "demo.md", "E-START", 6),
    ("choice target", BASE.replace("(#closing)", "(#closin)"), "demo.md", "E-TARGET", 28),
    ("goto target", BASE.replace("goto: end-loss`", "goto: end-los`"), "demo.md", "E-TARGET", 33),
    (
        "dead end",
        BASE.replace("`goto: end-win if margin >= 5` `goto: end-loss`", "Nothing."),
        "demo.md",
        "E-DEADEND",
        33,
    ),
    ("ending without debrief", BASE.replace("### Debrief\nLost.", "Lost."), "demo.md", "E-END", 42),
    (
        "ending with choices",
        BASE.replace("Lost.", "Lost.\n\n").replace(
            "`end: loss`", "`end: loss`\n\n- [Again](#opening) `rating: ok`\n  > Again."
        ),
        "demo.md",
        "E-END",
        42,
    ),
    ("trap", TRAP, "demo.md", "E-TRAP", 33),
    ("unknown score", BASE.replace("`margin +1`", "`marge +1`"), "demo.md", "E-NAME", 21),
    ("unknown variable", BASE.replace("`if asked`", "`if askd`"), "demo.md", "E-NAME", 28),
    ("unknown phase", BASE.replace("`phase: decision`", "`phase: closing`"), "demo.md", "E-NAME", 16),
    (
        "unknown pao",
        BASE.replace("`rating: best`\n  > Good.", "`pao: A99` `rating: best`\n  > Good."),
        "demo.md",
        "E-NAME",
        28,
    ),
    ("unknown concession", BASE.replace("give discount 8", "give price 8"), "demo.md", "E-NAME", 28),
    ("unknown counterpart", BASE.replace("get volume 3", "get years 3"), "demo.md", "E-NAME", 28),
    ("unknown stage", BASE.replace("stage: negotiation", "stage: haggling"), "demo.md", "E-NAME", 5),
    ("unknown course", BASE.replace("course: demo-course", "course: nope"), "demo.md", "E-NAME", 4),
    ("bad expression", BASE.replace("`if asked`", "`if asked ==`"), "demo.md", "E-EXPR", 28),
    ("call in expression", BASE.replace("`if asked`", "`if __import__('os')`"), "demo.md", "E-EXPR", 28),
    ("type clash", BASE.replace("`if asked`", "`if asked > 3`"), "demo.md", "E-EXPR", 28),
    ("bad goto expression", BASE.replace("margin >= 5", "margin.real >= 5"), "demo.md", "E-EXPR", 33),
    ("unreadable effect", BASE.replace("`margin +1`", "`margin plus one`"), "demo.md", "E-EXPR", 21),
    ("no feedback", BASE.replace("  > Good.\n", ""), "demo.md", "E-FEEDBACK", 28),
    ("phase key", BASE.replace("`claims: decision`", "`claims: discovery`"), "demo.md", "E-PHASEKEY", 16),
    ("unreachable", ORPHAN, "demo.md", "W-UNREACHABLE", 48),
    ("gift", BASE.replace(" `get volume 3`", ""), "demo.md", "W-GIFT", 28),
    (
        "conditional last goto",
        BASE.replace("`goto: end-loss`", "`goto: end-loss if margin < 5`"),
        "demo.md",
        "W-GOTO",
        33,
    ),
    (
        "unused score",
        BASE.replace("{margin: [0, 5, 10]}", "{margin: [0, 5, 10], trust: [0, 5, 10]}"),
        "demo.md",
        "W-UNUSED",
        7,
    ),
    (
        "unused variable",
        BASE.replace("state: {asked: false}", "state: {asked: false, idle: 0}"),
        "demo.md",
        "W-UNUSED",
        8,
    ),
    (
        "best play cannot pass",
        BASE.replace("start: opening", "start: opening\npass: margin >= 9"),
        "demo.md",
        "W-BEST",
        7,
    ),
]


@pytest.mark.parametrize("name,text,path,code,line", CASES, ids=[c[0] for c in CASES])
def test_lint_code_and_line(course, name, text, path, code, line):
    course_arg = course
    _, findings = check_scenario_text(text, path, course_arg)
    got = {(f.code, f.line) for f in findings}
    assert (code, line) in got, [f.format() for f in findings]


def test_base_lints_clean(course):
    _, findings = check_scenario_text(BASE, "demo.md", course)
    assert findings == []


def test_unknown_course_when_none_given():
    _, findings = check_scenario_text(BASE, "demo.md", None)
    assert [(f.code, f.line) for f in findings] == [("E-NAME", 4)]
    _, findings = check_scenario_text(BASE, "demo.md", None, check_course=False)
    assert findings == []


def test_example_of_the_format_page_lints_clean(course):
    _, findings = check_scenario_text(read("scenarios", "fifteen-percent.md"), "fifteen-percent.md", course)
    assert findings == []


def test_output_format_and_order(course):
    text = BASE.replace(" `get volume 3`", "").replace("(#closing)", "(#closin)")
    _, findings = check_scenario_text(text, "demo.md", course)
    lines = [f.format() for f in findings]
    assert lines[0].startswith("demo.md:28: E-TARGET ")
    assert "demo.md:28: W-GIFT " in "\n".join(lines)
    assert not findings[-1].is_error
    assert [f.is_error for f in findings] == sorted([f.is_error for f in findings], reverse=True)


MODULE = read("courses", "demo-course", "01-reading-signals.md")


def test_module_clean(course):
    module, findings = check_module_text(
        MODULE, "courses/demo-course/01-reading-signals.md", course, {"fifteen-percent"}
    )
    assert findings == []
    assert [p.title for p in module.pages] == ["What a signal is", "Going further"]
    q = module.quiz[0]
    assert q.line == 20 and [a.correct for a in q.answers] == [False, True]
    assert q.answers[1].feedback == "A date and a budget owner are decision signals."
    assert module.order == 1 and module.course == "demo-course" and module.pass_percent == 70


@pytest.mark.parametrize(
    "text,line",
    [
        (MODULE.replace("- [x] They give", "- [ ] They give"), 20),  # no correct answer
        (MODULE.replace("  > A date and a budget owner are decision signals.\n", ""), 23),  # no feedback
    ],
)
def test_module_quiz(course, text, line):
    _, findings = check_module_text(
        text, "courses/demo-course/01-reading-signals.md", course, {"fifteen-percent"}
    )
    assert ("C-QUIZ", line) in {(f.code, f.line) for f in findings}
    assert all(f.is_error for f in findings if f.code == "C-QUIZ")


@pytest.mark.parametrize(
    "text,line",
    [
        (MODULE.replace("stage: maturation", "stage: maturity"), 4),
        (MODULE.replace("[fifteen-percent]", "[twenty-percent]"), 7),
    ],
)
def test_module_refs(course, text, line):
    _, findings = check_module_text(
        text, "courses/demo-course/01-reading-signals.md", course, {"fifteen-percent"}
    )
    assert ("C-REF", line) in {(f.code, f.line) for f in findings}


def _module_findings(course, text):
    return check_module_text(text, "courses/demo-course/01-reading-signals.md", course, {"fifteen-percent"})


def test_module_pool_draw_and_page(course):
    text = MODULE.replace("pass: 70\n", "pass: 70\ndraw: 1\n").replace(
        "decision phase?\n", "decision phase?\n`page: 2`\n"
    )
    module, findings = _module_findings(course, text)
    assert module.draw == 1 and module.quiz[0].page == 2 and module.quiz[0].prompt == ""
    # a pool of one for one drawn: a retry meets the same question
    assert [(f.code, f.line) for f in findings] == [("W-POOL", 9)]


@pytest.mark.parametrize(
    "change,code,line",
    [
        (("pass: 70\n", "pass: 70\ndraw: 3\n"), "C-QUIZ", 9),  # more drawn than the pool holds
        (("decision phase?\n", "decision phase?\n`page: 7`\n"), "C-QUIZ", 20),  # no such lesson page
        (("decision phase?\n", "decision phase?\n`see: 2`\n"), "E-NAME", 20),  # unknown question directive
        (("They ask for a general brochure", "None of the above"), "W-SHUFFLE", 21),  # shuffling breaks it
    ],
)
def test_module_pool_findings(course, change, code, line):
    _, findings = _module_findings(course, MODULE.replace(*change))
    assert (code, line) in {(f.code, f.line) for f in findings}


def test_course_findings(course):
    text = read("courses", "demo-course", "course.md")
    _, findings = check_course_text(text, "courses/demo-course/course.md")
    assert findings == []
    bad = text.replace("{id: A5, phase: discovery", "{id: A2, phase: nowhere")
    _, findings = check_course_text(bad, "courses/demo-course/course.md")
    assert {("E-DUP", 14), ("E-NAME", 14)} <= {(f.code, f.line) for f in findings}


BIG = "1" * 400
NUMBERS_OUT_OF_RANGE = [
    (
        "infinite score bounds",
        BASE.replace("scores: {margin: [0, 5, 10]}", "scores: {margin: [-.inf, 0, .inf]}"),
        "E-SCORE",
        7,
    ),
    (
        "nan score start",
        BASE.replace("scores: {margin: [0, 5, 10]}", "scores: {margin: [0, .nan, 10]}"),
        "E-SCORE",
        7,
    ),
    (
        "400-digit set",
        BASE.replace("state: {asked: false}", "state: {asked: false, price: 1}").replace(
            "`set asked = true`", f"`set price = {BIG}.0`"
        ),
        "E-EXPR",
        21,
    ),
    (
        "400-digit integer set",
        BASE.replace("state: {asked: false}", "state: {asked: false, price: 1}").replace(
            "`set asked = true`", f"`set price = {BIG}`"
        ),
        "E-EXPR",
        21,
    ),
    ("huge score change", BASE.replace("`margin +1`", f"`margin +{BIG}`"), "E-EXPR", 21),
    ("huge trade", BASE.replace("`give discount 8`", f"`give discount {BIG}.5`"), "E-EXPR", 28),
    ("huge literal in a condition", BASE.replace("`if asked`", f"`if margin > {BIG}`"), "E-EXPR", 28),
    (
        "infinite state",
        BASE.replace("state: {asked: false}", "state: {asked: false, price: .inf}"),
        "E-EXPR",
        8,
    ),
    (
        "infinite walk-away",
        BASE.replace("walkaway: {discount: 12}", "walkaway: {discount: -.inf}"),
        "E-EXPR",
        9,
    ),
    ("infinite pass", BASE.replace("start: opening\n", "start: opening\npass: .inf\n"), "E-EXPR", 7),
]


@pytest.mark.parametrize(
    "name,text,code,line", NUMBERS_OUT_OF_RANGE, ids=[n[0] for n in NUMBERS_OUT_OF_RANGE]
)
def test_numbers_out_of_range_are_errors(name, text, code, line):
    """Infinity and 400-digit numbers passed lint, then broke the player, the graph and every
    step on PostgreSQL ("Infinity" is not JSON)."""
    _, findings = check_scenario_text(text, "demo.md")
    assert (code, line) in [(f.code, f.line) for f in findings if "out of range" in f.message], [
        f.format() for f in findings
    ]


def test_the_largest_allowed_numbers_pass():
    text = BASE.replace(
        "scores: {margin: [0, 5, 10]}", "scores: {margin: [-1000000000000, 5, 1000000000000]}"
    )
    _, findings = check_scenario_text(text, "demo.md")
    assert not [f for f in findings if "out of range" in f.message]
