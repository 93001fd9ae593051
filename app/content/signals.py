"""Signal picking: a node that lists observations (what the prospect said or did) and asks the
rep to tick those that support a reading, e.g. "signals of the evaluation phase".

A rep reads a phase from several signals at once, so each observation is graded on its own:
a right signal ticked is *spotted*, a right signal left is *missed*, a distractor ticked is
*mistaken*, a distractor left is *avoided*. The node's choices are its *readings*: the engine
takes the first whose `if` holds, with the counts `spotted`, `missed` and `mistaken` readable
there, and applies it as if the rep had chosen it (scores, rating, feedback, next node). So
everything built on choices (ratings, the graph, item analysis, hindsight) works on readings,
and the prospect's reaction can depend on how well the rep read.

    ## read-the-stand
    `skill: phase` `signals: evaluation`

    ...what happens; which of these say she is evaluating offers?

    - She asks for two references in the food industry `signal: right` `phase-signal: evaluation/2`
      > feedback on this observation
    - She asks when you could deliver `signal: distractor` `phase-signal: decision/1`
      > ...

    - [Well read](#demo) `if missed == 0 and mistaken == 0` `rating: best` `insight +2`
      > feedback on the whole reading
    - [Misread](#brochure) `rating: poor`
      > ...

Pure: no Flask, no database. The engine (pick_signals), the play-tester (every subset of
the items), the parser and lint call the rules here."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import combinations

from .model import Course, Node, SignalItem, said

MAX_ITEMS = 8  # more is a reading test of its own, and the play-tester tries every subset
SPOTTED, MISSED, MISTAKEN, AVOIDED = "spotted", "missed", "mistaken", "avoided"
VERDICTS = (SPOTTED, MISSED, MISTAKEN, AVOIDED)
WRONG = (MISSED, MISTAKEN)
COUNTS = (SPOTTED, MISSED, MISTAKEN)  # the names a reading's `if` can read
KINDS = {"right": True, "distractor": False}

_ITEM_SPAN_RE = re.compile(r"^(signal|phase-signal)\s*:\s*(.*)$")
_PHASE_SIGNAL_RE = re.compile(r"^([a-z][a-z0-9-]*)\s*/\s*(\d+)$")
_CODE_RE = re.compile(r"(`+)(.*?)\1", re.DOTALL)


class NoReading(ValueError):
    """No reading's `if` holds for this pick (the last reading should have none)."""


# --- parsing ------------------------------------------------------------------------------


def read_item(
    content: str, feedback: str, line: int, problem: Callable[[int, str, str], None]
) -> SignalItem | None:
    """A list item of a node, as an observation when one of its code spans is `signal: ...`;
    None for any other list item (prose). `content` is the item's first paragraph as written."""
    spans = [(m.group(0), m.group(2).strip()) for m in _CODE_RE.finditer(content)]
    tags = [(raw, _ITEM_SPAN_RE.match(span)) for raw, span in spans]
    if not any(m and m.group(1) == "signal" for _raw, m in tags):
        return None
    kind = phase_signal = None
    text = content
    for (raw, span), (_raw, m) in zip(spans, tags, strict=True):
        if not m:
            problem(
                line,
                said(
                    "an observation takes `signal:` and `phase-signal:` only, not "
                    "`%(span)s`: score changes and ratings go on the node's readings",
                    span=span,
                ),
                "E-SIGNALS",
            )
            continue
        text = text.replace(raw, " ")
        key, value = m.group(1), m.group(2).strip()
        if key == "signal":
            if value not in KINDS:
                problem(
                    line,
                    said(
                        "`signal: %(value)s`: an observation is `signal: right` or `signal: distractor`",
                        value=value,
                    ),
                    "E-SIGNALS",
                )
                continue
            kind = value
        elif _PHASE_SIGNAL_RE.match(value):
            phase_signal = re.sub(r"\s+", "", value)
        else:
            problem(
                line,
                said(
                    "`phase-signal: %(value)s`: name a phase of the course and the number "
                    "of its signal, like `phase-signal: evaluation/2`",
                    value=value,
                ),
                "E-SIGNALS",
            )
    text = re.sub(r"\s+", " ", text).strip()
    return SignalItem(text, kind == "right", feedback, line, phase_signal)


