"""Hindsight on a played path: what the best choice was at each step the trainee chose less
well, and the scenario's own words for why.

An attempt records the node and the choice taken at each step, not the state before it, so
the path is replayed through the engine from the start: the choices *offered* at a step
depend on conditions and `once`, and only the replay knows them. Which choice is best is the
play-tester's rule (playtest.best_pick: best-rated first, ties to the first shown), so the
debrief names the same answer best play takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import engine, playtest
from .model import Choice, Scenario

# Ratings that leave room for a better answer at their step.
WEAK = ("ok", "poor")


@dataclass(frozen=True)
class Better:
    seq: int  # the recorded step it is about
    choice: Choice  # the best choice offered there
    number: int  # its number among the choices shown (1-based)


@dataclass(frozen=True)
class Replayed:
    seq: int
    node: str
    state: dict[str, Any]  # before the step
    offered: list[
        tuple[int, Choice]
    ]  # [(0-based index, Choice)] shown then; [] on a Continue or a signal pick


def replay(scenario: Scenario, steps: Iterable[Any]) -> list[Replayed]:
    """Replay recorded steps (objects with .seq, .node and .choice, the 0-based index in the
    node, None for Continue; on a signal-picking node .effects["picks"], the items ticked)
    from the start. Stops, without raising, where the record and the
    content part ways (a step on another node, a choice no longer offered)."""
    out: list[Replayed] = []
    try:
        state = engine.start_state(scenario)
        for recorded in steps:
            if state.get("finished") or state["node"] != recorded.node:
                break
            figures = recorded_figures(recorded)
            if figures is not None:  # a sheet: the figures written, no choice to weigh
                out.append(Replayed(recorded.seq, recorded.node, state, []))
                state, _ = engine.submit_sheet(scenario, state, figures)
                continue
            if recorded.choice is None:
                out.append(Replayed(recorded.seq, recorded.node, state, []))
                state, _ = engine.continue_(scenario, state)
                continue
            node = scenario.node(recorded.node)
            if node is not None and node.signals:  # the items ticked are in the step's effects
                picks = (getattr(recorded, "effects", None) or {}).get("picks") or []
                new, outcome = engine.pick_signals(scenario, state, picks)
                if outcome.choice_index != recorded.choice:
                    break
                out.append(Replayed(recorded.seq, recorded.node, state, []))
                state = new
                continue
            offered = engine.offered_choices(scenario, state)
            number = next((n for n, (i, _c) in enumerate(offered, 1) if i == recorded.choice), None)
            if number is None:
                break
            out.append(Replayed(recorded.seq, recorded.node, state, offered))
            state, _ = engine.step(scenario, state, number)
    except engine.EngineError:
        pass
    return out


def recorded_figures(recorded: Any) -> dict[str, Any] | None:
    """The figures a recorded sheet step wrote (field -> value), None for other steps."""
    effects = getattr(recorded, "effects", None) or {}
    figures = effects.get("figures") if isinstance(effects, dict) else None
    return {f["field"]: f["value"] for f in figures} if figures else None


def better_choices(
    scenario: Scenario, steps: Iterable[Any], replayed: Sequence[Replayed] | None = None
) -> dict[int, Better]:
    """{seq: Better} for each recorded choice rated `ok` or `poor` where a better-rated
    choice was offered (`replayed`: replay(scenario, steps), when the caller has it)."""
    steps = list(steps)
    taken = {s.seq: s for s in steps}
    out: dict[int, Better] = {}
    for played in replay(scenario, steps) if replayed is None else replayed:
        if not played.offered:
            continue
        chosen = next(c for i, c in played.offered if i == taken[played.seq].choice)
        if (chosen.effects.rating or "ok") not in WEAK:  # unrated reads as `ok`, as in play-tests
            continue
        k = playtest.best_pick(played.offered)
        best = played.offered[k][1]
        if playtest._rank(best) < playtest._rank(chosen):  # the play-tester's order of ratings
            out[played.seq] = Better(played.seq, best, k + 1)
    return out
