"""Playing a scenario: a pure function from (scenario, state, choice) to (state, outcome).

The state is a small JSON-ready dict, so an attempt can be stored as-is and resumed on any
app server:

    {"node": "batna", "scores": {"margin": 5}, "vars": {"batna_known": true},
     "ledger": {"given": {"discount": 8}, "got": {"volume": 3}},
     "moves": {"discount": [5, 3]},
     "used_once": ["pao-step/0"], "steps": 3, "finished": false, "outcome": null}

`moves` lists, per concession, the amount given at each step, in order: `shrinking(NAME)` and
`growing(NAME)` read it (states stored before it existed have none: no moves yet). A sheet
node (content/sheet.py) takes figures instead of a choice: `submit_sheet`.

Choices are numbered from 1 among the choices *shown* (hidden `if` and used `once` choices
do not count), as the player's `data-choice="N"` buttons are.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from . import expr as expressions
from . import sheet as sheets
from . import signals as signal_picking
from .model import Choice, Goto, Node, Scenario, said
from .numbers import FigureError

MAX_HOPS = 1000  # goto routing longer than this is a loop in the content


class EngineError(Exception):
    """Base of the domain errors a player view maps to a message."""


class ChoiceNotOffered(EngineError):
    """The choice number is not among the choices shown at the current node."""


class AttemptFinished(EngineError):
    """The attempt reached an ending; it takes no more steps."""


class NothingPicked(EngineError):
    """A signal-picking node was submitted with no observation ticked."""


class ContentError(EngineError):
    """The content cannot be played here (no goto applies, a goto loop, a broken target)."""


class FiguresRefused(EngineError):
    """Some figures of a sheet cannot be read or are out of bounds: field name -> reason.
    Nothing is recorded; the form shows each reason beside its field and keeps the rest."""

    def __init__(self, errors: dict[str, FigureError]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class StepOutcome:
    node: str  # the node the choice was taken on
    new_node: str  # where play stands now
    choice_index: int | None = None  # 0-based position in the node's choice list
    choice_number: int | None = None  # 1-based among the choices shown
    label: str | None = None
    feedback: str = ""  # Markdown
    deltas: dict[str, float] = field(default_factory=dict)  # applied, after clamping
    sets: dict[str, Any] = field(default_factory=dict)
    given: dict[str, float] = field(default_factory=dict)
    got: dict[str, float] = field(default_factory=dict)
    unilateral: bool = False
    rating: str | None = None
    pao: str | None = None
    claims: str | None = None
    phase: str | None = None  # the true phase of the node the choice was taken on
    phase_correct: bool | None = None  # None on nodes without `phase:`
    skill: str | None = None
    ended: bool = False
    outcome: str | None = None
    percent: int | None = None
    passed: bool | None = None
    walkaway_breached: bool | None = None
    kind: str = "choice"  # "choice", "continue", "sheet" or "signals"
    figures: list[dict[str, Any]] = field(default_factory=list)  # a sheet's, graded (sheet_outcome)
    picks: list[int] | None = None  # a signal-picking step: the 0-based items ticked
    verdicts: list[str] | None = None  # and the verdict on each item, in source order (signals.grade)

    def to_json(self) -> dict[str, Any]:
        # Shallow copies of the flat dicts: asdict() deep-copies recursively, on every step.
        return {
            f.name: (dict(v) if isinstance(v := getattr(self, f.name), dict) else v) for f in _OUTCOME_FIELDS
        }


_OUTCOME_FIELDS = fields(StepOutcome)


# --- values -------------------------------------------------------------------------------


def start_state(scenario: Scenario) -> dict[str, Any]:
    state = {
        "node": scenario.start,
        "scores": {d.name: d.start for d in scenario.scores},
        "vars": {v.name: v.initial for v in scenario.variables},
        "ledger": {"given": {}, "got": {}},
        "moves": {},
        "used_once": [],
        "steps": 0,
        "finished": False,
        "outcome": None,
    }
    if scenario.node(scenario.start) is None:
        raise ContentError(said("start `%(node)s` is not a node", node=scenario.start))
    _check_numbers(scenario, state)
    state["node"] = _settle(scenario, state, scenario.start)
    _mark_ending(scenario, state)
    return state


def share(scenario: Scenario, scores: dict[str, float]) -> float:
    """The mean over dimensions of (value - min) / (max - min): 0 at every minimum, 1 at every
    declared maximum."""
    parts = []
    for dim in scenario.scores:
        span = dim.max - dim.min
        value = scores.get(dim.name, dim.start)
        parts.append((value - dim.min) / span if span else 1.0)
    return sum(parts) / len(parts) if parts else 0.0


def best_share(scenario: Scenario) -> float:
    """The share that best play reaches: choosing the best-rated answer at every step, as the
    play-tester does. Declared maxima are rarely all reachable on one path (a trade-off costs
    margin, a score clamps), so percent is measured against this: best play shows 100%.
    Computed once per scenario value. Falls back to the declared maxima (1.0) when best play
    does not end, ends at zero, or when routing reads `percent` itself (it would then depend
    on its own yardstick)."""
    if scenario._best_share:
        return scenario._best_share[0]
    scenario._best_share.append(1.0)  # while best play is computed, percent is the raw share
    from . import playtest  # the play-tester plays best play; it imports this module

    best = 1.0
    if "percent" not in routing_reads(scenario):
        game = playtest.play(scenario, playtest.best_pick)
        if not game.error and game.ended:
            best = share(scenario, game.state["scores"]) or 1.0
    scenario._best_share[0] = best
    return best


def routing_reads(scenario: Scenario, skip_unreadable: bool = True) -> set[str]:
    """Every name an `if` of the scenario reads: its gotos', its sheets' routes' and its choices'
    (a signal-picking node's readings are its choices). An unreadable `if` is skipped (lint
    reports it), or raises ExprError when `skip_unreadable` is False (the play-tester)."""
    read: set[str] = set()
    for node in scenario.nodes:
        gotos = node.gotos + (node.sheet.routes if node.sheet else ())
        sources = [g.condition for g in gotos] + [c.effects.condition for c in node.choices]
        for source in sources:
            if source:
                try:
                    read.update(expressions.names(expressions.parse(source)))
                except expressions.ExprError:
                    if not skip_unreadable:
                        raise
    return read


def percent(scenario: Scenario, state: dict[str, Any]) -> int:
    """Rule 7: the share of the scores reached, against what best play reaches, times 100,
    rounded half up, at most 100."""
    reached = share(scenario, state["scores"]) / best_share(scenario)
    return min(100, int(math.floor(100 * reached + 0.5)))  # half up, not banker's


def values(scenario: Scenario, state: dict[str, Any]) -> dict[str, Any]:
    """Every name an expression or an interpolation can read, with its current value."""
    out: dict[str, Any] = dict(state["vars"])
    out.update(state["scores"])
    given, got = state["ledger"]["given"], state["ledger"]["got"]
    for name in scenario.negotiation.concessions:
        out[f"given_{name}"] = given.get(name, 0)
    for name in scenario.negotiation.counterparts:
        out[f"got_{name}"] = got.get(name, 0)
    moves = state.get("moves") or {}
    for name in scenario.negotiation.concessions:
        out.update(expressions.move_values(name, moves.get(name, ())))
    out["percent"] = percent(scenario, state)
    return out


def holds(
    source: str, scenario: Scenario, state: dict[str, Any], known: dict[str, Any] | None = None
) -> bool:
    known = known if known is not None else values(scenario, state)
    try:
        return bool(expressions.evaluate(expressions.parse(source), known.__getitem__))
    except expressions.ExprError as exc:
        raise ContentError(said("`%(source)s`: %(reason)s", source=source, reason=exc)) from None


def passed(scenario: Scenario, state: dict[str, Any]) -> bool:
    if scenario.pass_expr is not None:
        return holds(scenario.pass_expr, scenario, state)
    return percent(scenario, state) >= 60


def walkaway_limits(scenario: Scenario, state: dict[str, Any]) -> dict[str, float]:
    """concession -> its walk-away: the figure the rep wrote on a sheet (`walkaway: NAME`) once
    the sheet is submitted, else the scenario's `negotiation.walkaway`."""
    limits = dict(scenario.negotiation.walkaway)
    written = set(state.get("figures") or ())
    for concession, name in scenario.sheet_walkaways().items():
        if name in written:
            limits[concession] = state["vars"][name]
    return limits


