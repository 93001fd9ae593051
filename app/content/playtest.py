"""Testing a scenario by playing it, after ChoiceScript's quicktest and randomtest.

quicktest explores every distinct state reachable from `start` once (memoised), so a
scenario with many branches stays fast: paths are counted by dynamic programming over the
state graph, never enumerated. Scores that no `if` or `goto` reads cannot change where play
goes, so they are left out of the state and their range per ending is propagated as an
interval instead (clamping is monotone, so the interval is exact). This keeps the state
space about the size of the node graph for typical scenarios.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import engine
from . import expr as expressions
from . import sheet as sheets
from . import signals as signal_picking
from .model import Node, Scenario, Sheet, said

# A play-tester state: (node, exact scores, variables, ledger, loose-score marks, moves), hashable.
State = tuple[Any, ...]
Edges = dict[State, list[tuple[State, State]]]  # state -> [(next state, loose deltas)]
Offered = list[tuple[int, Any]]  # (index in the node, a choice or a sheet's range)
Pick = Callable[[Offered], int]  # a player: the position in `offered` it takes
Visit = Callable[[State], None]

MAX_STEPS = 200  # the longest path a play-test accepts
MAX_STATES = 200_000  # beyond this the scenario's state space is not "small"
RATING_ORDER = {"best": 0, "good": 1, "ok": 2, "poor": 3}


@dataclass
class QuickReport:
    scenario: str
    states: int = 0
    transitions: int = 0
    paths: int = 0
    endings: dict[str, dict[str, Any]] = field(default_factory=dict)  # node -> {outcome, paths, scores}
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    top_share: float | None = None  # the highest share of the scores any path ends with (engine.share)


# --- quicktest ----------------------------------------------------------------------------


class _Compiled:
    """The scenario reduced to what quicktest's state needs."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        read = engine.routing_reads(scenario, skip_unreadable=False)
        # The pass expression is read too, so that every ending state says whether it passes
        # (the endings-agree invariant): scores it reads are kept exact, not as intervals.
        read.update(
            expressions.names(expressions.parse(scenario.pass_expr)) if scenario.pass_expr else {"percent"}
        )
        if "percent" in read:
            read.update(d.name for d in scenario.scores)
        self.exact = [d for d in scenario.scores if d.name in read]
        self.loose = [d for d in scenario.scores if d.name not in read]
        self.exact_pos = {d.name: i for i, d in enumerate(self.exact)}
        self.loose_pos = {d.name: i for i, d in enumerate(self.loose)}
        self.var_names = [v.name for v in scenario.variables]
        self.var_pos = {n: i for i, n in enumerate(self.var_names)}
        self.ledger_names = sorted(n for n in read if n.startswith(("given_", "got_")))
        self.ledger_pos = {n: i for i, n in enumerate(self.ledger_names)}
        # concessions whose moves a `shrinking(NAME)` or `growing(NAME)` reads: their moves are
        # the state's sixth part, one tuple of amounts per concession
        self.move_names = sorted(
            c
            for c in scenario.negotiation.concessions
            if any(f"{fn}({c})" in read for fn in expressions.MOVE_FUNCTIONS)
        )
        self.move_pos = {n: i for i, n in enumerate(self.move_names)}
        self.read = read

    def start(self) -> State:
        s = self.scenario
        return (
            s.start,
            tuple(d.start for d in self.exact),
            tuple(v.initial for v in s.variables),
            tuple(0 for _ in self.ledger_names),
            (),
            tuple(() for _ in self.move_names),
        )

    def known(self, state: State) -> dict[str, Any]:
        _, exact, vars_, ledger, _, moves = state
        out = dict(zip(self.var_names, vars_, strict=True))
        for name, amounts in zip(self.move_names, moves, strict=True):
            out.update(expressions.move_values(name, amounts))
        out.update(zip((d.name for d in self.exact), exact, strict=True))
        out.update(zip(self.ledger_names, ledger, strict=True))
        for name in self.scenario.negotiation.concessions:
            out.setdefault(f"given_{name}", 0)
        for name in self.scenario.negotiation.counterparts:
            out.setdefault(f"got_{name}", 0)
        if len(self.exact) == len(self.scenario.scores):
            out["percent"] = engine.percent(
                self.scenario, {"scores": dict(zip((d.name for d in self.exact), exact, strict=True))}
            )
        return out

    def holds(self, source: str, known: dict[str, Any]) -> bool:
        return bool(expressions.evaluate(expressions.parse(source), known.__getitem__))

    def apply(self, state: State, node: Node, index: int) -> tuple[State, State]:
        """The state after a choice, and the loose-score deltas to propagate."""
        choice = node.choices[index]
        e = choice.effects
        _, exact, vars_, ledger, once, moves = state
        exact, vars_, ledger, moves = list(exact), list(vars_), list(ledger), list(moves)
        loose_deltas = []
        for name, delta in e.scores:
            if name in self.exact_pos:
                i = self.exact_pos[name]
                d = self.exact[i]
                exact[i] = d.clamp(exact[i] + delta)
            elif name in self.loose_pos:
                loose_deltas.append((self.loose_pos[name], delta))
        for name, value in e.sets:
            if name in self.var_pos:
                vars_[self.var_pos[name]] = value
        for trade in e.gives:
            key = f"given_{trade.name}"
            if key in self.ledger_pos:
                ledger[self.ledger_pos[key]] += trade.amount
        for name in self.move_names:  # one move per step and concession, as the engine
            amount = sum(t.amount for t in e.gives if t.name == name)
            if amount > 0:
                moves[self.move_pos[name]] += (amount,)
        for trade in e.gets:
            key = f"got_{trade.name}"
            if key in self.ledger_pos:
                ledger[self.ledger_pos[key]] += trade.amount
        if e.once:
            once = tuple(sorted(set(once) | {engine.once_key(node, index)}))
        return (choice.target, tuple(exact), tuple(vars_), tuple(ledger), once, tuple(moves)), tuple(
            loose_deltas
        )

    def sheet_samples(self, node: Node) -> list[dict[str, Any]]:
        """The figures quicktest writes on a sheet: every combination of each field's samples
        (sheet.samples; a figure something reads is tried at each range's ends and middle)."""
        combos: list[dict[str, Any]] = [{}]
        for f in _sheet_of(node).fields:
            options = sheets.samples(f, exact=f.name in self.read)
            combos = [{**c, f.name: value} for c in combos for value, _r in options]
        return combos

    def write_sheet(self, state: State, node: Node, figures: dict[str, Any]) -> tuple[State, State]:
        """The state after a sheet is submitted with `figures` (then routed by the caller)."""
        _, exact, vars_, ledger, once, moves = state
        exact, vars_ = list(exact), list(vars_)
        loose_deltas = []
        for f in _sheet_of(node).fields:
            value = figures[f.name]
            vars_[self.var_pos[f.name]] = value
            r = sheets.grade(f, value)
            for name, delta in r.effects.scores if r else ():
                if name in self.exact_pos:
                    i = self.exact_pos[name]
                    d = self.exact[i]
                    exact[i] = d.clamp(exact[i] + delta)
                elif name in self.loose_pos:
                    loose_deltas.append((self.loose_pos[name], delta))
            for name, v in r.effects.sets if r else ():
                if name in self.var_pos:
                    vars_[self.var_pos[name]] = v
        return (node.id, tuple(exact), tuple(vars_), ledger, once, moves), tuple(loose_deltas)


