"""Lint: every check of the content-format table, on the line the author must look at.

`lint_scenario`, `lint_module` and `lint_course` take a parsed value plus what it refers to
(its course, the known scenario ids) and return findings; the parse findings are added by
the callers (`check_*_text` here, or the catalog).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import cast

from . import engine
from . import expr as expressions
from . import sheet as sheets
from . import signals as signal_picking
from .model import Choice, Course, Finding, Module, Node, Said, Scenario, said, sort_findings
from .parse import ID_RE, parse_course, parse_module, parse_scenario

INTERPOLATION_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class _Report:
    def __init__(self, path: str):
        self.path = path
        self.findings: list[Finding] = []

    def add(self, line: int, code: str, message: str) -> None:
        self.findings.append(Finding(self.path, line, code, message))


# --- scenario -----------------------------------------------------------------------------


class Vocabulary:
    """The names a scenario may use, and their types."""

    def __init__(self, scenario: Scenario):
        self.types: dict[str, str] = {"percent": "number"}
        for dim in scenario.scores:
            self.types[dim.name] = "number"
        for var in scenario.variables:
            self.types[var.name] = value_type(var.initial)
        for name in scenario.negotiation.concessions:
            self.types[f"given_{name}"] = "number"
        for name in scenario.negotiation.counterparts:
            self.types[f"got_{name}"] = "number"
        for name in scenario.negotiation.concessions:
            for function in expressions.MOVE_FUNCTIONS:
                self.types[f"{function}({name})"] = "bool"

    def with_counts(self) -> Vocabulary:
        """The names a reading's `if` reads on a signal-picking node: the pick's counts too."""
        other = object.__new__(Vocabulary)
        other.types = {**self.types, **{name: "number" for name in signal_picking.COUNTS}}
        return other

    def check(self, source: str, report: _Report, line: int, what: str, reads: set[str]) -> None:
        """E-EXPR or E-NAME for one expression; the names it reads are added to `reads`."""
        try:
            tree = expressions.parse(source)
        except expressions.ExprError as exc:
            report.add(
                line,
                "E-EXPR",
                said(
                    "%(what)s `%(source)s`: %(exc)s",
                    what=what,
                    source=source,
                    exc=exc,
                ),
            )
            return
        unknown = []
        for name in expressions.names(tree):
            reads.add(name)
            if name not in self.types:
                unknown.append(name)
        for name in dict.fromkeys(unknown):
            report.add(
                line,
                "E-NAME",
                said(
                    "%(what)s `%(source)s`: unknown name `%(name)s`%(hint)s",
                    what=what,
                    source=source,
                    name=name,
                    hint=_hint(name),
                ),
            )
        if unknown:
            return
        try:
            expressions.type_of(tree, self.types.get)
        except expressions.ExprError as exc:
            report.add(
                line,
                "E-EXPR",
                said(
                    "%(what)s `%(source)s`: %(exc)s",
                    what=what,
                    source=source,
                    exc=exc,
                ),
            )


def _hint(name: str) -> str:
    if name.startswith(expressions.MOVE_FUNCTIONS):
        return said(" (name a concession declared under negotiation.concessions)")
    if name.startswith("given_"):
        return said(" (declare the concession under negotiation.concessions)")
    if name.startswith("got_"):
        return said(" (declare the counterpart under negotiation.counterparts)")
    return said(" (declare it under scores or state)")


def value_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def lint_scenario(
    scenario: Scenario, course: Course | None = None, check_course: bool = True
) -> list[Finding]:
    """Findings about a parsed scenario. `course` resolves phases, PAO ids and the stage;
    with `check_course=False` (no catalogue at hand) those names are not checked."""
    report = _Report(scenario.path)
    vocab = Vocabulary(scenario)
    reads: set[str] = set()
    changed: set[str] = set()
    neg = scenario.negotiation

    if course is not None and scenario.course != course.id:
        course = None  # the caller's course is not the one named here
    if check_course and scenario.course and course is None:
        report.add(
            scenario.key_line("course"), "E-NAME", said("unknown course `%(course)s`", course=scenario.course)
        )
    if course is not None and scenario.stage and scenario.stage not in course.stage_ids():
        report.add(
            scenario.key_line("stage"),
            "E-NAME",
            said(
                "unknown stage `%(stage)s` (course stages: %(names)s)",
                stage=scenario.stage,
                names=", ".join(course.stage_ids()),
            ),
        )
    phases = set(course.phase_ids()) if course else None
    actions = set(course.pao_ids()) if course else None

    for dim in scenario.scores:
        if not (dim.min <= dim.start <= dim.max) or dim.min == dim.max:
            report.add(
                dim.line,
                "E-SCORE",
                said(
                    "score `%(dim_name)s` needs min <= start <= max and min < max, got "
                    "[%(dim_min)s, %(dim_start)s, %(dim_max)s]",
                    dim_name=dim.name,
                    dim_min=dim.min,
                    dim_start=dim.start,
                    dim_max=dim.max,
                ),
            )
    named = {d.name for d in scenario.scores} | set(neg.concessions) | set(neg.counterparts)
    for name in scenario.labels:
        if name not in named:
            report.add(
                scenario.key_line("labels"),
                "E-NAME",
                said(
                    "`labels`: `%(name)s` is not a score, concession or counterpart of this scenario",
                    name=name,
                ),
            )
    for name in neg.walkaway:
        if name not in neg.concessions:
            report.add(
                scenario.key_line("negotiation"),
                "E-NAME",
                said(
                    "walk-away `%(name)s` is not a declared concession",
                    name=name,
                ),
            )

    seen: dict[str, int] = {}
    for node in scenario.nodes:
        if not ID_RE.match(node.id):
            report.add(
                node.line,
                "E-ID",
                said(
                    "node id `%(node)s` is not kebab-case (a-z, 0-9, -)",
                    node=node.id,
                ),
            )
        if node.id in seen:
            report.add(
                node.line,
                "E-DUP",
                said(
                    "node `%(node)s` is already defined on line %(seen)s",
                    node=node.id,
                    seen=seen[node.id],
                ),
            )
        else:
            seen[node.id] = node.line
    if scenario.start and scenario.node(scenario.start) is None:
        report.add(
            scenario.key_line("start"),
            "E-START",
            said(
                "start `%(start)s` is not a node",
                start=scenario.start,
            ),
        )

    for node in scenario.nodes:
        if node.phase and phases is not None and node.phase not in phases:
            report.add(
                node.line,
                "E-NAME",
                said(
                    "node `%(node)s`: unknown phase `%(node_phase)s`",
                    node=node.id,
                    node_phase=node.phase,
                ),
            )
        if node.is_ending:
            if node.choices or node.gotos:
                report.add(node.line, "E-END", said("ending `%(node)s` has choices or gotos", node=node.id))
            if "Debrief" not in node.sections:
                report.add(node.line, "E-END", said("ending `%(node)s` has no `### Debrief`", node=node.id))
        elif not node.choices and not node.gotos and node.sheet is None:
            report.add(
                node.line,
                "E-DEADEND",
                said(
                    "node `%(node)s` has no choice, no goto and no `end:`",
                    node=node.id,
                ),
            )
        if node.sheet is not None:
            if node.is_ending:
                report.add(node.line, "E-SHEET", said("ending `%(node)s` holds a sheet", node=node.id))
            _lint_sheet_effects(scenario, node, report, reads, changed)
        routes = node.sheet.routes if node.sheet else node.gotos
        for goto in routes:
            if scenario.node(goto.target) is None:
                report.add(
                    node.line,
                    "E-TARGET",
                    said(
                        "node `%(node)s`: goto target `%(goto_target)s` is not a node",
                        node=node.id,
                        goto_target=goto.target,
                    ),
                )
            if goto.condition is not None:
                vocab.check(goto.condition, report, node.line, said("goto condition"), reads)
        if routes and routes[-1].condition is not None and not node.is_ending:
            report.add(
                node.line,
                "W-GOTO",
                said(
                    "node `%(node)s`: the last goto is conditional; when no condition holds play is stuck",
                    node=node.id,
                ),
            )
        if node.gotos and node.choices and not node.is_ending:
            report.add(
                node.line,
                "W-GOTO",
                said(
                    "node `%(node)s` has gotos, so its choices are never shown",
                    node=node.id,
                ),
            )
        if node.phase:
            keys = [c for c in node.choices if c.effects.claims == node.phase]
            if len(keys) != 1:
                report.add(
                    node.line,
                    "E-PHASEKEY",
                    said(
                        "phase node `%(node)s` needs exactly one choice with `claims: "
                        "%(node_phase)s`, has %(count)s",
                        node=node.id,
                        node_phase=node.phase,
                        count=len(keys),
                    ),
                )
        signal_picking.lint_node(
            node, course, [d.name for d in scenario.scores] + [v.name for v in scenario.variables], report.add
        )
        for choice in node.choices:
            _lint_choice(
                scenario,
                choice,
                vocab.with_counts() if node.signals else vocab,
                report,
                reads,
                changed,
                phases,
                actions,
            )
        for text in [node.narrative, *node.sections.values()]:
            reads.update(INTERPOLATION_RE.findall(text))
    reads.update(INTERPOLATION_RE.findall(scenario.briefing))
    if scenario.pass_expr is not None:
        vocab.check(scenario.pass_expr, report, scenario.key_line("pass"), said("pass"), reads)
    sheets.check(scenario, report.add)
    _lint_tests(scenario, report)
    _lint_graph(scenario, report)
    if not any(f.code.startswith("E-") for f in report.findings):
        _lint_best_play(scenario, report)
        _lint_consequences(scenario, report)
        from . import rounds  # it plays the scenario through the play-tester

        rounds.check(scenario, report.add)
    for dim in scenario.scores:
        if dim.name not in reads and dim.name not in changed:
            report.add(
                dim.line,
                "W-UNUSED",
                said(
                    "score `%(dim_name)s` is never changed or read",
                    dim_name=dim.name,
                ),
            )
    for var in scenario.variables:
        if var.name not in reads and var.name not in changed:
            report.add(
                var.line,
                "W-UNUSED",
                said(
                    "variable `%(var_name)s` is never set or read",
                    var_name=var.name,
                ),
            )
    return report.findings


def _lint_choice(
    scenario: Scenario,
    choice: Choice,
    vocab: Vocabulary,
    report: _Report,
    reads: set[str],
    changed: set[str],
    phases: set[str] | None,
    actions: set[str] | None,
) -> None:
    e = choice.effects
    line = choice.line
    if scenario.node(choice.target) is None:
        report.add(
            line,
            "E-TARGET",
            said(
                "choice target `#%(choice_target)s` is not a node",
                choice_target=choice.target,
            ),
        )
    if not choice.feedback.strip():
        report.add(
            line,
            "E-FEEDBACK",
            said(
                "choice has no feedback (a `> ...` quote indented under it)",
            ),
        )
    for name, _ in e.scores:
        changed.add(name)
        if scenario.score(name) is None:
            report.add(line, "E-NAME", said("unknown score `%(name)s`", name=name))
    for name, value in e.sets:
        changed.add(name)
        var = scenario.variable(name)
        if var is None:
            report.add(
                line,
                "E-NAME",
                said(
                    "`set %(name)s`: unknown variable `%(name)s` (declare it under state)",
                    name=name,
                ),
            )
        elif value_type(value) != value_type(var.initial):
            report.add(
                line,
                "E-EXPR",
                said(
                    "`set %(name)s`: %(value_type)s variable set to a %(value_type2)s",
                    name=name,
                    value_type=value_type(var.initial),
                    value_type2=value_type(value),
                ),
            )
    for trade in e.gives:
        if trade.name not in scenario.negotiation.concessions:
            report.add(
                line,
                "E-NAME",
                said(
                    "`give %(trade_name)s`: unknown concession (declare it under negotiation.concessions)",
                    trade_name=trade.name,
                ),
            )
    for trade in e.gets:
        if trade.name not in scenario.negotiation.counterparts:
            report.add(
                line,
                "E-NAME",
                said(
                    "`get %(trade_name)s`: unknown counterpart (declare it under negotiation.counterparts)",
                    trade_name=trade.name,
                ),
            )
    if e.gives and not e.gets and not e.unilateral:
        report.add(
            line,
            "W-GIFT",
            said(
                "a concession given with no `get` in return; add one or mark it `unilateral`",
            ),
        )
    if e.condition is not None:
        vocab.check(e.condition, report, line, said("if"), reads)
    if e.pao is not None and actions is not None and e.pao not in actions:
        report.add(line, "E-NAME", said("unknown PAO action `%(pao)s`", pao=e.pao))
    if e.claims is not None and phases is not None and e.claims not in phases:
        report.add(line, "E-NAME", said("`claims: %(claims)s`: unknown phase", claims=e.claims))


def _lint_sheet_effects(
    scenario: Scenario, node: Node, report: _Report, reads: set[str], changed: set[str]
) -> None:
    """The names a sheet's ranges change, and the figures it writes."""
    if node.sheet is None:
        return
    for f in node.sheet.fields:
        changed.add(f.name)
        for r in f.ranges:
            reads.update(INTERPOLATION_RE.findall(r.feedback))
            for name, _ in r.effects.scores:
                changed.add(name)
                if scenario.score(name) is None:
                    report.add(r.line, "E-NAME", said("unknown score `%(name)s`", name=name))
            for name, value in r.effects.sets:
                changed.add(name)
                var = scenario.variable(name)
                if var is None:
                    report.add(
                        r.line,
                        "E-NAME",
                        said(
                            "`set %(name)s`: unknown variable `%(name)s` (declare it under state)",
                            name=name,
                        ),
                    )
                elif value_type(value) != value_type(var.initial):
                    report.add(
                        r.line,
                        "E-EXPR",
                        said(
                            "`set %(name)s`: %(value_type)s variable set to a %(value_type2)s",
                            name=name,
                            value_type=value_type(var.initial),
                            value_type2=value_type(value),
                        ),
                    )