def walkaways_shown(scenario: Scenario, state: dict[str, Any]) -> dict[str, float]:
    """The walk-aways the rep may see beside the play: walkaway_limits, less those a sheet asks
    the rep to write and they have not written yet (the scenario's figure is the answer)."""
    limits = walkaway_limits(scenario, state)
    written = set(state.get("figures") or ())
    for concession, name in scenario.sheet_walkaways().items():
        if name not in written:
            limits.pop(concession, None)
    return limits


def walkaway_breached(scenario: Scenario, state: dict[str, Any]) -> bool:
    given = state["ledger"]["given"]
    return any(given.get(name, 0) > limit for name, limit in walkaway_limits(scenario, state).items())


def current_node(scenario: Scenario, state: dict[str, Any]) -> Node:
    node = scenario.node(state["node"])
    if node is None:
        raise ContentError(said("node `%(node)s` does not exist in this version", node=state["node"]))
    return node


def is_ending(scenario: Scenario, state: dict[str, Any]) -> bool:
    node = scenario.node(state["node"])
    return node is not None and node.is_ending


def needs_continue(scenario: Scenario, state: dict[str, Any]) -> bool:
    """A goto node with text shows it and waits for Continue."""
    node = scenario.node(state["node"])
    return node is not None and not node.is_ending and bool(node.gotos)


