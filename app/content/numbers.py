"""Reading a figure a person typed: the one rule for every number field of the platform.

A rep in France writes "12,5", "12 %" or "1 200"; a rep elsewhere writes "12.5". Both marks
are read as the decimal mark (never as a thousands separator, which is a space here, as in
French), so "1,200" is one point two. Anything else is refused with a reason the form shows
beside the field. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .expr import MAX_NUMBER

# What may follow a figure, by unit (compared without case). A figure in percent may be
# written "12 %"; a figure with no unit takes no suffix.
UNIT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "percent": ("%", "pct", "percent", "pour cent"),
    "points": ("pt", "pts", "point", "points"),
    "euros": ("€", "eur", "euro", "euros"),
    "days": ("d", "day", "days", "j", "jour", "jours"),
    "weeks": ("wk", "week", "weeks", "sem", "semaine", "semaines"),
    "months": ("month", "months", "mois"),
    "years": ("yr", "year", "years", "an", "ans", "année", "années"),
    "sites": ("site", "sites"),
    "users": ("user", "users", "utilisateur", "utilisateurs"),
    "licences": ("licence", "licences", "license", "licenses"),
    "count": (),
}
UNITS = tuple(UNIT_SUFFIXES)

# Spaces a keyboard or a copied French figure may hold: space, no-break space, narrow no-break.
_SPACES = " \u00a0\u202f"
_MINUSES = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (what word processors make)
_NUMBER_RE = re.compile(r"(?P<sign>[+-])?(?P<whole>\d{1,3}(?: \d{3})+|\d+)(?:[.,](?P<frac>\d+))?", re.ASCII)
MAX_DIGITS = 15


@dataclass(frozen=True)
class FigureError(ValueError):
    """Why a typed figure is refused: `code` for a translated message, `message` in English."""

    code: str  # empty, not-a-number, unit, too-large
    message: str

    def __str__(self) -> str:
        return self.message


def parse_figure(text: str | None, unit: str | None = None) -> int | float:
    """The number in `text` (an int when it has no decimals), or FigureError.

    Accepted: "12", "-3", "+3", "12,5", "12.5", "1 200" (groups of three after a space),
    "12 %" or "12%" in percent, "30 jours" in days, ... (see UNIT_SUFFIXES)."""
    if text is None or not str(text).strip(_SPACES + "\t"):
        raise FigureError("empty", "Write a figure.")
    raw = str(text)
    if len(raw) > 60:
        raise FigureError("not-a-number", "Write a number, like 12 or 12,5.")
    s = raw.strip(_SPACES + "\t")
    for space in _SPACES[1:]:
        s = s.replace(space, " ")
    if s[0] in _MINUSES:
        s = "-" + s[1:].lstrip(" ")
    m = _NUMBER_RE.match(s)
    if m is None:
        raise FigureError("not-a-number", "Write a number, like 12 or 12,5.")
    rest = s[m.end() :].strip(" ").lower()
    if rest:
        suffixes = UNIT_SUFFIXES.get(unit or "", ())
        if rest not in suffixes:
            if _NUMBER_RE.fullmatch(rest.lstrip(".,")) or rest[0] in ".,":
                raise FigureError("not-a-number", "Write one number, with one decimal mark, like 12,5.")
            raise FigureError("unit", f"Write the figure alone, like 12{' %' if unit == 'percent' else ''}.")
    whole = m.group("whole").replace(" ", "")
    frac = m.group("frac")
    if len(whole.lstrip("0")) + len(frac or "") > MAX_DIGITS:
        raise FigureError("too-large", "This figure is too large.")
    value: int | float = float(f"{whole}.{frac}") if frac else int(whole)
    if frac and float(value).is_integer():
        value = int(value)  # "12,0" is twelve
    if m.group("sign") == "-":
        value = -value
    if abs(value) > MAX_NUMBER:
        raise FigureError("too-large", "This figure is too large.")
    return value


def show_figure(value: float, decimal_mark: str = ",") -> str:
    """A figure as a person reads it back: "12,5" in French, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text.replace(".", decimal_mark) if text != "-0" else "0"