def _sheet_of(node: Node) -> Sheet:
    sheet = node.sheet
    if sheet is None:
        raise engine.ContentError(said("node `%(node)s` has no sheet", node=node.id))
    return sheet


def _node_of(scenario: Scenario, state: State) -> Node:
    """A state's node: states are only made for nodes that exist (gotos and choices are
    checked against the scenario's nodes before anything is played)."""
    node = scenario.node(state[0])
    if node is None:
        raise engine.ContentError(said("no node `%(node)s`", node=state[0]))
    return node


def _settle(comp: _Compiled, state: State, visit: Visit | None = None) -> State:
    """Pass through text-less goto nodes, as the engine does; `visit(state)` sees each node's
    state on the way (rounds.check reads the routers' conditions there)."""
    scenario = comp.scenario
    for _ in range(engine.MAX_HOPS):
        node = scenario.node(state[0])
        if node is None:
            raise engine.ContentError(said("`%(node)s` is not a node", node=state[0]))
        if visit is not None:
            visit(state)
        if not node.is_router:
            return state
        state = (_goto(comp, state, node),) + state[1:]
    raise engine.ContentError(said("gotos loop through `%(node)s` without stopping", node=state[0]))


def _goto(comp: _Compiled, state: State, node: Node) -> str:
    known = comp.known(state)
    goto = engine.first_route(
        node.sheet.routes if node.sheet else node.gotos, lambda source: comp.holds(source, known)
    )
    if goto is None:
        raise engine.ContentError(
            said("no goto of node `%(node)s` (line %(line)s) applies", node=node.id, line=node.line)
        )
    return goto.target