# --- play ---------------------------------------------------------------------------------


def once_key(node: Node, index: int) -> str:
    return f"{node.id}/{index}"


def offered_choices(scenario: Scenario, state: dict[str, Any]) -> list[tuple[int, Choice]]:
    """The choices shown now, as (0-based index in the node, choice)."""
    if state.get("finished"):
        return []
    node = current_node(scenario, state)
    if node.is_ending or node.gotos or node.signals:  # a signals node's readings are not clicked
        return []
    known: dict[str, Any] | None = None

    def condition_holds(source: str) -> bool:
        nonlocal known
        known = known if known is not None else values(scenario, state)  # only if a choice has an `if`
        return holds(source, scenario, state, known)

    return shown(node, set(state["used_once"]), condition_holds)


def shown(node: Node, used: Collection[str], holds: Callable[[str], bool]) -> list[tuple[int, Choice]]:
    """What a choice node shows, as (0-based index in the node, choice): every choice but a
    `once` one already taken (its once_key in `used`) and one whose `if` does not hold. The
    play-tester's compiled engine reads this rule too."""
    return [
        (i, choice)
        for i, choice in enumerate(node.choices)
        if not (choice.effects.once and once_key(node, i) in used)
        and (choice.effects.condition is None or holds(choice.effects.condition))
    ]


def first_route(gotos: Iterable[Goto], holds: Callable[[str], bool]) -> Goto | None:
    """The goto play follows: the first whose `if` holds (or that has none), None if none applies.
    The play-tester's compiled engine reads this rule too."""
    return next((g for g in gotos if g.condition is None or holds(g.condition)), None)


