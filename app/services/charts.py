"""The geometry of the small charts drawn on the server as inline SVG (no script, no other
host): plain data here, drawn by the Jinja macros of templates/_macros/charts.html, which
escape every text. Readable without colour: every bar and point carries its value as text and
a <title>, and each line of the scores chart has its own dash pattern and a legend."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import formats

TONES = {"ok": "#1e6b3a", "go": "#1f4e79", "warn": "#8a5a00", "bad": "#a1221b", "locked": "#8a94a3"}
# One colour and dash pattern per scenario line, told apart without colour too.
SERIES_STYLES = [
    ("#1f4e79", ""),
    ("#b4531a", "6 4"),
    ("#1e6b3a", "2 3"),
    ("#6b3fa0", "8 3 2 3"),
    ("#8a5a00", "10 4"),
    ("#a1221b", "4 2 1 2"),
]


@dataclass
class Bar:
    label: str
    short: str  # cut to fit a phone's width
    value: int  # 0..100
    colour: str
    y: int  # top of the label line
    bar_y: int
    width: float  # the filled part


@dataclass
class BarChart:
    title: str
    unit: str
    width: int
    height: int
    span: int  # width of a full bar
    bar_height: int
    bars: list[Bar]


def bar_chart(
    rows: Sequence[tuple[str, int, str]],
    title: str,
    unit: str = "",
    width: int = 360,
    bar_height: int = 14,
    gap: int = 12,
    label_height: int = 18,
) -> BarChart | None:
    """rows: [(label, value 0..100, tone)] -> one labelled bar per row: the label above, the
    value at the end. Narrow on purpose, so the text stays readable on a phone. None when
    there is nothing to draw."""
    if not rows:
        return None
    row_height = label_height + bar_height + gap
    span = width - 48
    bars = []
    for i, (label, value, tone) in enumerate(rows):
        y = 2 + i * row_height
        value = max(0, min(100, value or 0))
        text = str(label)
        bars.append(
            Bar(
                text,
                text if len(text) <= 52 else text[:50] + "…",
                value,
                TONES.get(tone, TONES["go"]),
                y,
                y + label_height,
                round(span * value / 100, 1),
            )
        )
    return BarChart(title, unit, width, len(rows) * row_height + 4, span, bar_height, bars)


@dataclass
class Point:
    x: float
    y: float
    value: int
    passed: bool
    when: str  # day and time, for the point's title
    note: str = ""  # what the point is, when not a pass or a fail


@dataclass
class Series:
    name: str
    colour: str
    dash: str
    points: list[Point]
    path: str  # the SVG path joining the points ("" for one point)


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class LineChart:
    title: str
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    grid: list[tuple[float, str]]  # [(y, label)] for 0, 50 and 100 %
    ticks: list[Tick]  # dates along the bottom, never two alike or overlapping
    series: list[Series] = field(default_factory=list)


def score_lines(
    attempts: Iterable[Sequence[Any]], title: str, width: int = 400, height: int = 220
) -> LineChart | None:
    """attempts: [(finished_at, percent, passed, scenario title[, note])] -> one line per scenario on
    a 0..100 scale, placed along a time axis (two attempts a day apart sit apart; two the same
    day sit side by side, not on top of each other). Dates along the bottom in the one date
    format, spaced so that no two labels touch. None when there is nothing to draw."""
    points = [a for a in attempts if a[0] is not None]
    if not points:
        return None
    left, right_pad, top, bottom = 40, 16, 12, 34
    inner_w, inner_h = width - left - right_pad, height - top - bottom
    ordered = sorted(points, key=lambda a: a[0])
    first, last = ordered[0][0], ordered[-1][0]
    seconds = max((last - first).total_seconds(), 1.0)
    # Time-proportional, but never closer than a dot's width apart: crowded points spread out.
    min_gap = min(14.0, inner_w / max(len(ordered) - 1, 1))
    xs: list[float] = []
    for when, *_ in ordered:
        x = left + inner_w * ((when - first).total_seconds() / seconds if len(ordered) > 1 else 0.5)
        if xs and x < xs[-1] + min_gap:
            x = xs[-1] + min_gap
        xs.append(x)
    if len(xs) > 1 and xs[-1] > left + inner_w:  # pushed past the edge: squeeze back
        scale = inner_w / (xs[-1] - left)
        xs = [left + (x - left) * scale for x in xs]

    def y(value: float) -> float:
        return round(top + inner_h * (1 - max(0, min(100, value)) / 100), 1)

    by_scenario: dict[str, list[Point]] = {}
    for (when, value, passed, name, *note), x in zip(ordered, xs, strict=True):
        by_scenario.setdefault(name, []).append(
            Point(
                round(x, 1),
                y(value or 0),
                value or 0,
                bool(passed),
                formats.when(when),
                note[0] if note else "",
            )
        )
    series = []
    for n, (name, pts) in enumerate(by_scenario.items()):
        colour, dash = SERIES_STYLES[n % len(SERIES_STYLES)]
        path = (
            " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(pts))
            if len(pts) > 1
            else ""
        )
        series.append(Series(name, colour, dash, pts, path))
    return LineChart(
        title,
        width,
        height,
        left,
        width - right_pad,
        [(y(v), formats.percent(v)) for v in (0, 50, 100)],
        _date_ticks(ordered, xs),
        series,
    )


def _date_ticks(ordered: Sequence[Sequence[Any]], xs: Sequence[float], label_width: int = 46) -> list[Tick]:
    """One label per day that has points, at its first point, skipping any that would overlap
    the one before (the last day is always shown)."""
    days: list[Tick] = []
    for (when, *_), x in zip(ordered, xs, strict=True):
        label = _short_day(when, ordered[0][0], ordered[-1][0])
        if not days or days[-1].label != label:
            days.append(Tick(round(x, 1), label))
    shown: list[Tick] = []
    for tick in days:
        if not shown or tick.x - shown[-1].x >= label_width:
            shown.append(tick)
        elif tick is days[-1]:
            shown[-1] = tick
    return shown


def _short_day(when: datetime, first: datetime, last: datetime) -> str:
    """'1 Dec', or '1 Dec 2026' when the chart spans two years."""
    text: str = formats.day(when)
    if isinstance(first, datetime) and formats.local(first).year == formats.local(last).year:
        return text.rsplit(" ", 1)[0]
    return text