def successors(
    comp: _Compiled, state: State, node: Node, visit: Visit | None = None
) -> list[tuple[int | None, State, State]]:
    """The moves from a (settled, non-ending) state, as quicktest explores them: (the choice's
    0-based index in the node, or None for Continue; the next settled state; the loose-score
    deltas). The compiled twin of engine.offered_choices + step / continue_ (a differential
    test holds them together: tests/content/test_engine_agreement.py)."""
    out: list[tuple[int | None, State, State]] = []
    if node.sheet is not None:  # a sheet: each sampled set of figures, by position
        for k, figures in enumerate(comp.sheet_samples(node)):
            written, loose = comp.write_sheet(state, node, figures)
            out.append((k, _settle(comp, (_goto(comp, written, node),) + written[1:], visit), loose))
        return out
    if node.gotos:  # a goto node with text: Continue
        return [(None, _settle(comp, (_goto(comp, state, node),) + state[1:], visit), ())]
    known = comp.known(state)
    if node.signals:
        return _signal_moves(comp, state, node, known)
    for i, _choice in engine.shown(node, state[4], lambda source: comp.holds(source, known)):
        nxt, loose = comp.apply(state, node, i)
        out.append((i, _settle(comp, nxt, visit), loose))
    return out


def _signal_moves(
    comp: _Compiled, state: State, node: Node, known: dict[str, Any]
) -> list[tuple[int | None, State, State]]:
    """A signal-picking node: every pick the rep can submit (each non-empty subset of at most
    signals.MAX_ITEMS observations), reduced to the readings they lead to; a reading's effects
    do not depend on the pick, so one move per reading taken covers them all."""
    taken: list[int] = []
    for pick in signal_picking.subsets(node):
        counts = signal_picking.counts(signal_picking.grade(node, pick))
        try:

            def holds(source: str, n: dict[str, Any] = counts) -> bool:
                return comp.holds(source, {**known, **n})

            index = signal_picking.reading(node, holds)
        except signal_picking.NoReading as exc:
            raise engine.ContentError(
                said(
                    "%(reason)s (picking items %(items)s)",
                    reason=exc.args[0],
                    items=", ".join(str(i + 1) for i in pick),
                )
            ) from None
        if index not in taken:
            taken.append(index)
    out: list[tuple[int | None, State, State]] = []
    for i in sorted(taken):
        nxt, loose = comp.apply(state, node, i)
        out.append((i, _settle(comp, nxt), loose))
    return out


def quicktest(scenario: Scenario) -> QuickReport:
    report = QuickReport(scenario.id)
    try:
        comp = _Compiled(scenario)
        start = _settle(comp, comp.start())
    except (engine.ContentError, expressions.ExprError) as exc:
        report.failures.append(said("cannot start: %(exc)s", exc=exc))
        return report
    edges: Edges = {}
    taken: set[tuple[str, int]] = set()
    depth = {start: 0}
    queue = deque([start])
    too_long = False
    while queue:
        state = queue.popleft()
        node = _node_of(scenario, state)
        out: list[tuple[State, State]] = []
        edges[state] = out
        if node.is_ending:
            continue
        if depth[state] >= MAX_STEPS:
            too_long = True
            continue
        try:
            moves = successors(comp, state, node)
            nexts = [(nxt, loose) for _i, nxt, loose in moves]
            taken.update((node.id, i) for i, _nxt, _loose in moves if i is not None and node.sheet is None)
            if not node.gotos:
                if not nexts:
                    report.failures.append(
                        said(
                            "every choice of `%(node)s` (line %(node_line)s) is hidden in a "
                            "reachable state: %(describe)s",
                            node=node.id,
                            node_line=node.line,
                            describe=_describe(comp, state),
                        )
                    )
        except (engine.ContentError, expressions.ExprError) as exc:
            report.failures.append(
                said(
                    "at `%(node)s` (line %(node_line)s): %(exc)s",
                    node=node.id,
                    node_line=node.line,
                    exc=exc,
                )
            )
            continue
        for nxt, loose in nexts:
            out.append((nxt, loose))
            if nxt not in depth:
                depth[nxt] = depth[state] + 1
                if len(depth) > MAX_STATES:
                    report.failures.append(
                        said(
                            "more than %(MAX_STATES)s distinct states; simplify the scores or loops",
                            MAX_STATES=format(MAX_STATES, ","),
                        )
                    )
                    return report
                queue.append(nxt)
    report.states = len(edges)
    report.transitions = sum(len(v) for v in edges.values())
    if too_long:
        report.failures.append(
            said(
                "a path is longer than %(MAX_STEPS)s steps (a loop that never settles?)",
                MAX_STEPS=MAX_STEPS,
            )
        )
    _check_choices(scenario, taken, report)
    order, comp_of = _sccs(edges)
    _check_loops(scenario, edges, order, comp_of, report)
    _count_paths(comp, edges, order, comp_of, start, report)
    _check_verdicts(comp, edges, report)
    _check_best_play(comp, edges, start, report)
    return report