def step(scenario: Scenario, state: dict[str, Any], choice_number: int) -> tuple[dict[str, Any], StepOutcome]:
    """Take the `choice_number`-th (1-based) choice shown; the given state is not modified."""
    node = _node_to_play(scenario, state)
    offered = offered_choices(scenario, state)
    if needs_continue(scenario, state):
        raise ChoiceNotOffered(said("node `%(node)s` waits for Continue, not a choice", node=node.id))
    if node.signals:
        raise ChoiceNotOffered(
            said("node `%(node)s` asks for signals to be picked, not a choice", node=node.id)
        )
    if (
        not isinstance(choice_number, int)
        or isinstance(choice_number, bool)
        or not 1 <= choice_number <= len(offered)
    ):
        raise ChoiceNotOffered(
            said(
                "choice %(choice)s is not offered at `%(node)s` (%(shown)s shown)",
                choice=repr(choice_number),
                node=node.id,
                shown=len(offered),
            )
        )
    index, choice = offered[choice_number - 1]
    return _take(scenario, state, node, index, choice_number=choice_number)


def pick_signals(
    scenario: Scenario, state: dict[str, Any], picks: Iterable[int]
) -> tuple[dict[str, Any], StepOutcome]:
    """Tick observations of a signal-picking node (0-based item indices, in source order): each
    is graded (signals.grade), and the first reading whose `if` holds, with `spotted`, `missed`
    and `mistaken` readable, is taken as a choice would be. The given state is not modified."""
    node = _node_to_play(scenario, state)
    if not node.signals or node.gotos:
        raise ChoiceNotOffered(said("node `%(node)s` offers no signals to pick", node=node.id))
    picks = sorted(set(picks))
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(node.signals) for i in picks):
        raise ChoiceNotOffered(
            said(
                "items %(picks)s are not all among the %(count)s of `%(node)s`",
                picks=repr(picks),
                count=len(node.signals),
                node=node.id,
            )
        )
    if not picks:
        raise NothingPicked(said("no signal picked at `%(node)s`", node=node.id))
    verdicts = signal_picking.grade(node, picks)
    known = {**values(scenario, state), **signal_picking.counts(verdicts)}
    try:
        index = signal_picking.reading(node, lambda source: holds(source, scenario, state, known))
    except signal_picking.NoReading:
        raise ContentError(said("no reading of node `%(node)s` applies to this pick", node=node.id)) from None
    return _take(scenario, state, node, index, picks=picks, verdicts=verdicts)


def _take(
    scenario: Scenario,
    state: dict[str, Any],
    node: Node,
    index: int,
    choice_number: int | None = None,
    picks: list[int] | None = None,
    verdicts: list[str] | None = None,
) -> tuple[dict[str, Any], StepOutcome]:
    """Apply the node's `index`-th choice to a copy of the state: a choice clicked, or on a
    signal-picking node the reading its `picks` lead to (graded `verdicts`)."""
    choice = node.choices[index]
    new = _copy(state)
    e = choice.effects
    deltas = _add_scores(scenario, new, e.scores)
    sets = {}
    for name, value in e.sets:
        new["vars"][name] = value
        sets[name] = value
    given: dict[str, float] = {}
    got: dict[str, float] = {}
    for trade in e.gives:
        ledger = new["ledger"]["given"]
        ledger[trade.name] = ledger.get(trade.name, 0) + trade.amount
        given[trade.name] = given.get(trade.name, 0) + trade.amount
    for name, amount in given.items():
        if amount > 0:
            new["moves"][name] = [*new["moves"].get(name, ()), amount]
    for trade in e.gets:
        ledger = new["ledger"]["got"]
        ledger[trade.name] = ledger.get(trade.name, 0) + trade.amount
        got[trade.name] = got.get(trade.name, 0) + trade.amount
    if e.once:
        new["used_once"] = sorted(set(new["used_once"]) | {once_key(node, index)})
    _check_numbers(scenario, new)
    if scenario.node(choice.target) is None:
        raise ContentError(said("choice target `%(target)s` is not a node", target=choice.target))
    if node.signals:  # a reading is judged on the node's `reading:` phase, by its rating
        phase = node.reading
        phase_correct = signal_picking.is_well_read(e.rating) if node.reading else None
    else:
        phase, phase_correct = node.phase, (e.claims == node.phase) if node.phase else None
    return new, _outcome(
        scenario,
        state,
        node,
        new,
        choice.target,
        kind="signals" if node.signals else "choice",
        choice_index=index,
        choice_number=choice_number,
        label=choice.label,
        feedback=choice.feedback,
        deltas=deltas,
        sets=sets,
        given=given,
        got=got,
        unilateral=e.unilateral,
        rating=e.rating,
        pao=e.pao,
        claims=e.claims,
        phase=phase,
        phase_correct=phase_correct,
        picks=picks,
        verdicts=verdicts,
    )


