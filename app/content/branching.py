"""Do choices have consequences? How many of a scenario's choice nodes lead to different
places depending on the answer, and how many different conversations (node sequences) play
can produce. Lint warns on scenarios that mostly funnel (W-FUNNEL) and on acceptable answers
that lose at once (W-LOSS); `flask content test` prints the figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import engine, playtest
from . import expr as expressions
from .model import Node, Scenario

MAX_SEQUENCE_SETS = 100_000  # beyond this, the count of node sequences is not given


def next_scenes(scenario: Scenario, target: str) -> frozenset[str]:
    """Where play may show something next after moving to `target`: the target, or through
    routers, every node they may route to (conditions not evaluated)."""
    seen: set[str] = set()
    out: set[str] = set()
    todo = [target]
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        node = scenario.node(node_id)
        if node is not None and node.is_router:
            todo.extend(g.target for g in node.gotos)
        else:
            out.add(node_id)
    return frozenset(out)


# Steps at the rep's desk (`skill: preparation`): no prospect is there to react, so they are
# not counted as conversation when judging whether answers have consequences.
DESK_SKILLS = ("preparation",)


def choice_nodes(scenario: Scenario, conversation: bool = False) -> list[Node]:
    """Reachable nodes that ask the rep to choose between two answers or more; with
    `conversation`, only those in front of the prospect (preparation steps left out)."""
    from .lint import reachable  # lint imports this module

    live = reachable(scenario)
    return [
        n
        for n in scenario.nodes
        if n.id in live
        and scenario.node(n.id) is n
        and not n.is_ending
        and not n.gotos
        and len(n.choices) >= 2
        and not (conversation and n.skill in DESK_SKILLS)
    ]


def branches(scenario: Scenario, node: Node) -> bool:
    """Do the answers of this node lead to different places? Every choice going to the same
    node (not a router) is a funnel: the prospect answers the same whatever the rep chose."""
    scenes = {next_scenes(scenario, c.target) for c in node.choices}
    return len(scenes) > 1 or any(len(s) > 1 for s in scenes)


def loses_at_once(scenario: Scenario, target: str) -> bool:
    """Does moving to `target` end the scenario in a loss, whatever the state?"""
    scenes = next_scenes(scenario, target)
    nodes = [scenario.node(n) for n in scenes]
    return bool(nodes) and all(
        n is not None and n.is_ending and playtest._outcome_verdict(n.end or "") is False for n in nodes
    )


@dataclass(frozen=True)
class Branching:
    choice_nodes: int
    branching_nodes: int
    sequences: int | None  # distinct node sequences from start to an ending; None: unknown

    @property
    def share(self) -> float:
        return self.branching_nodes / self.choice_nodes if self.choice_nodes else 1.0

    def describe(self) -> str:
        sequences = "too many to count" if self.sequences is None else f"{self.sequences:,}"
        return (
            f"branching: {self.branching_nodes} of {self.choice_nodes} conversation "
            "choice nodes lead to different "
            f"places ({round(100 * self.share)}%); distinct node sequences: {sequences}"
        )


def measure(scenario: Scenario) -> Branching:
    nodes = choice_nodes(scenario, conversation=True)
    return Branching(len(nodes), sum(branches(scenario, n) for n in nodes), node_sequences(scenario))


def node_sequences(scenario: Scenario) -> int | None:
    """How many different sequences of nodes shown, from start to an ending, play can produce
    (two paths that differ only in scores or choices but show the same nodes count once).
    Played on the play-tester's states, grouped by the node shown next (a subset construction);
    loops are counted without repeats, as quicktest counts paths. None when the content cannot
    be played or the count would take too long."""
    try:
        comp = playtest._Compiled(scenario)
        start = playtest._settle(comp, comp.start())
    except (engine.EngineError, expressions.ExprError):
        return None
    memo: dict[frozenset[playtest.State], int] = {}
    on_path: set[frozenset[playtest.State]] = set()

    def count(states: frozenset[playtest.State]) -> int:
        if states in memo:
            return memo[states]
        if len(memo) > MAX_SEQUENCE_SETS:
            raise OverflowError
        node = scenario.node(next(iter(states))[0])
        if node is None or node.is_ending:
            return 1
        on_path.add(states)
        groups: dict[str, set[playtest.State]] = defaultdict(set)
        for state in states:
            for _index, nxt, _loose in playtest.successors(comp, state, node):
                groups[nxt[0]].add(nxt)
        total = 0
        for group in groups.values():
            key = frozenset(group)
            if key not in on_path:
                total += count(key)
        on_path.discard(states)
        memo[states] = total
        return total

    try:
        return count(frozenset([start]))
    except (OverflowError, RecursionError, engine.EngineError, expressions.ExprError):
        return None