MAX_FRONTIER = 100_000  # score vectors kept across all states before the top share is given up


def _top_share(comp: _Compiled, edges: Edges, start: State) -> float | None:
    """The highest share of the scores any path ends with, exactly: the loose scores each state
    can be reached with are propagated as a set of vectors no other vector beats on every score
    (clamping is monotone, so a beaten vector never ends higher), then every ending is scored."""
    frontier: dict[State, list[tuple[Any, ...]]] = {start: [tuple(d.start for d in comp.loose)]}
    work, queued, kept = deque([start]), {start}, 1
    while work:
        s = work.popleft()
        queued.discard(s)
        for t, deltas in edges.get(s, []):
            vectors = frontier.setdefault(t, [])
            changed = False
            for vec in list(frontier[s]):
                v = list(vec)
                for i, delta in deltas:
                    d = comp.loose[i]
                    v[i] = d.clamp(v[i] + delta)
                new = tuple(v)
                if any(all(a >= b for a, b in zip(old, new, strict=True)) for old in vectors):
                    continue
                vectors[:] = [
                    old for old in vectors if not all(b >= a for a, b in zip(old, new, strict=True))
                ]
                vectors.append(new)
                changed, kept = True, kept + 1
            if kept > MAX_FRONTIER:
                return None
            if changed and t not in queued:
                queued.add(t)
                work.append(t)
    scenario, top = comp.scenario, None
    for s, vectors in frontier.items():
        if not _node_of(scenario, s).is_ending:
            continue
        exact = dict(zip((d.name for d in comp.exact), s[1], strict=True))
        for vec in vectors:
            share = engine.share(
                scenario, {**exact, **dict(zip((d.name for d in comp.loose), vec, strict=True))}
            )
            top = share if top is None else max(top, share)
    return top


def _check_best_play(comp: _Compiled, edges: Edges, start: State, report: QuickReport) -> None:
    """Percent is measured against best play (engine.best_share); a path that ends higher means
    the ratings and the scores disagree somewhere: said, so the author can look."""
    report.top_share = _top_share(comp, edges, start)
    if report.top_share is None:
        return
    best = engine.best_share(comp.scenario)
    if report.top_share > best + 1e-9:
        report.notes.append(
            said(
                "a path ends with more of the scores than best play "
                "(%(report_top_share)s against %(best)s of the declared maxima): it "
                "scores 100%% too; check the ratings",
                report_top_share=format(report.top_share, ".0%"),
                best=format(best, ".0%"),
            )
        )


# An ending's outcome names a verdict the trainee reads in its headline and debrief: a win, or
# a walk-away that was right, must pass on every path that reaches it; a loss must fail.
PASSING_OUTCOMES = ("win", "walk-away-won")
FAILING_OUTCOMES = ("loss",)


def _outcome_verdict(outcome: str) -> bool | None:
    if outcome in PASSING_OUTCOMES or outcome == "win" or outcome.startswith("win-"):
        return True
    if outcome.startswith(FAILING_OUTCOMES):
        return False
    return None


