"""Testing a scenario by playing it, after ChoiceScript's quicktest and randomtest.

quicktest explores every distinct state reachable from `start` once (memoised), so a
scenario with many branches stays fast: paths are counted by dynamic programming over the
state graph, never enumerated. Scores that no `if` or `goto` reads cannot change where play
goes, so they are left out of the state and their range per ending is propagated as an
interval instead (clamping is monotone, so the interval is exact). This keeps the state
space about the size of the node graph for typical scenarios.

Scores that are read (by routing or `pass:`) stay exact, and the states multiply by every
value they can take. When no choice's `if` reads one, the states that differ only in their
exact scores are explored together (_quick_by_control): one set of score vectors carried along
each move, the move worked out once for the rest of the state. Anything else, and any scenario
where a state finds a fault, is explored state by state (_quick_by_state), with the same results.
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
from .model import Goto, Node, Scenario, Sheet, said

# A play-tester state: (node, exact scores, variables, ledger, loose-score marks, moves), hashable.
State = tuple[Any, ...]
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
        # Quicktest evaluates the same few conditions at thousands of states that differ only
        # in values the conditions do not read: each condition's result is kept per the state
        # parts it reads (_state_reads), and each choice's effects are compiled once (_Move).
        self._verdicts: dict[tuple[str, tuple[Any, ...]], bool | expressions.ExprError] = {}
        self._readers: dict[str, tuple[tuple[int, int | None], ...] | None] = {}
        self._names: dict[str, tuple[str, ...]] = {}  # a source -> the names its readers stand for
        self._zeros = {f"given_{n}": 0 for n in scenario.negotiation.concessions}
        self._zeros.update({f"got_{n}": 0 for n in scenario.negotiation.counterparts})
        self._moves: dict[tuple[str, int], _Move] = {}
        self._shown: dict[str, list[_Move]] = {}
        self._route_reads: dict[str, tuple[tuple[int, int | None], ...] | None] = {}
        self._routes: dict[tuple[str, tuple[Any, ...]], Goto | None | expressions.ExprError] = {}
        self._scored: dict[tuple[tuple[int, float], ...], dict[tuple[Any, ...], tuple[Any, ...]]] = {}
        self.routers = {n.id for n in scenario.nodes if scenario.node(n.id) is n and n.is_router}
        self.stops = {n.id for n in scenario.nodes if n.id not in self.routers}  # nodes play stops at

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

    def _state_reads(self, source: str) -> tuple[tuple[int, int | None], ...] | None:
        """Where in a state the names `source` reads live, as (part, position) with position
        None for the whole part (percent reads every exact score), in known()'s precedence;
        a name no state holds (a given_/got_ default, an unknown name) reads no part. None
        when the source does not parse (holds_at then lets known() and holds say why)."""
        if source in self._readers:
            return self._readers[source]
        try:
            names = set(expressions.names(expressions.parse(source)))
        except expressions.ExprError:
            self._readers[source] = None
            return None
        moves = {f"{fn}({name})": i for name, i in self.move_pos.items() for fn in expressions.MOVE_FUNCTIONS}
        parts: list[tuple[int, int | None]] = []
        read: list[str] = []
        for name in sorted(names):
            if name == "percent" and len(self.exact) == len(self.scenario.scores):
                parts.append((1, None))
            elif name in self.ledger_pos:
                parts.append((3, self.ledger_pos[name]))
            elif name in self.exact_pos:
                parts.append((1, self.exact_pos[name]))
            elif name in moves:
                parts.append((5, moves[name]))
            elif name in self.var_pos:
                parts.append((2, self.var_pos[name]))
            else:
                continue
            read.append(name)
        self._readers[source] = readers = tuple(parts)
        if all(i is not None and p != 5 for p, i in readers):
            self._names[source] = tuple(read)
        return readers

    def _known_of(self, source: str, values: tuple[Any, ...], state: State) -> dict[str, Any]:
        """What known(state) gives the names `source` reads, from their values in the state
        (_project) and the ledger's zeros; known(state) itself when `source` reads percent or
        a move function (worked out from the state, not read from it)."""
        names = self._names.get(source)
        if names is None:
            return self.known(state)
        out = dict(self._zeros)
        out.update(zip(names, values, strict=True))
        return out

    def holds_at(self, source: str, state: State) -> bool:
        """holds(source, known(state)), kept per the values the source reads: the same
        answer, or the same ExprError, without rebuilding known() at every state."""
        readers = self._state_reads(source)
        if readers is None:
            return self.holds(source, self.known(state))
        values = _project(readers, state)
        key = (source, values)
        verdict = self._verdicts.get(key)
        if verdict is None:
            try:
                verdict = self.holds(source, self._known_of(source, values, state))
            except expressions.ExprError as exc:
                verdict = exc
            self._verdicts[key] = verdict
        if isinstance(verdict, expressions.ExprError):
            raise verdict
        return verdict

    def route(self, node: Node, state: State) -> Goto | None:
        """engine.first_route of a goto or sheet node at `state`, kept per node and the values
        its conditions read (a router is passed by thousands of states)."""
        gotos = node.sheet.routes if node.sheet else node.gotos
        if node.id not in self._route_reads:
            reads = [self._state_reads(g.condition) for g in gotos if g.condition]
            self._route_reads[node.id] = (
                None
                if any(r is None for r in reads)
                else tuple(dict.fromkeys(p for r in reads if r for p in r))
            )
        readers = self._route_reads[node.id]
        if readers is None:
            return engine.first_route(gotos, lambda source: self.holds_at(source, state))
        key = (node.id, _project(readers, state))
        if key not in self._routes:
            try:
                self._routes[key] = engine.first_route(gotos, lambda source: self.holds_at(source, state))
            except expressions.ExprError as exc:
                self._routes[key] = exc
        goto = self._routes[key]
        if isinstance(goto, expressions.ExprError):
            raise goto
        return goto

    def move(self, node: Node, index: int) -> _Move:
        key = (node.id, index)
        m = self._moves.get(key)
        if m is None:
            m = self._moves[key] = _Move(self, node, index)
        return m

    def scored(self, deltas: tuple[tuple[int, float], ...]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """The exact scores before -> after `deltas`, one table for every move making them."""
        return self._scored.setdefault(deltas, {})

    def shown_moves(self, node: Node, state: State) -> list[_Move]:
        """The moves of the choices a choice node shows at `state` (engine.shown), kept per
        node when no choice has an `if` or `once`: then every state shows the same."""
        moves = self._shown.get(node.id)
        if moves is None:
            moves = [
                self.move(node, i)
                for i, _choice in engine.shown(node, state[4], lambda source: self.holds_at(source, state))
            ]
            if not any(c.effects.once or c.effects.condition is not None for c in node.choices):
                self._shown[node.id] = moves
        return moves

    def apply(self, state: State, node: Node, index: int) -> tuple[State, State]:
        """The state after a choice, and the loose-score deltas to propagate."""
        return self.move(node, index).apply(state)

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


def _project(readers: tuple[tuple[int, int | None], ...], state: State) -> tuple[Any, ...]:
    """The values at `readers` (_Compiled._state_reads) in a state."""
    return tuple(state[p] if i is None else state[p][i] for p, i in readers)


class _Move:
    """One choice's effects compiled against a _Compiled state's layout: which exact scores,
    variables, ledger entries and moves it changes, so that taking it at a state rebuilds only
    the parts it changes (and the clamped scores once per score vector)."""

    __slots__ = ("index", "target", "dims", "exact", "loose", "sets", "ledger", "moves", "once", "_scored")

    def __init__(self, comp: _Compiled, node: Node, index: int):
        choice = node.choices[index]
        e = choice.effects
        self.index = index
        self.target = choice.target
        self.dims = comp.exact
        self.exact = tuple((comp.exact_pos[n], delta) for n, delta in e.scores if n in comp.exact_pos)
        self.loose = tuple(
            (comp.loose_pos[n], delta)
            for n, delta in e.scores
            if n not in comp.exact_pos and n in comp.loose_pos
        )
        self.sets = tuple((comp.var_pos[n], value) for n, value in e.sets if n in comp.var_pos)
        # gives before gets, in source order: the same sums as the engine's, to the last bit
        self.ledger = tuple(
            (comp.ledger_pos[key], t.amount)
            for key, t in [(f"given_{t.name}", t) for t in e.gives] + [(f"got_{t.name}", t) for t in e.gets]
            if key in comp.ledger_pos
        )
        moves = []
        for name in comp.move_names:  # one move per step and concession, as the engine
            amount = sum(t.amount for t in e.gives if t.name == name)
            if amount > 0:
                moves.append((comp.move_pos[name], amount))
        self.moves = tuple(moves)
        self.once = engine.once_key(node, index) if e.once else None
        # exact scores before -> after, shared by the moves that change the scores alike
        self._scored = comp.scored(self.exact)

    def score(self, exact: tuple[Any, ...]) -> tuple[Any, ...]:
        """The exact scores after the move, each clamped to its bounds (kept: the same
        scores reach a node under many controls)."""
        after = self._scored.get(exact)
        if after is None:
            scores = list(exact)
            for i, delta in self.exact:
                scores[i] = self.dims[i].clamp(scores[i] + delta)
            after = self._scored[exact] = tuple(scores)
        return after

    def scores(self, exacts: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """score() of each, in one loop."""
        scored = self._scored
        return [scored[v] if v in scored else self.score(v) for v in exacts]

    def apply(self, state: State) -> tuple[State, State]:
        _, exact, vars_, ledger, once, moves = state
        exact = self.score(exact)
        if self.sets:
            values = list(vars_)
            for i, value in self.sets:
                values[i] = value
            vars_ = tuple(values)
        if self.ledger:
            amounts = list(ledger)
            for i, amount in self.ledger:
                amounts[i] += amount
            ledger = tuple(amounts)
        if self.moves:
            made = list(moves)
            for i, amount in self.moves:
                made[i] += (amount,)
            moves = tuple(made)
        if self.once is not None:
            once = tuple(sorted(set(once) | {self.once}))
        return (self.target, exact, vars_, ledger, once, moves), self.loose


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
        if node.id not in comp.routers:
            return state
        state = (_goto(comp, state, node),) + state[1:]
    raise engine.ContentError(said("gotos loop through `%(node)s` without stopping", node=state[0]))


def _goto(comp: _Compiled, state: State, node: Node) -> str:
    goto = comp.route(node, state)
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
    if node.signals:
        return _signal_moves(comp, state, node, comp.known(state))
    for m in comp.shown_moves(node, state):
        nxt, loose = m.apply(state)
        # a move onto a node play stops at is settled already
        out.append(
            (m.index, nxt if visit is None and m.target in comp.stops else _settle(comp, nxt, visit), loose)
        )
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


@dataclass
class _StateGraph:
    """What quicktest explored: every distinct state by number, in the order found (breadth
    first from the start, which is number 0), and each one's moves as the numbers of the
    states they lead to, with their loose-score deltas. Numbers, not the states themselves,
    so that the passes over the graph do not hash nested tuples at every step."""

    states: list[State] = field(default_factory=list)
    targets: list[list[int]] = field(default_factory=list)
    deltas: list[list[State]] = field(default_factory=list)
    ending: list[bool] = field(default_factory=list)


def quicktest(scenario: Scenario) -> QuickReport:
    report = QuickReport(scenario.id)
    try:
        comp = _Compiled(scenario)
        start = _settle(comp, comp.start())
    except (engine.ContentError, expressions.ExprError) as exc:
        report.failures.append(said("cannot start: %(exc)s", exc=exc))
        return report
    if not _quick_by_control(comp, start, report):
        _quick_by_state(comp, start, report)
    return report


def _quick_by_state(comp: _Compiled, start: State, report: QuickReport) -> None:
    """quicktest's exploration one state at a time, breadth first: every finding is said
    here, in the order the states are found."""
    scenario = comp.scenario
    graph = _StateGraph([start])
    states, targets, deltas, ending = graph.states, graph.targets, graph.deltas, graph.ending
    ids = {start: 0}
    depth = [0]
    taken: set[tuple[str, int]] = set()
    too_long = False
    for k, state in enumerate(states):  # grows as states are found: breadth first
        node = _node_of(scenario, state)
        out: list[int] = []
        out_deltas: list[State] = []
        targets.append(out)
        deltas.append(out_deltas)
        ending.append(node.is_ending)
        if node.is_ending:
            continue
        if depth[k] >= MAX_STEPS:
            too_long = True
            continue
        try:
            moves = successors(comp, state, node)
            if node.sheet is None:
                taken.update((node.id, i) for i, _nxt, _loose in moves if i is not None)
            if not node.gotos:
                if not moves:
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
        for _i, nxt, loose in moves:
            j = ids.get(nxt)
            if j is None:
                j = ids[nxt] = len(states)
                states.append(nxt)
                depth.append(depth[k] + 1)
                if len(states) > MAX_STATES:
                    report.failures.append(
                        said(
                            "more than %(MAX_STATES)s distinct states; simplify the scores or loops",
                            MAX_STATES=format(MAX_STATES, ","),
                        )
                    )
                    return
            out.append(j)
            out_deltas.append(loose)
    report.states = len(states)
    report.transitions = sum(len(v) for v in targets)
    if too_long:
        report.failures.append(
            said(
                "a path is longer than %(MAX_STEPS)s steps (a loop that never settles?)",
                MAX_STEPS=MAX_STEPS,
            )
        )
    _check_choices(scenario, taken, report)
    order, comp_of = _sccs(targets)
    _check_loops(graph, order, comp_of, report)
    _count_paths(comp, graph, order, comp_of, report)
    _check_verdicts(comp, graph, report)
    _check_best_play(comp, graph, report)


# A state without its exact scores: what decides which choices show and where they lead, when
# no choice's `if` reads a score (the scores then only route at goto nodes and judge endings).
Control = tuple[Any, ...]
Scores = tuple[Any, ...]  # a state's exact scores


def _quick_by_control(comp: _Compiled, start: State, report: QuickReport) -> bool:
    """quicktest's report, reached by exploring the states of each control part together: the
    exact scores of a control's states are a set carried along its moves in one loop, the
    moves being worked out once per control; paths are counted forward over the controls.
    The same states, transitions and findings as the state-by-state exploration, which
    quicktest falls back to (False, the report untouched) for anything this does not cover:
    loose scores, sheets, signal picks, a choice's `if` reading a score, loops, over-long or
    over-large state spaces, and any state that finds a fault, so that every finding comes
    from one place and in the same order."""
    scenario = comp.scenario
    if comp.loose or any(n.sheet is not None or n.signals for n in scenario.nodes):
        return False
    c0: Control = (start[0],) + start[2:]
    members: dict[Control, dict[Scores, None]] = {c0: {start[1]: None}}
    pending: dict[Control, list[Scores]] = {c0: [start[1]]}
    # Per control, per move: the control every score set moves to and each set's scores
    # there; or, for a move routed by a goto (None), each set's control and scores there.
    outs: dict[Control, list[tuple[Control | None, dict[Scores, Any]]]] = {}
    taken: set[tuple[str, int]] = set()
    arrived: dict[State, State] = {}  # a state moved onto a router -> where play settles
    work = deque([c0])
    count = 1

    def found(c2: Control, scores: list[Scores]) -> None:
        """States reached at control c2: the new ones wait there to be explored."""
        nonlocal count
        known = members.setdefault(c2, {})
        fresh = [v for v in dict.fromkeys(scores) if v not in known]
        if fresh:
            known.update(dict.fromkeys(fresh))
            count += len(fresh)
            if c2 in pending:
                pending[c2] += fresh
            else:
                pending[c2] = fresh
                work.append(c2)

    try:
        while work:
            c = work.popleft()
            new = pending.pop(c)
            node = _node_of(scenario, c)
            if node.is_ending:
                continue
            plan: list[_Move | None]
            if node.gotos:
                plan = [None]  # Continue
            else:
                for ch in node.choices:
                    reads = comp._state_reads(ch.effects.condition) if ch.effects.condition else ()
                    if reads is None or any(part == 1 for part, _ in reads):
                        return False
                shown = comp.shown_moves(node, (c[0], new[0]) + c[1:])
                if not shown:
                    return False  # every choice hidden: said state by state
                taken.update((node.id, m.index) for m in shown)
                plan = list(shown)
            ways = outs.get(c)
            if ways is None:
                ways = outs[c] = []
                for m in plan:
                    if m is not None and m.target in comp.stops:  # one control for every score set
                        ways.append(((m.target,) + m.apply((c[0], new[0]) + c[1:])[0][2:], {}))
                    else:
                        ways.append((None, {}))
            for m, (c2, nexts) in zip(plan, ways, strict=True):
                if c2 is not None and m is not None:
                    scores = m.scores(new)
                    nexts.update(zip(new, scores, strict=True))
                    found(c2, scores)
                    continue
                for v in new:  # routed by a goto: each state its own way
                    state = (c[0], v) + c[1:]
                    nxt = (_goto(comp, state, node),) + state[1:] if m is None else m.apply(state)[0]
                    settled = arrived.get(nxt)
                    if settled is None:
                        settled = arrived[nxt] = _settle(comp, nxt)
                    nexts[v] = way = ((settled[0],) + settled[2:], settled[1])
                    found(way[0], [way[1]])
            if count > MAX_STATES:
                return False
        order = _controls_in_order(outs, c0)
        if order is None:
            return False  # a loop through controls
        steps = dict.fromkeys(order, 0)  # the most moves from the start to each control
        for c in order:
            for c2 in _next_controls(outs.get(c, ())):
                steps[c2] = max(steps[c2], steps[c] + 1)
        if max(steps.values()) >= MAX_STEPS:
            return False  # some path may be longer than MAX_STEPS
        paths: dict[Control, dict[Scores, int]] = {c: {} for c in order}
        paths[c0][start[1]] = 1
        for c in order:
            here = paths[c]
            for c2, nexts in outs.get(c, ()):
                if c2 is not None:
                    there = paths[c2]
                    for v, n in here.items():
                        v2 = nexts[v]
                        there[v2] = there.get(v2, 0) + n
                    continue
                for v, n in here.items():
                    c3, v2 = nexts[v]
                    there = paths[c3]
                    there[v2] = there.get(v2, 0) + n
        # the endings' verdicts: any fault is said by the state-by-state pass
        verdicts: dict[str, set[bool]] = {}
        for c, known in members.items():
            node = _node_of(scenario, c)
            if not node.is_ending:
                continue
            for v in known:
                state = (c[0], v) + c[1:]
                if scenario.pass_expr:
                    ok = comp.holds_at(scenario.pass_expr, state)
                else:
                    ok = comp.known(state)["percent"] >= 60
                verdicts.setdefault(node.id, set()).add(bool(ok))
        for node_id, seen in verdicts.items():
            want = _outcome_verdict(_node_of(scenario, (node_id,)).end or "")
            if len(seen) > 1 or (want is not None and want not in seen):
                return False
    except (engine.ContentError, expressions.ExprError, KeyError):
        return False
    report.states = count
    report.transitions = sum(len(members[c]) * len(ways) for c, ways in outs.items())
    _check_choices(scenario, taken, report)
    for node in scenario.nodes:
        if node.is_ending and scenario.node(node.id) is node:
            report.endings[node.id] = {"outcome": node.end, "paths": 0, "line": node.line, "scores": {}}
    exact_names = [d.name for d in comp.exact]
    top = None
    for c, known in members.items():
        if not _node_of(scenario, c).is_ending:
            continue
        info = report.endings[c[0]]
        info["paths"] += sum(paths[c].values())
        for v in known:
            for name, value in zip(exact_names, v, strict=True):
                _widen(info["scores"], name, value, value)
            share = engine.share(scenario, dict(zip(exact_names, v, strict=True)))
            top = share if top is None else max(top, share)
    report.paths = sum(info["paths"] for info in report.endings.values())
    _close_endings(scenario, report)
    report.top_share = top if count <= MAX_FRONTIER else None
    _judge_top_share(comp, report)
    return True


def _next_controls(ways: Any) -> set[Control]:
    return {c2 for c2, nexts in ways if c2 is not None} | {
        way[0] for c2, nexts in ways if c2 is None for way in nexts.values()
    }


def _controls_in_order(outs: dict[Control, Any], c0: Control) -> list[Control] | None:
    """The controls, each after every control with a move into it; None when they loop."""
    into: dict[Control, int] = {c0: 0}
    ahead: dict[Control, set[Control]] = {}
    for c, ways in outs.items():
        ahead[c] = nxt = _next_controls(ways)
        into.setdefault(c, 0)
        for c2 in nxt:
            into[c2] = into.get(c2, 0) + 1
    order, ready = [], [c for c, n in into.items() if n == 0]
    while ready:
        c = ready.pop()
        order.append(c)
        for c2 in ahead.get(c, ()):
            into[c2] -= 1
            if not into[c2]:
                ready.append(c2)
    return order if len(order) == len(into) else None


MAX_FRONTIER = 100_000  # score vectors kept across all states before the top share is given up


def _top_share(comp: _Compiled, graph: _StateGraph) -> float | None:
    """The highest share of the scores any path ends with, exactly: the loose scores each state
    can be reached with are propagated as a set of vectors no other vector beats on every score
    (clamping is monotone, so a beaten vector never ends higher), then every ending is scored."""
    scenario, states = comp.scenario, graph.states
    exact_names = [d.name for d in comp.exact]
    loose_names = [d.name for d in comp.loose]
    if not comp.loose:  # one empty vector per state, every state being reached from the start
        if len(states) > MAX_FRONTIER:
            return None
        shares = {
            states[s][1]: engine.share(scenario, dict(zip(exact_names, states[s][1], strict=True)))
            for s, end in enumerate(graph.ending)
            if end
        }
        return max(shares.values(), default=None)
    frontier: list[list[tuple[Any, ...]] | None] = [None] * len(states)
    frontier[0] = [tuple(d.start for d in comp.loose)]
    queued = [False] * len(states)
    work, queued[0], kept = deque([0]), True, 1
    while work:
        s = work.popleft()
        queued[s] = False
        for t, deltas in zip(graph.targets[s], graph.deltas[s], strict=True):
            vectors = frontier[t]
            if vectors is None:
                vectors = frontier[t] = []
            changed = False
            for vec in list(frontier[s] or ()):
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
            if changed and not queued[t]:
                queued[t] = True
                work.append(t)
    top = None
    for s, vectors in enumerate(frontier):
        if vectors is None or not graph.ending[s]:
            continue
        exact = dict(zip(exact_names, states[s][1], strict=True))
        for vec in vectors:
            share = engine.share(scenario, {**exact, **dict(zip(loose_names, vec, strict=True))})
            top = share if top is None else max(top, share)
    return top


def _check_best_play(comp: _Compiled, graph: _StateGraph, report: QuickReport) -> None:
    """Percent is measured against best play (engine.best_share); a path that ends higher means
    the ratings and the scores disagree somewhere: said, so the author can look."""
    report.top_share = _top_share(comp, graph)
    _judge_top_share(comp, report)


def _judge_top_share(comp: _Compiled, report: QuickReport) -> None:
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


def _check_verdicts(comp: _Compiled, graph: _StateGraph, report: QuickReport) -> None:
    """Every ending agrees with pass/fail on every path: the same ending never passes on one
    path and fails on another, and its outcome (win, loss...) says what the verdict is."""
    scenario = comp.scenario
    verdicts: dict[str, set[bool]] = {}
    for s, end in zip(graph.states, graph.ending, strict=True):
        if not end:
            continue
        node = _node_of(scenario, s)
        try:
            if scenario.pass_expr:
                ok = comp.holds_at(scenario.pass_expr, s)
            else:
                ok = comp.known(s)["percent"] >= 60
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


def _sccs(targets: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """Tarjan's strongly connected components of the numbered states, iteratively; sinks
    come first."""
    n = len(targets)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    order: list[list[int]] = []
    comp_of = [0] * n
    counter = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            succ = targets[v]
            recurse = False
            while i < len(succ):
                w = succ[i]
                i += 1
                if index[w] < 0:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if recurse:
                continue
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp_of[w] = len(order)
                    members.append(w)
                    if w == v:
                        break
                order.append(members)
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
    return order, comp_of


def _check_loops(graph: _StateGraph, order: list[list[int]], comp_of: list[int], report: QuickReport) -> None:
    targets = graph.targets
    for c, members in enumerate(order):
        looping = len(members) > 1 or members[0] in targets[members[0]]
        if not looping:
            continue
        exits = any(comp_of[t] != c for m in members for t in targets[m])
        nodes = sorted({graph.states[m][0] for m in members})
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
    graph: _StateGraph,
    order: list[list[int]],
    comp_of: list[int],
    report: QuickReport,
) -> None:
    scenario, states, targets = comp.scenario, graph.states, graph.targets
    # Paths to each ending, by DP over the components (sinks first). Edges inside a
    # component (a loop) are not followed again, so loops are counted once. A state's counts
    # are a list with one slot per ending node, shared where a state has one way on.
    slots: dict[str, int] = {}
    for s, end in enumerate(graph.ending):
        if end:
            slots.setdefault(states[s][0], len(slots))
    none = [0] * len(slots)
    units = [[int(k == slot) for k in range(len(slots))] for slot in range(len(slots))]
    paths: list[list[int]] = [none] * len(states)
    for c, members in enumerate(order):
        for s in members:
            if graph.ending[s]:
                paths[s] = units[slots[states[s][0]]]
                continue
            ways = [paths[t] for t in targets[s] if comp_of[t] != c]
            if len(ways) == 1:
                paths[s] = ways[0]
            elif ways:
                paths[s] = [sum(column) for column in zip(*ways, strict=True)]
    total = paths[0]
    report.paths = sum(total)
    # Score ranges: exact scores from the ending states, loose ones by interval propagation
    # (without loose scores, every state is reached with none: nothing to propagate).
    lo: list[list[float] | None] = [None] * len(states)
    hi: list[list[float] | None] = [None] * len(states)
    lo[0] = [d.start for d in comp.loose]
    hi[0] = [d.start for d in comp.loose]
    if not comp.loose:
        lo = hi = [[]] * len(states)
    work = deque([0] if comp.loose else [])
    queued = [False] * len(states)
    queued[0] = bool(comp.loose)
    while work:
        s = work.popleft()
        queued[s] = False
        low_s, high_s = lo[s] or [], hi[s] or []
        for t, deltas in zip(targets[s], graph.deltas[s], strict=True):
            new_lo, new_hi = list(low_s), list(high_s)
            for i, delta in deltas:
                d = comp.loose[i]
                new_lo[i] = d.clamp(new_lo[i] + delta)
                new_hi[i] = d.clamp(new_hi[i] + delta)
            low_t, high_t = lo[t], hi[t]
            if low_t is None or high_t is None:
                lo[t], hi[t] = new_lo, new_hi
                changed = True
            else:
                changed = False
                for i in range(len(new_lo)):
                    if new_lo[i] < low_t[i]:
                        low_t[i] = new_lo[i]
                        changed = True
                    if new_hi[i] > high_t[i]:
                        high_t[i] = new_hi[i]
                        changed = True
            if changed and not queued[t]:
                queued[t] = True
                work.append(t)
    for node in scenario.nodes:
        if node.is_ending and scenario.node(node.id) is node:
            report.endings[node.id] = {
                "outcome": node.end,
                "paths": total[slots[node.id]] if node.id in slots else 0,
                "line": node.line,
                "scores": {},
            }
    for s, end in enumerate(graph.ending):
        lowest, highest = lo[s], hi[s]
        if not end or lowest is None or highest is None:
            continue
        ranges = report.endings[states[s][0]]["scores"]
        for d, v in zip(comp.exact, states[s][1], strict=True):
            _widen(ranges, d.name, v, v)
        for i, d in enumerate(comp.loose):
            _widen(ranges, d.name, lowest[i], highest[i])
    _close_endings(scenario, report)


def _close_endings(scenario: Scenario, report: QuickReport) -> None:
    """Once every path is counted, by either exploration: a note for each ending no path
    reaches, and each ending's score ranges in the declared order of the scores."""
    for node_id, info in report.endings.items():
        if info["paths"] == 0:
            report.notes.append(
                said(
                    "ending `%(node_id)s` (line %(info)s) is never reached",
                    node_id=node_id,
                    info=info["line"],
                )
            )
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