def _lint_best_play(scenario: Scenario, report: _Report) -> None:
    """W-BEST: best play (the best-rated answer at every step) scores 100% by definition, so
    it must also pass; if it cannot, the pass or the ratings are wrong."""
    from .playtest import best_pick, play  # the play-tester imports the engine, not lint

    try:
        game = play(scenario, best_pick)
        fails = game.ended and not game.error and not engine.passed(scenario, game.state)
    except (engine.EngineError, expressions.ExprError):
        return  # `flask content test` reports what breaks play
    if fails:
        report.add(
            scenario.key_line("pass"),
            "W-BEST",
            said(
                "choosing the best-rated answer at every step ends at `%(game_state)s` "
                "and does not pass `%(value)s`",
                game_state=game.state["node"],
                value=scenario.pass_expr or "percent >= 60",
            ),
        )


def _lint_consequences(scenario: Scenario, report: _Report) -> None:
    """W-FUNNEL: most answers lead to the same place whatever the rep chose, so the prospect
    cannot react to them. W-LOSS: an answer rated acceptable that loses the scenario at once."""
    from . import branching  # it reads this module's graph helpers

    conversation = branching.choice_nodes(scenario, conversation=True)
    funnels = [n for n in conversation if not branching.branches(scenario, n)]
    if conversation and len(funnels) * 2 > len(conversation):
        named = ", ".join(f"`{n.id}`" for n in funnels[:5]) + (", ..." if len(funnels) > 5 else "")
        report.add(
            funnels[0].line,
            "W-FUNNEL",
            said(
                "%(count)s of %(count2)s choice nodes send every answer to one node "
                "(%(named)s): the prospect reacts the same whatever the rep chose; let "
                "the answers lead to different scenes",
                count=len(funnels),
                count2=len(conversation),
                named=named,
            ),
        )
    for node in branching.choice_nodes(scenario):
        for choice in node.choices:
            rating = choice.effects.rating or "ok"
            if rating in ("best", "good", "ok") and branching.loses_at_once(scenario, choice.target):
                report.add(
                    choice.line,
                    "W-LOSS",
                    said(
                        "an answer rated `%(rating)s`%(value)s ends the scenario at once in a "
                        "loss (`#%(choice_target)s`); rate it `poor`, or let the rep recover",
                        rating=rating,
                        value="" if choice.effects.rating else " (unrated)",
                        choice_target=choice.target,
                    ),
                )