def _check_verdicts(comp: _Compiled, edges: Edges, report: QuickReport) -> None:
    """Every ending agrees with pass/fail on every path: the same ending never passes on one
    path and fails on another, and its outcome (win, loss...) says what the verdict is."""
    scenario = comp.scenario
    verdicts: dict[str, set[bool]] = {}
    for s in edges:
        node = _node_of(scenario, s)
        if not node.is_ending:
            continue
        known = comp.known(s)
        try:
            ok = comp.holds(scenario.pass_expr, known) if scenario.pass_expr else known["percent"] >= 60
        except (KeyError, expressions.ExprError) as exc:
            report.failures.append(
                said(
                    "cannot judge ending `%(node)s`: %(exc)s",
                    node=node.id,
                    exc=exc,
                )
            )
            return
        verdicts.setdefault(node.id, set()).add(bool(ok))
    for node_id, seen in verdicts.items():
        node = _node_of(scenario, (node_id,))
        if len(seen) > 1:
            report.failures.append(
                said(
                    "ending `%(node_id)s` (line %(node_line)s) passes on some paths and "
                    "fails on others: its debrief cannot be right on both; route them to "
                    "different endings",
                    node_id=node_id,
                    node_line=node.line,
                )
            )
            continue
        want = _outcome_verdict(node.end or "")
        if want is not None and want not in seen:
            report.failures.append(
                said(
                    "ending `%(node_id)s` (line %(node_line)s) is a `%(node_end)s` but "
                    "%(value)s on every path that reaches it",
                    node_id=node_id,
                    node_line=node.line,
                    node_end=node.end,
                    value=said("fails") if want else said("passes"),
                )
            )


def _describe(comp: _Compiled, state: State) -> str:
    known = comp.known(state)
    known.pop("percent", None)
    return ", ".join(f"{k}={engine.show(v)}" for k, v in known.items()) or "(no values)"


def _check_choices(scenario: Scenario, taken: set[tuple[str, int]], report: QuickReport) -> None:
    reached = {n for n, _ in taken}
    for node in scenario.nodes:
        if scenario.node(node.id) is not node or node.gotos or node.is_ending:
            continue
        for i, choice in enumerate(node.choices):
            if (node.id, i) not in taken:
                where = (
                    "" if node.id in reached else said(" (node `%(node)s` is never reached)", node=node.id)
                )
                report.failures.append(
                    said(
                        "choice %(value)s of `%(node)s` (line %(choice_line)s) is never "
                        "offered on any path%(where)s",
                        value=i + 1,
                        node=node.id,
                        choice_line=choice.line,
                        where=where,
                    )
                )


def _sccs(edges: Edges) -> tuple[list[list[State]], dict[State, int]]:
    """Tarjan's strongly connected components, iteratively; sinks come first."""
    index: dict[State, int] = {}
    low: dict[State, int] = {}
    on_stack: set[State] = set()
    stack: list[State] = []
    order: list[list[State]] = []
    comp_of: dict[State, int] = {}
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = edges.get(v, [])
            recurse = False
            while i < len(succ):
                w = succ[i][0]
                i += 1
                if w not in index:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp_of[w] = len(order)
                    members.append(w)
                    if w == v:
                        break
                order.append(members)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return order, comp_of


def _check_loops(
    scenario: Scenario, edges: Edges, order: list[list[State]], comp_of: dict[State, int], report: QuickReport
) -> None:
    for c, members in enumerate(order):
        looping = len(members) > 1 or any(t == members[0] for t, _ in edges.get(members[0], []))
        if not looping:
            continue
        exits = any(comp_of[t] != c for m in members for t, _ in edges.get(m, []))
        nodes = sorted({m[0] for m in members})
        if not exits:
            report.failures.append(
                said(
                    "a path never ends: play loops through %(names)s with no way to an ending",
                    names=", ".join(nodes),
                )
            )
        else:
            report.notes.append(
                said(
                    "play can loop through %(names)s (paths counted without repeats)",
                    names=", ".join(nodes),
                )
            )