def continue_(scenario: Scenario, state: dict[str, Any]) -> tuple[dict[str, Any], StepOutcome]:
    """Leave a goto node that showed its text: follow its first goto that holds."""
    node = _node_to_play(scenario, state)
    if not needs_continue(scenario, state):
        raise ChoiceNotOffered(said("node `%(node)s` offers choices, not Continue", node=node.id))
    new = _copy(state)
    target = _goto_target(scenario, new, node)
    return new, _outcome(scenario, state, node, new, target, kind="continue", phase=node.phase)


def submit_sheet(
    scenario: Scenario, state: dict[str, Any], typed: dict[str, Any]
) -> tuple[dict[str, Any], StepOutcome]:
    """Write the figures of the sheet at the current node (`typed`: field name -> the text the
    rep typed, or a number), grade each by its range, then follow the sheet's first goto that
    holds. FiguresRefused when any figure is missing, unreadable or out of bounds."""
    node = _node_to_play(scenario, state)
    if node.sheet is None:
        raise ChoiceNotOffered(said("node `%(node)s` is not a sheet", node=node.id))
    values_, errors = {}, {}
    for f in node.sheet.fields:
        try:
            values_[f.name] = sheets.read(f, typed.get(f.name))
        except FigureError as exc:
            errors[f.name] = exc
    if errors:
        raise FiguresRefused(errors)
    new = _copy(state)
    deltas: dict[str, float] = {}
    sets: dict[str, Any] = {}
    graded = []
    for f in node.sheet.fields:
        value = values_[f.name]
        r = sheets.grade(f, value)
        new["vars"][f.name] = value
        field_deltas = _add_scores(scenario, new, r.effects.scores if r else ())
        for name, delta in field_deltas.items():
            deltas[name] = deltas.get(name, 0) + delta
        for name, v in r.effects.sets if r else ():
            new["vars"][name] = v
            sets[name] = v
        graded.append(
            {
                "field": f.name,
                "label": f.label,
                "unit": f.unit,
                "value": value,
                "rating": r.effects.rating if r else None,
                "range": [r.lo, r.hi] if r else None,
                "feedback": r.feedback if r else "",
                "deltas": field_deltas,
                "walkaway": f.walkaway,
            }
        )
    new["figures"] = sorted(set(new.get("figures") or ()) | set(values_))
    _check_numbers(scenario, new)
    target = _route(scenario, new, node.sheet.routes, node)
    return new, _outcome(
        scenario, state, node, new, target, kind="sheet", deltas=deltas, sets=sets, figures=graded
    )


def _node_to_play(scenario: Scenario, state: dict[str, Any]) -> Node:
    """The node the next step is taken on; an attempt that has ended takes none."""
    if state.get("finished") or is_ending(scenario, state):
        raise AttemptFinished(said("this attempt has ended"))
    return current_node(scenario, state)


