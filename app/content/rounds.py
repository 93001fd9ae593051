"""Negotiation rounds: the buyer answers by the sizes of the moves so far (`shrinking(NAME)`,
`growing(NAME)`, content/expr.move_values). W-ROUNDS warns when a condition that reads the
moves has the same value on every path that reaches it: the buyer then answers the same
whatever the rep conceded, and the rounds teach nothing about the size of moves.

The check walks the play-tester's states (playtest.successors), so it sees exactly what play
can reach, sampled figures of sheets included.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from . import engine, playtest
from . import expr as expressions
from .model import Scenario, said

MAX_STATES = 50_000


def _reads_moves(source: str | None) -> bool:
    if not source:
        return False
    try:
        return any(
            n.startswith(expressions.MOVE_FUNCTIONS) for n in expressions.names(expressions.parse(source))
        )
    except expressions.ExprError:
        return False


def check(scenario: Scenario, add: Callable[[int, str, str], None]) -> None:
    """W-ROUNDS for each condition reading the moves that cannot come out both ways."""
    watched: dict[tuple[str, str], int] = {}  # (node, condition) -> line
    for node in scenario.nodes:
        for g in node.gotos + (node.sheet.routes if node.sheet else ()):
            if g.condition and _reads_moves(g.condition):
                watched[(node.id, g.condition)] = node.line
        for c in node.choices:
            if c.effects.condition and _reads_moves(c.effects.condition):
                watched[(node.id, c.effects.condition)] = c.line
    if not watched:
        return
    seen_values: dict[tuple[str, str], set[bool]] = {key: set() for key in watched}
    by_node: dict[str, list[tuple[str, str]]] = {}
    for key in watched:
        by_node.setdefault(key[0], []).append(key)

    def visit(state: playtest.State) -> None:  # every node play stands on, routers included
        keys = by_node.get(state[0])
        if keys:
            known = comp.known(state)
            for key in keys:
                seen_values[key].add(comp.holds(key[1], known))

    try:
        comp = playtest._Compiled(scenario)
        # one figure per range of each sheet field: the sizes of the moves come from the rounds'
        # answers, and trying each range's ends too would multiply the states for nothing here
        comp.read = comp.read - {f.name for n in scenario.nodes if n.sheet for f in n.sheet.fields}
        start = playtest._settle(comp, comp.start(), visit)
        todo, seen = deque([start]), {start}
        while todo:
            state = todo.popleft()
            node = playtest._node_of(scenario, state)
            if node.is_ending:
                continue
            for _i, nxt, _loose in playtest.successors(comp, state, node, visit):
                if nxt not in seen:
                    if len(seen) > MAX_STATES:
                        return
                    seen.add(nxt)
                    todo.append(nxt)
    except (engine.EngineError, expressions.ExprError):
        return  # `flask content test` reports what breaks play
    for (node_id, condition), values in seen_values.items():
        if len(values) == 1:
            add(
                watched[(node_id, condition)],
                "W-ROUNDS",
                said(
                    "node `%(node_id)s`: `%(condition)s` is always %(pop)s where play "
                    "reaches it; the buyer answers the same whatever the size of the moves "
                    "(vary the amounts the rounds offer)",
                    node_id=node_id,
                    condition=condition,
                    pop=str(values.pop()).lower(),
                ),
            )