def _count_paths(
    comp: _Compiled,
    edges: Edges,
    order: list[list[State]],
    comp_of: dict[State, int],
    start: State,
    report: QuickReport,
) -> None:
    scenario = comp.scenario
    # Paths to each ending, by DP over the components (sinks first). Edges inside a
    # component (a loop) are not followed again, so loops are counted once.
    paths: dict[State, Counter[Any]] = {}
    for c, members in enumerate(order):
        for s in members:
            node = _node_of(scenario, s)
            counts: Counter[Any] = Counter()
            if node.is_ending:
                counts[s[0]] = 1
            else:
                for t, _ in edges.get(s, []):
                    if comp_of[t] != c:
                        counts.update(paths[t])
            paths[s] = counts
    total = paths.get(start, Counter())
    report.paths = sum(total.values())
    # Score ranges: exact scores from the ending states, loose ones by interval propagation.
    lo = {start: [d.start for d in comp.loose]}
    hi = {start: [d.start for d in comp.loose]}
    work = deque([start])
    queued = {start}
    while work:
        s = work.popleft()
        queued.discard(s)
        for t, deltas in edges.get(s, []):
            new_lo, new_hi = list(lo[s]), list(hi[s])
            for i, delta in deltas:
                d = comp.loose[i]
                new_lo[i] = d.clamp(new_lo[i] + delta)
                new_hi[i] = d.clamp(new_hi[i] + delta)
            if t not in lo:
                lo[t], hi[t] = new_lo, new_hi
                changed = True
            else:
                changed = False
                for i in range(len(new_lo)):
                    if new_lo[i] < lo[t][i]:
                        lo[t][i] = new_lo[i]
                        changed = True
                    if new_hi[i] > hi[t][i]:
                        hi[t][i] = new_hi[i]
                        changed = True
            if changed and t not in queued:
                queued.add(t)
                work.append(t)
    for node in scenario.nodes:
        if node.is_ending and scenario.node(node.id) is node:
            report.endings[node.id] = {
                "outcome": node.end,
                "paths": total.get(node.id, 0),
                "line": node.line,
                "scores": {},
            }
    for s in edges:
        node = _node_of(scenario, s)
        if not node.is_ending or s not in lo:
            continue
        ranges = report.endings[s[0]]["scores"]
        for d, v in zip(comp.exact, s[1], strict=True):
            _widen(ranges, d.name, v, v)
        for i, d in enumerate(comp.loose):
            _widen(ranges, d.name, lo[s][i], hi[s][i])
    for node_id, info in report.endings.items():
        if info["paths"] == 0:
            report.notes.append(
                said(
                    "ending `%(node_id)s` (line %(info)s) is never reached",
                    node_id=node_id,
                    info=info["line"],
                )
            )
        # keep the declared order of scores
        info["scores"] = {d.name: info["scores"][d.name] for d in scenario.scores if d.name in info["scores"]}


def _widen(ranges: dict[str, tuple[float, float]], name: str, low: float, high: float) -> None:
    if name in ranges:
        a, b = ranges[name]
        ranges[name] = (min(a, low), max(b, high))
    else:
        ranges[name] = (low, high)


# --- playing with the engine --------------------------------------------------------------


@dataclass
class Game:
    state: dict[str, Any]
    path: list[tuple[str, int | None]]  # (node, choice index) of every choice taken
    error: str | None = None

    @property
    def ended(self) -> bool:
        return bool(self.state.get("finished"))


def play(
    scenario: Scenario,
    pick: Pick,
    max_steps: int = MAX_STEPS,
    pick_items: Callable[[Node], Any] | None = None,
) -> Game:
    """Play from start, `pick(offered) -> position in offered` at each node, and at a
    signal-picking node `pick_items(node) -> 0-based items ticked` (by default the right
    signals for best_pick, the wrong ones for lowest_pick)."""
    if pick_items is None:
        pick_items = signal_picking.wrong_items if pick is lowest_pick else signal_picking.right_items
    try:
        state = engine.start_state(scenario)
    except engine.EngineError as exc:
        return Game({}, [], exc.args[0] if exc.args else str(exc))  # said, for the studio
    path: list[tuple[str, int | None]] = []
    try:
        for _ in range(max_steps):
            if state.get("finished"):
                return Game(state, path)
            if engine.needs_continue(scenario, state):
                state, _ = engine.continue_(scenario, state)
                continue
            node = engine.current_node(scenario, state)
            if node.signals:
                state, outcome = engine.pick_signals(scenario, state, pick_items(node))
                path.append((node.id, outcome.choice_index))
                continue
            if node.sheet is not None:
                state, _ = engine.submit_sheet(scenario, state, pick_figures(node, pick))
                continue
            offered = engine.offered_choices(scenario, state)
            if not offered:
                return Game(
                    state,
                    path,
                    said(
                        "every choice of `%(state)s` is hidden",
                        state=state["node"],
                    ),
                )
            k = pick(offered)
            path.append((state["node"], offered[k][0]))
            state, _ = engine.step(scenario, state, k + 1)
    except engine.EngineError as exc:
        return Game(state, path, exc.args[0] if exc.args else str(exc))
    if state.get("finished"):
        return Game(state, path)
    return Game(
        state,
        path,
        said(
            "no ending after %(max_steps)s steps",
            max_steps=max_steps,
        ),
    )