# --- grading ------------------------------------------------------------------------------


def grade(node: Node, picks: Iterable[int]) -> list[str]:
    """The verdict on each observation of the node, in source order, for the 0-based item
    indices ticked."""
    ticked = set(picks)
    out = []
    for i, item in enumerate(node.signals):
        if item.right:
            out.append(SPOTTED if i in ticked else MISSED)
        else:
            out.append(MISTAKEN if i in ticked else AVOIDED)
    return out


def counts(verdicts: Iterable[str]) -> dict[str, int]:
    verdicts = list(verdicts)
    return {name: verdicts.count(name) for name in COUNTS}


def reading(node: Node, holds: Callable[[str], bool]) -> int:
    """The 0-based index of the reading taken: the first whose `if` holds (`holds` evaluates a
    condition with the counts among the names it can read)."""
    for i, choice in enumerate(node.choices):
        if choice.effects.condition is None or holds(choice.effects.condition):
            return i
    raise NoReading(said("no reading of node `%(node)s` applies to this pick", node=node.id))


WELL_READ = ("best", "good")  # the ratings of a reading that reads the phase right


def is_well_read(rating: str | None) -> bool:
    """A reading rated best or good reads the phase right (the phase matrix counts it so;
    queries test the rating against WELL_READ, the same rule)."""
    return rating in WELL_READ


# --- play-testing -------------------------------------------------------------------------


def right_items(node: Node) -> tuple[int, ...]:
    return tuple(i for i, item in enumerate(node.signals) if item.right)


def wrong_items(node: Node) -> tuple[int, ...]:
    """The worst pick: every distractor and none of the right signals."""
    return tuple(i for i, item in enumerate(node.signals) if not item.right) or right_items(node)


def subsets(node: Node) -> Iterator[tuple[int, ...]]:
    """Every pick a rep can submit: each non-empty subset of the items."""
    n = len(node.signals)
    for size in range(1, n + 1):
        yield from combinations(range(n), size)


def random_items(node: Node, rng: random.Random) -> tuple[int, ...]:
    subset = tuple(i for i in range(len(node.signals)) if rng.random() < 0.5)
    return subset or (rng.randrange(len(node.signals)),)


def shown_order(node: Node, seed: str) -> list[int]:
    """The items in the order one attempt shows them: shuffled (authors tend to list the right
    signals first), the same on every reload of that attempt."""
    order = list(range(len(node.signals)))
    random.Random(f"{seed}:{node.id}").shuffle(order)
    return order


# --- the course's phase signals ----------------------------------------------------------


def parse_phase_signal(ref: str | None) -> tuple[str, int] | None:
    m = _PHASE_SIGNAL_RE.match(ref or "")
    return (m.group(1), int(m.group(2))) if m else None


def phase_signal_text(course: Course | None, ref: str | None) -> str | None:
    """The words of a course phase's signal named `PHASE/N` (1-based), None when unknown."""
    parsed = parse_phase_signal(ref)
    if course is None or parsed is None:
        return None
    phase = next((p for p in course.phases if p.id == parsed[0]), None)
    if phase is None or not 1 <= parsed[1] <= len(phase.signals):
        return None
    return phase.signals[parsed[1] - 1]


# --- lint ---------------------------------------------------------------------------------


