"""Preparation sheets: a node where the rep writes figures (starting point, ideal, walk-away,
planned moves), each graded by the range it falls in.

    ## prep-sheet
    `skill: preparation` `goto: opening`

    - Your **walk-away discount** `field: walkaway` `unit: percent` `min: 0` `max: 40` `walkaway: discount`
      - `range: 0..12` `rating: best` `margin +1`
        > Derived from your MESORE ...
      - `range: 12..40` `rating: poor`
        > ...

A list item whose first paragraph holds `field: NAME` is a field; its own items holding
`range: lo..hi` are its ranges (lo and hi included; where two ranges meet, the shared number
belongs to the range that ends there, so `0..12` and `12..40` put 12 in the first). The figure
becomes the number variable NAME. The node's gotos are followed once the sheet is submitted.
Parsing (called from parse.py), grading (called by the engine), checks (called by lint) and the
figures the play-tester samples all live here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from . import expr as expressions
from .model import Effects, FigureRange, Scenario, SheetField, said
from .numbers import UNITS, FigureError, parse_figure, show_figure

if TYPE_CHECKING:  # parse.py calls this module: a run-time import would be circular
    from .parse import Body

Item = list[Token]  # a list item's tokens, open to close

_NUM = r"-?\d+(?:\.\d+)?"
_RANGE_RE = re.compile(rf"^range\s*:\s*({_NUM})\s*\.\.\s*({_NUM})$")
_KEY_RE = re.compile(r"^(field|unit|min|max|walkaway)\s*:\s*(.*)$")
_CODE_RE = re.compile(r"`[^`]*`")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")


# --- parsing ------------------------------------------------------------------------------


def _spans(item: Item) -> list[str]:
    """The code spans of a list item's first paragraph."""
    if len(item) < 3 or item[1].type != "paragraph_open":
        return []
    return [c.content.strip() for c in (item[2].children or []) if c.type == "code_inline"]


def is_field(item: Item) -> bool:
    return any(s.startswith("field:") for s in _spans(item))


def _number(text: str) -> float | int | None:
    try:
        return expressions.number(text.lstrip("-")) * (-1 if text.startswith("-") else 1)
    except (expressions.ExprError, ValueError):
        return None


def parse_field(
    body: Body,
    item: Item,
    list_items: Callable[[Item], list[Item]],
    feedback_of: Callable[[Body, Item], str],
    read_effects: Callable[[Body, list[str], int], Effects],
    reserved: set[str],
) -> SheetField | None:
    """A field list item as a SheetField; problems go to `body.source.problem` (E-SHEET,
    E-BOUNDS, E-FEEDBACK, ...). None when the field cannot be used at all."""
    line = body.file_line(item[0].map[0] if item[0].map else 0)
    problem = body.source.problem
    keys: dict[str, str] = {}
    for span in _spans(item):
        m = _KEY_RE.match(span)
        if not m:
            problem(
                line,
                said(
                    "cannot read `%(span)s` on a sheet field (field, unit, min, max, walkaway)",
                    span=span,
                ),
                "E-SHEET",
            )
            continue
        keys[m.group(1)] = m.group(2).strip()
    name = keys.get("field", "")
    if not NAME_RE.match(name) or name in reserved or name.startswith(("given_", "got_")):
        problem(
            line,
            said(
                "field `%(name)s` needs a plain name (a-z, 0-9, _) that is not reserved",
                name=name,
            ),
            "E-SHEET",
        )
        return None
    label = _CODE_RE.sub("", item[2].content).strip()
    if not label:
        problem(
            line,
            said(
                "field `%(name)s` needs a label: the words the rep reads beside the box",
                name=name,
            ),
            "E-SHEET",
        )
    bounds = []
    for key in ("min", "max"):
        value = _number(keys[key]) if key in keys and re.fullmatch(_NUM, keys[key]) else None
        if value is None:
            problem(
                line,
                said(
                    "field `%(name)s` needs `%(key)s:` and a number in range",
                    name=name,
                    key=key,
                ),
                "E-BOUNDS",
            )
            return None
        bounds.append(value)
    ranges = []
    for sub in _sub_items(item, list_items):
        rline = body.file_line(sub[0].map[0] if sub[0].map else 0)
        spans = _spans(sub)
        found = [s for s in spans if s.startswith("range")]
        if not found:
            problem(
                rline,
                said(
                    "field `%(name)s`: an item without `range: lo..hi`",
                    name=name,
                ),
                "E-SHEET",
            )
            continue
        m = _RANGE_RE.match(found[0])
        lo, hi = (_number(m.group(1)), _number(m.group(2))) if m else (None, None)
        if lo is None or hi is None:
            problem(
                rline,
                said(
                    "field `%(name)s`: cannot read `%(found)s`; write `range: 0..12`",
                    name=name,
                    found=found[0],
                ),
                "E-RANGES",
            )
            continue
        effects = read_effects(body, [s for s in spans if not s.startswith("range")], rline)
        if (
            effects.gives
            or effects.gets
            or effects.unilateral
            or effects.once
            or effects.condition
            or effects.pao
            or effects.claims
        ):
            problem(
                rline,
                said(
                    "a range takes score changes, `set` and `rating:` only",
                ),
                "E-SHEET",
            )
            effects = Effects(effects.scores, effects.sets, rating=effects.rating)
        ranges.append(FigureRange(lo, hi, effects, feedback_of(body, sub), rline))
    return SheetField(
        name,
        label,
        keys.get("unit", ""),
        bounds[0],
        bounds[1],
        tuple(ranges),
        line,
        keys.get("walkaway") or None,
    )