def pick_figures(node: Node, pick: Pick) -> dict[str, Any]:
    """The figures a picker writes on a sheet: for each field, the middle of the range it
    picks among the field's ranges (offered like choices: ranges carry ratings too)."""
    out = {}
    for f in _sheet_of(node).fields:
        options = sheets.samples(f, exact=False)
        k = pick([(i, r) for i, (_v, r) in enumerate(options)])
        out[f.name] = options[k][0]
    return out


def _rank(choice: Any) -> int:
    return RATING_ORDER.get(choice.effects.rating or "ok", 2)


def best_pick(offered: Offered) -> int:
    return min(range(len(offered)), key=lambda k: _rank(offered[k][1]))  # ties: first


def lowest_pick(offered: Offered) -> int:
    return min(range(len(offered)), key=lambda k: -_rank(offered[k][1]))  # ties: first


def invariants(scenario: Scenario) -> list[str]:
    failures: list[str] = []
    for name, pick, must_pass in (
        (said("best-rated"), best_pick, True),
        (said("lowest-rated"), lowest_pick, False),
    ):
        game = play(scenario, pick)
        if game.error:
            failures.append(
                said(
                    "always taking the %(name)s choice: %(game_error)s",
                    name=name,
                    game_error=game.error,
                )
            )
            continue
        ok = engine.passed(scenario, game.state)
        if ok != must_pass:
            failures.append(
                said(
                    "always taking the %(name)s choice %(value)s (ends at `%(game_state)s`, %(percent)s%%)",
                    name=name,
                    value=said("fails") if must_pass else said("passes"),
                    game_state=game.state["node"],
                    percent=engine.percent(scenario, game.state),
                )
            )
    return failures


def scripted(scenario: Scenario) -> list[str]:
    failures: list[str] = []
    for test in scenario.tests:
        where = said("test on line %(line)s (choose %(choose)s)", line=test.line, choose=list(test.choose))
        try:
            state = engine.start_state(scenario)
            for n in test.choose:
                while engine.needs_continue(scenario, state):
                    state, _ = engine.continue_(scenario, state)
                state = _scripted_move(scenario, state, n)
            while engine.needs_continue(scenario, state):
                state, _ = engine.continue_(scenario, state)
        except engine.EngineError as exc:
            failures.append(said("%(where)s: %(exc)s", where=where, exc=exc))
            continue
        failures += [f"{where}: {p}" for p in _expectations(scenario, state, test.expect)]
    return failures


def _scripted_move(scenario: Scenario, state: dict[str, Any], entry: Any) -> dict[str, Any]:
    """One entry of `choose`: a choice number, a sheet's figures, or at a signal-picking node
    the list of item numbers (1-based, in source order) ticked."""
    node = engine.current_node(scenario, state)
    if node.signals and not state.get("finished"):
        if not isinstance(entry, tuple):
            raise engine.ChoiceNotOffered(
                said(
                    "`%(node)s` asks for signals: give the item numbers picked, like [1, 3], not %(entry)s",
                    node=node.id,
                    entry=entry,
                )
            )
        return engine.pick_signals(scenario, state, [n - 1 for n in entry])[0]
    if isinstance(entry, tuple):
        raise engine.ChoiceNotOffered(
            said(
                "`%(node)s` is not a signal-picking node: give a choice number, not %(entry)s",
                node=node.id,
                entry=list(entry),
            )
        )
    if isinstance(entry, dict):
        return engine.submit_sheet(scenario, state, entry)[0]
    return engine.step(scenario, state, entry)[0]