def lint_node(
    node: Node, course: Course | None, declared: Iterable[str], add: Callable[[int, str, str], None]
) -> None:
    """E-SIGNALS and W-SIGNALS findings of one node (lint.lint_scenario calls it)."""
    if node.reading and course is not None and node.reading not in course.phase_ids():
        add(
            node.line,
            "E-NAME",
            said(
                "node `%(node)s`: `signals: %(node_reading)s` is not a phase of the course",
                node=node.id,
                node_reading=node.reading,
            ),
        )
    if not node.signals:
        if node.reading:
            add(
                node.line,
                "E-SIGNALS",
                said(
                    "node `%(node)s` has `signals:` but no observation marked `signal: "
                    "right` or `signal: distractor`",
                    node=node.id,
                ),
            )
        return
    if node.is_ending or node.gotos:
        add(
            node.line,
            "E-SIGNALS",
            said(
                "node `%(node)s`: observations belong on a node with readings, not on "
                "an ending or a goto node",
                node=node.id,
            ),
        )
    if node.phase:
        add(
            node.line,
            "E-SIGNALS",
            said(
                "node `%(node)s`: a signal-picking node names its phase with `signals: "
                "%(node_phase)s`, not `phase:` (its readings claim nothing)",
                node=node.id,
                node_phase=node.phase,
            ),
        )
    right = sum(item.right for item in node.signals)
    if not right:
        add(
            node.line,
            "E-SIGNALS",
            said(
                "node `%(node)s` has no observation marked `signal: right`: there is nothing to spot",
                node=node.id,
            ),
        )
    if right == len(node.signals):
        add(
            node.line,
            "E-SIGNALS",
            said(
                "node `%(node)s` has no `signal: distractor`: ticking everything would "
                "be right, so nothing is read",
                node=node.id,
            ),
        )
    if len(node.signals) > MAX_ITEMS:
        add(
            node.signals[MAX_ITEMS].line,
            "E-SIGNALS",
            said(
                "node `%(node)s` lists %(count)s observations; at most %(MAX_ITEMS)s can be weighed at once",
                node=node.id,
                count=len(node.signals),
                MAX_ITEMS=MAX_ITEMS,
            ),
        )
    for item in node.signals:
        if not item.feedback.strip():
            add(
                item.line,
                "E-SIGNALS",
                said(
                    "observation has no feedback (a `> ...` quote indented under it)",
                ),
            )
        if not item.text:
            add(
                item.line,
                "E-SIGNALS",
                said(
                    "observation has no text: say what the prospect said or did",
                ),
            )
        parsed = parse_phase_signal(item.phase_signal)
        if parsed and course is not None:
            if phase_signal_text(course, item.phase_signal) is None:
                phase = next((p for p in course.phases if p.id == parsed[0]), None)
                known = (
                    f"phase `{parsed[0]}` lists {len(phase.signals)} signals"
                    if phase
                    else f"`{parsed[0]}` is not a phase of the course"
                )
                add(
                    item.line,
                    "E-SIGNALS",
                    said(
                        "`phase-signal: %(item_phase_signal)s`: %(known)s",
                        item_phase_signal=item.phase_signal,
                        known=known,
                    ),
                )
            elif node.reading and item.right and parsed[0] != node.reading:
                add(
                    item.line,
                    "W-SIGNALS",
                    said(
                        "a right signal of `%(node_reading)s` linked to a signal of "
                        "`%(parsed)s`: is it right, or a distractor?",
                        node_reading=node.reading,
                        parsed=parsed[0],
                    ),
                )
            elif node.reading and not item.right and parsed[0] == node.reading:
                add(
                    item.line,
                    "W-SIGNALS",
                    said(
                        "a distractor linked to a signal of `%(node_reading)s` itself: the "
                        "course says it is a right signal",
                        node_reading=node.reading,
                    ),
                )
    if not node.choices:
        add(
            node.line,
            "E-SIGNALS",
            said(
                "node `%(node)s` has observations but no reading (a `- [text](#next)` "
                "item) to say where play goes",
                node=node.id,
            ),
        )
    elif node.choices[-1].effects.condition is not None:
        add(
            node.choices[-1].line,
            "E-SIGNALS",
            said(
                "the last reading has an `if`: some picks would have nowhere to go; leave its `if` off",
            ),
        )
    for choice in node.choices:
        if choice.effects.once:
            add(
                choice.line,
                "E-SIGNALS",
                said(
                    "a reading cannot be `once`: it is taken by how the rep read, not clicked",
                ),
            )
    for name in declared:
        if name in COUNTS:
            add(
                node.line,
                "E-NAME",
                said(
                    "`%(name)s` is a count of the pick at node `%(node)s`; rename the score or variable",
                    name=name,
                    node=node.id,
                ),
            )