EXPECT_KEYS = {"node", "outcome", "passed", "percent"}


def _lint_tests(scenario: Scenario, report: _Report) -> None:
    for test in scenario.tests:
        for key, value in test.expect.items():
            if key == "node":
                if scenario.node(str(value)) is None:
                    report.add(
                        test.line,
                        "E-TARGET",
                        said(
                            "test expects node `%(value)s`, which is not a node",
                            value=value,
                        ),
                    )
            elif key == "outcome" or key == "passed":
                continue
            elif key == "percent" or scenario.score(key) is not None:
                if not _bounds(value):
                    report.add(
                        test.line,
                        "E-META",
                        said(
                            "test bound `%(key)s` must be `[min, max]`, e.g. `%(key)s: [5, 10]`",
                            key=key,
                        ),
                    )
            else:
                report.add(
                    test.line,
                    "E-META",
                    said(
                        "test expects `%(key)s`: use node, outcome, passed, percent or a score name",
                        key=key,
                    ),
                )


def _bounds(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


def edges(scenario: Scenario) -> dict[str, list[str]]:
    """Every node's possible next nodes, ignoring conditions (static graph)."""
    out: dict[str, list[str]] = {}
    for node in scenario.nodes:
        if node.id in out:
            continue
        if node.is_ending:
            out[node.id] = []
        elif node.sheet is not None:
            out[node.id] = [g.target for g in node.sheet.routes if scenario.node(g.target)]
        elif node.gotos:
            out[node.id] = [g.target for g in node.gotos if scenario.node(g.target)]
        else:
            out[node.id] = [c.target for c in node.choices if scenario.node(c.target)]
    return out


def reachable(scenario: Scenario, graph: dict[str, list[str]] | None = None) -> set[str]:
    graph = graph if graph is not None else edges(scenario)
    if scenario.node(scenario.start) is None:
        return set()
    seen = {scenario.start}
    todo = [scenario.start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _lint_graph(scenario: Scenario, report: _Report) -> None:
    graph = edges(scenario)
    live = reachable(scenario, graph)
    if not live:
        return
    for node in scenario.nodes:
        if node.id not in live and scenario.node(node.id) is node:
            report.add(
                node.line,
                "W-UNREACHABLE",
                said(
                    "node `%(node)s` is never reached from `%(start)s`",
                    node=node.id,
                    start=scenario.start,
                ),
            )
    # Nodes that can still reach an exit: an ending, or a loose end already reported
    # (dead end, missing target), so a trap is a loop with no way out and nothing else.
    back: dict[str, list[str]] = {n: [] for n in graph}
    for src, targets in graph.items():
        for t in targets:
            back[t].append(src)
    exits = [
        n.id for n in scenario.nodes if n.is_ending or not graph.get(n.id) or _has_missing_target(scenario, n)
    ]
    escapes = set(exits)
    todo = list(exits)
    while todo:
        for prev in back.get(todo.pop(), ()):
            if prev not in escapes:
                escapes.add(prev)
                todo.append(prev)
    trapped = [n for n in scenario.nodes if n.id in live and n.id not in escapes and scenario.node(n.id) is n]
    reported: set[str] = set()
    for node in trapped:
        if node.id in reported:
            continue
        loop = _component(node.id, graph, {t.id for t in trapped})
        reported.update(loop)
        names = ", ".join(n.id for n in trapped if n.id in loop)
        report.add(
            node.line,
            "E-TRAP",
            said(
                "play can enter %(names)s but never leave for an ending",
                names=names,
            ),
        )


def _has_missing_target(scenario: Scenario, node: Node) -> bool:
    targets = [g.target for g in node.gotos] if node.gotos else [c.target for c in node.choices]
    targets += [g.target for g in node.sheet.routes] if node.sheet else []
    return any(scenario.node(t) is None for t in targets)


def _component(start: str, graph: dict[str, list[str]], allowed: set[str]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt in allowed and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# --- module and course --------------------------------------------------------------------


def lint_module(
    module: Module, course: Course | None, scenario_ids: Iterable[str] | None = None
) -> list[Finding]:
    report = _Report(module.path)
    if course is None:
        report.add(
            module.key_lines.get("stage", 1),
            "C-REF",
            said(
                "no course.md next to the module, so stage `%(module_stage)s` is unknown",
                module_stage=module.stage,
            ),
        )
    elif module.stage and module.stage not in course.stage_ids():
        report.add(
            module.key_lines.get("stage", 1),
            "C-REF",
            said(
                "unknown stage `%(module_stage)s`",
                module_stage=module.stage,
            ),
        )
    if scenario_ids is not None:
        known = set(scenario_ids)
        for sid in module.scenarios:
            if sid not in known:
                report.add(
                    module.key_lines.get("scenarios", 1), "C-REF", said("unknown scenario `%(sid)s`", sid=sid)
                )
    if module.quiz_line and not module.quiz:
        report.add(module.quiz_line, "C-QUIZ", said("the knowledge check has no `###` question"))
    for q in module.quiz:
        if not q.answers:
            report.add(q.line, "C-QUIZ", said("question without answers (`- [ ]` / `- [x]` items)"))
            continue
        if not any(a.correct for a in q.answers):
            report.add(q.line, "C-QUIZ", said("question without a correct answer (mark one `[x]`)"))
        for a in q.answers:
            if not a.feedback.strip():
                report.add(
                    a.line,
                    "C-QUIZ",
                    said(
                        "answer without feedback (a `> ...` quote indented under it)",
                    ),
                )
            if _POSITIONAL.search(a.text):
                report.add(
                    a.line,
                    "W-SHUFFLE",
                    said(
                        "answers are shown in a new order at every attempt, so an answer "
                        'cannot point at the others ("all of the above", "A and B"); name what '
                        "it means",
                    ),
                )
        if q.page and not 1 <= q.page <= len(module.pages):
            report.add(
                q.line,
                "C-QUIZ",
                said(
                    "`page: %(page)s` names no lesson page (this module has %(count)s)",
                    page=q.page,
                    count=len(module.pages),
                ),
            )
    _lint_pool(module, report)
    return report.findings


# Answers are shuffled per attempt: wording that relies on their order breaks.
_POSITIONAL = re.compile(
    r"\b(all|none|both|neither) of the (above|others|answers)\b|"
    r"\b(answers?|options?) [A-D1-4] and [A-D1-4]\b|^(both|all|none)\b$",
    re.I,
)
POOL_SPARE = 4  # a retry should meet mostly new questions: the pool holds `draw` + 4 at least


def _lint_pool(module: Module, report: _Report) -> None:
    if not module.draw:
        return
    line = module.key_lines.get("draw", 1)
    pool = len(module.quiz)
    if module.draw > pool:
        report.add(
            line,
            "C-QUIZ",
            said(
                "`draw: %(module_draw)s` asks more questions than the pool holds (%(pool)s)",
                module_draw=module.draw,
                pool=pool,
            ),
        )
    elif pool < module.draw + POOL_SPARE:
        report.add(
            line,
            "W-POOL",
            said(
                "a pool of %(pool)s questions for `draw: %(module_draw)s`: a trainee "
                "who tries again meets the same questions; write at least %(value)s",
                pool=pool,
                module_draw=module.draw,
                value=module.draw + POOL_SPARE,
            ),
        )


def lint_course(course: Course) -> list[Finding]:
    report = _Report(course.path)

    # one message per kind (written out for Babel), so a translation names the kind in its words
    def declared_twice(kind: str, item: str) -> Said:
        if kind == "stage":
            return said("stage `%(item)s` is declared twice", item=item)
        if kind == "phase":
            return said("phase `%(item)s` is declared twice", item=item)
        return said("PAO action `%(item)s` is declared twice", item=item)

    for kind, items in (("stage", course.stages), ("phase", course.phases), ("pao", course.pao)):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                report.add(item.line, "E-DUP", declared_twice(kind, item.id))
            seen.add(item.id)
    phases = set(course.phase_ids())
    for action in course.pao:
        if action.phase and action.phase not in phases:
            report.add(
                action.line,
                "E-NAME",
                said(
                    "PAO action `%(action)s`: unknown phase `%(action_phase)s`",
                    action=action.id,
                    action_phase=action.phase,
                ),
            )
    return report.findings


# --- text in, findings out: the one parse-then-lint, for the CLI, sync, the studio and uploads --

PARSERS = {"course": parse_course, "module": parse_module, "scenario": parse_scenario}
KINDS = tuple(PARSERS)


def lint_value(
    kind: str,
    value: Course | Module | Scenario,
    courses: Mapping[str, Course] | None = None,
    scenario_ids: Iterable[str] | None = None,
    check_course: bool = True,
) -> list[Finding]:
    """Lint a parsed value by kind. `courses` (course id -> Course) resolves what a module or a
    scenario names; a module also needs the known scenario ids to check its list."""
    if isinstance(value, Course):  # the value's type is its kind
        return lint_course(value)
    course = (courses or {}).get(value.course)
    if isinstance(value, Module):
        return lint_module(value, course, scenario_ids)
    return lint_scenario(value, course, check_course)


def check_text(
    kind: str,
    data: bytes | str,
    path: str,
    courses: Mapping[str, Course] | None = None,
    scenario_ids: Iterable[str] | None = None,
    check_course: bool = True,
) -> tuple[Course | Module | Scenario | None, list[Finding]]:
    """Parse then lint one text of a kind: (value, findings sorted errors first). The value is
    None only when the text cannot be read at all."""
    value, findings = PARSERS[kind](data, path)
    if value is not None:
        findings = findings + lint_value(kind, value, courses, scenario_ids, check_course)
    return value, sort_findings(findings)


def check_scenario_text(
    data: bytes | str, path: str, course: Course | None = None, check_course: bool = True
) -> tuple[Scenario | None, list[Finding]]:
    value, findings = check_text(
        "scenario", data, path, {course.id: course} if course else None, None, check_course
    )
    return cast(Scenario | None, value), findings


def check_module_text(
    data: bytes | str, path: str, course: Course | None = None, scenario_ids: Iterable[str] | None = None
) -> tuple[Module | None, list[Finding]]:
    value, findings = check_text("module", data, path, {course.id: course} if course else None, scenario_ids)
    return cast(Module | None, value), findings


def check_course_text(data: bytes | str, path: str) -> tuple[Course | None, list[Finding]]:
    value, findings = check_text("course", data, path)
    return cast(Course | None, value), findings