def _expectations(scenario: Scenario, state: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    known = engine.values(scenario, state)
    for key, want in expect.items():
        if key == "node":
            if state["node"] != want:
                problems.append(
                    said(
                        "expected node `%(want)s`, reached `%(state)s`",
                        want=want,
                        state=state["node"],
                    )
                )
        elif key == "outcome":
            if state.get("outcome") != want:
                problems.append(
                    said(
                        "expected outcome `%(want)s`, got `%(get)s`",
                        want=want,
                        get=state.get("outcome"),
                    )
                )
        elif key == "passed":
            got = state.get("finished") and engine.passed(scenario, state)
            if bool(got) != bool(want):
                problems.append(
                    said(
                        "expected passed: %(want)s, got %(bool)s",
                        want=want,
                        bool=bool(got),
                    )
                )
        elif key in known and isinstance(want, list) and len(want) == 2:
            if not want[0] <= known[key] <= want[1]:
                problems.append(
                    said(
                        "expected %(key)s in [%(want)s, %(want2)s], got %(show)s",
                        key=key,
                        want=want[0],
                        want2=want[1],
                        show=engine.show(known[key]),
                    )
                )
        else:
            problems.append(said("cannot check `%(key)s: %(want)s`", key=key, want=want))
    return problems


@dataclass
class RandomReport:
    games: int
    seed: int
    node_visits: Counter[str] = field(default_factory=Counter)
    choice_visits: Counter[tuple[str, int]] = field(default_factory=Counter)  # (node, 1-based index) -> count
    endings: Counter[str] = field(default_factory=Counter)
    passes: int = 0
    failures: list[str] = field(default_factory=list)


def randomtest(scenario: Scenario, games: int, seed: int = 0) -> RandomReport:
    rng = random.Random(seed)
    report = RandomReport(games, seed)
    for _ in range(games):
        game = play(
            scenario,
            lambda offered: rng.randrange(len(offered)),
            pick_items=lambda node: signal_picking.random_items(node, rng),
        )
        for node, index in game.path:
            assert index is not None  # a choice's or a reading's position
            report.node_visits[node] += 1
            report.choice_visits[(node, index + 1)] += 1
        if game.error:
            if len(report.failures) < 10:
                report.failures.append(said("random game: %(game_error)s", game_error=game.error))
            continue
        report.node_visits[game.state["node"]] += 1
        report.endings[game.state["node"]] += 1
        report.passes += engine.passed(scenario, game.state)
    return report


# --- all together -------------------------------------------------------------------------


@dataclass
class PlayReport:
    scenario: Scenario
    quick: QuickReport
    scripted: list[str]
    invariants: list[str]
    random: RandomReport | None = None

    @property
    def failures(self) -> list[str]:
        out = self.quick.failures + self.scripted + self.invariants
        return out + (self.random.failures if self.random else [])

    @property
    def ok(self) -> bool:
        return not self.failures


def test_scenario(scenario: Scenario, games: int = 0, seed: int = 0) -> PlayReport:
    return PlayReport(
        scenario,
        quicktest(scenario),
        scripted(scenario),
        invariants(scenario),
        randomtest(scenario, games, seed) if games else None,
    )


def format_report(report: PlayReport) -> str:
    s = report.scenario
    q = report.quick
    lines = [
        f"{s.path or s.id}: {'ok' if report.ok else 'FAILED'}",
        f"  quicktest: {q.states} states, {q.transitions} transitions, {q.paths} paths",
    ]
    for node_id, info in q.endings.items():
        ranges = ", ".join(f"{k} {_num(a)}..{_num(b)}" for k, (a, b) in info["scores"].items())
        lines.append(f"    {node_id} ({info['outcome']}): {info['paths']} paths; {ranges}")
    lines.append(f"  scripted tests: {len(s.tests)}, invariants: best-rated passes, lowest-rated fails")
    if report.random:
        r = report.random
        rate = 100 * r.passes / r.games if r.games else 0
        lines.append(f"  randomtest: {r.games} games (seed {r.seed}), pass rate {rate:.0f}%")
        for node_id, n in sorted(r.endings.items(), key=lambda kv: -kv[1]):
            lines.append(f"    ending {node_id}: {n}")
        for node in s.nodes:
            if node.choices:
                counts = " ".join(
                    f"{i + 1}:{r.choice_visits.get((node.id, i + 1), 0)}" for i in range(len(node.choices))
                )
                lines.append(f"    {node.id}: visited {r.node_visits.get(node.id, 0)}; choices {counts}")
    for note in q.notes:
        lines.append(f"  note: {note}")
    for failure in report.failures:
        lines.append(f"  FAIL: {failure}")
    return "\n".join(lines)


def _num(v: Any) -> str:
    return engine.show(v)