def _add_scores(
    scenario: Scenario, state: dict[str, Any], changes: Iterable[tuple[str, float]]
) -> dict[str, float]:
    """Add score changes to the state, each clamped to its dimension's bounds; the changes
    applied, per dimension (an undeclared dimension changes nothing)."""
    applied: dict[str, float] = {}
    for name, delta in changes:
        dim = scenario.score(name)
        if dim is None:
            continue
        before = state["scores"][name]
        after = dim.clamp(before + delta)
        state["scores"][name] = after
        applied[name] = applied.get(name, 0) + (after - before)
    return applied


def _outcome(
    scenario: Scenario, state: dict[str, Any], node: Node, new: dict[str, Any], target: str, **told: Any
) -> StepOutcome:
    """The end of every step taken on `node`: the step is counted, play goes to `target` and on
    through text-less gotos, an ending is marked; the outcome says what was `told` besides."""
    new["steps"] = state.get("steps", 0) + 1
    new["node"] = _settle(scenario, new, target)
    ending = _mark_ending(scenario, new)
    return StepOutcome(node=node.id, new_node=new["node"], skill=node.skill, **told, **ending)


def _goto_target(scenario: Scenario, state: dict[str, Any], node: Node) -> str:
    return _route(scenario, state, node.gotos, node)


def _route(scenario: Scenario, state: dict[str, Any], gotos: Iterable[Goto], node: Node) -> str:
    known = values(scenario, state)
    goto = first_route(gotos, lambda source: holds(source, scenario, state, known))
    if goto is None:
        raise ContentError(said("no goto of node `%(node)s` applies", node=node.id))
    if scenario.node(goto.target) is None:
        raise ContentError(said("goto target `%(target)s` is not a node", target=goto.target))
    return goto.target


def _settle(scenario: Scenario, state: dict[str, Any], node_id: str) -> str:
    """Pass through goto nodes without text until a node that shows something."""
    for _ in range(MAX_HOPS):
        node = scenario.node(node_id)
        if node is None:
            raise ContentError(said("`%(node)s` is not a node", node=node_id))
        if not node.is_router:
            return node_id
        node_id = _goto_target(scenario, state, node)
    raise ContentError(said("gotos loop through `%(node)s` without stopping", node=node_id))


def _mark_ending(scenario: Scenario, state: dict[str, Any]) -> dict[str, Any]:
    node = scenario.node(state["node"])
    if node is None or not node.is_ending:
        return {"ended": False}
    state["finished"] = True
    state["outcome"] = node.end
    return {
        "ended": True,
        "outcome": node.end,
        "percent": percent(scenario, state),
        "passed": passed(scenario, state),
        "walkaway_breached": walkaway_breached(scenario, state),
    }


def _check_numbers(scenario: Scenario, state: dict[str, Any]) -> None:
    """Lint refuses numbers out of range, but a version published before it did may still hold
    one: refuse to play it rather than store Infinity (not JSON; PostgreSQL rejects the step)."""
    numbers = [n for d in scenario.scores for n in (d.min, d.start, d.max)]
    numbers += list(state["scores"].values()) + list(state["ledger"]["given"].values())
    numbers += list(state["ledger"]["got"].values())
    numbers += [v for v in state["vars"].values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    bad = next((n for n in numbers if not expressions.in_range(n)), None)
    if bad is not None:
        raise ContentError(expressions.out_of_range_message(bad))


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    return {
        **state,
        "scores": dict(state["scores"]),
        "vars": dict(state["vars"]),
        "ledger": {"given": dict(state["ledger"]["given"]), "got": dict(state["ledger"]["got"])},
        "moves": {k: list(v) for k, v in (state.get("moves") or {}).items()},
        "used_once": list(state["used_once"]),
    }


# --- interpolation ------------------------------------------------------------------------

INTERPOLATION_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def interpolate(text: str, known: dict[str, Any], escape: bool = True) -> str:
    """Replace `{name}` by its value (HTML-escaped unless `escape=False`); unknown names stay."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in known:
            return m.group(0)
        shown = show(known[m.group(1)])
        return html.escape(shown) if escape else shown

    return INTERPOLATION_RE.sub(sub, text)