def _sub_items(item: Item, list_items: Callable[[Item], list[Item]]) -> list[Item]:
    """The items of the list nested directly in a list item."""
    level = item[0].level
    out = []
    i = 0
    while i < len(item):
        t = item[i]
        if t.type in ("bullet_list_open", "ordered_list_open") and t.level == level + 1:
            depth, j = 0, i
            while j < len(item):
                depth += item[j].nesting
                if depth == 0:
                    break
                j += 1
            out.extend(list_items(item[i : j + 1]))
            i = j + 1
            continue
        i += 1
    return out


# --- grading ------------------------------------------------------------------------------


def grade(field: SheetField, value: float) -> FigureRange | None:
    """The range a figure falls in; a number shared by two ranges belongs to the lower one."""
    for r in sorted(field.ranges, key=lambda r: (r.lo, r.hi)):
        if r.lo <= value <= r.hi:
            return r
    return None


def read(field: SheetField, typed: Any) -> int | float:
    """A typed figure (text, or a number from the play-tester) checked against the field's
    bounds; FigureError with the reason otherwise."""
    value = (
        typed
        if isinstance(typed, (int, float)) and not isinstance(typed, bool)
        else parse_figure(typed, field.unit)
    )
    if not field.min <= value <= field.max:
        raise FigureError(
            "bounds", f"Between {show_figure(field.min, '.')} and {show_figure(field.max, '.')}."
        )
    return value


# --- checks (lint) ------------------------------------------------------------------------


def check(scenario: Scenario, add: Callable[[int, str, str], None]) -> None:
    """E-SHEET, E-BOUNDS, E-RANGES, E-UNIT on every sheet of a scenario."""
    seen: dict[str, int] = {}
    for node in scenario.nodes:
        if node.sheet is None:
            continue
        if node.choices:
            add(
                node.line,
                "E-SHEET",
                said(
                    "sheet `%(node)s` has choices; a sheet is followed by its gotos",
                    node=node.id,
                ),
            )
        if not node.sheet.routes:
            add(
                node.line,
                "E-SHEET",
                said(
                    "sheet `%(node)s` needs a `goto:` to follow once it is submitted",
                    node=node.id,
                ),
            )
        for f in node.sheet.fields:
            if f.name in seen:
                add(
                    f.line,
                    "E-SHEET",
                    said(
                        "field `%(name)s` is already a field on line %(seen)s",
                        name=f.name,
                        seen=seen[f.name],
                    ),
                )
            seen.setdefault(f.name, f.line)
            var = scenario.variable(f.name)
            if var is not None and (
                isinstance(var.initial, bool) or not isinstance(var.initial, (int, float))
            ):
                add(
                    f.line,
                    "E-SHEET",
                    said(
                        "field `%(name)s` keeps a number, but `state` declares it as a text or true/false",
                        name=f.name,
                    ),
                )
            if f.unit not in UNITS:
                add(
                    f.line,
                    "E-UNIT",
                    said(
                        "field `%(name)s`: unit `%(unit)s` is not one of %(names)s",
                        name=f.name,
                        unit=f.unit,
                        names=", ".join(UNITS),
                    ),
                )
            if f.walkaway is not None and f.walkaway not in scenario.negotiation.concessions:
                add(
                    f.line,
                    "E-NAME",
                    said(
                        "field `%(name)s`: `walkaway: %(walkaway)s` is not a declared concession",
                        name=f.name,
                        walkaway=f.walkaway,
                    ),
                )
            if not f.min < f.max:
                add(
                    f.line,
                    "E-BOUNDS",
                    said(
                        "field `%(name)s` needs min < max, got %(min)s and %(max)s",
                        name=f.name,
                        min=f.min,
                        max=f.max,
                    ),
                )
                continue
            _check_ranges(f, add)


def _check_ranges(f: SheetField, add: Callable[[int, str, str], None]) -> None:
    if not f.ranges:
        add(
            f.line,
            "E-SHEET",
            said(
                "field `%(name)s` has no `range:` items to grade the figure by",
                name=f.name,
            ),
        )
        return
    for r in f.ranges:
        if not r.feedback.strip():
            add(
                r.line,
                "E-FEEDBACK",
                said(
                    "range %(lo)s..%(hi)s of `%(name)s` has no feedback (a `> ...` quote under it)",
                    lo=r.lo,
                    hi=r.hi,
                    name=f.name,
                ),
            )
        if r.lo > r.hi:
            add(
                r.line,
                "E-RANGES",
                said(
                    "range %(lo)s..%(hi)s of `%(name)s` ends before it starts",
                    lo=r.lo,
                    hi=r.hi,
                    name=f.name,
                ),
            )
        elif r.lo < f.min or r.hi > f.max:
            add(
                r.line,
                "E-RANGES",
                said(
                    "range %(lo)s..%(hi)s of `%(name)s` goes outside the field's bounds %(min)s..%(max)s",
                    lo=r.lo,
                    hi=r.hi,
                    name=f.name,
                    min=f.min,
                    max=f.max,
                ),
            )
    ordered = sorted((r for r in f.ranges if r.lo <= r.hi), key=lambda r: (r.lo, r.hi))
    if not ordered:
        return
    if ordered[0].lo > f.min:
        add(
            ordered[0].line,
            "E-RANGES",
            said(
                "field `%(name)s`: no range covers %(min)s..%(lo)s",
                name=f.name,
                min=f.min,
                lo=ordered[0].lo,
            ),
        )
    if ordered[-1].hi < f.max:
        add(
            ordered[-1].line,
            "E-RANGES",
            said(
                "field `%(name)s`: no range covers %(hi)s..%(max)s",
                name=f.name,
                hi=ordered[-1].hi,
                max=f.max,
            ),
        )
    for before, after in pairwise(ordered):
        if after.lo > before.hi:
            add(
                after.line,
                "E-RANGES",
                said(
                    "field `%(name)s`: no range covers %(before)s..%(after)s (start this "
                    "range where the one before ends)",
                    name=f.name,
                    before=before.hi,
                    after=after.lo,
                ),
            )
        elif after.lo < before.hi:
            add(
                after.line,
                "E-RANGES",
                said(
                    "field `%(name)s`: range %(after)s..%(after2)s overlaps "
                    "%(before)s..%(before2)s (line %(before_line)s)",
                    name=f.name,
                    after=after.lo,
                    after2=after.hi,
                    before=before.lo,
                    before2=before.hi,
                    before_line=before.line,
                ),
            )


# --- figures for the play-tester -----------------------------------------------------------


def samples(field: SheetField, exact: bool) -> list[tuple[int | float, FigureRange]]:
    """The figures play-testing tries: with `exact` (something reads the figure), each range's
    ends and middle, else one figure per range (the grade alone decides what happens)."""
    out: list[tuple[int | float, FigureRange]] = []
    seen: set[float] = set()
    for r in sorted(field.ranges, key=lambda r: (r.lo, r.hi)):
        mid = _tidy((r.lo + r.hi) / 2)
        for value in (r.lo, mid, r.hi) if exact else (mid,):
            if value in seen or grade(field, value) is not r or not field.min <= value <= field.max:
                continue
            seen.add(value)
            out.append((value, r))
    return out


def _tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)
