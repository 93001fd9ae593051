"""What the player and the feedback page show of a preparation sheet: its boxes (label, unit,
what was typed, the reason a figure was refused) and, once submitted, each figure with its
rating and feedback. The rules (reading a figure, grading it) live in the content core
(content/numbers.py, content/sheet.py); this module only words them for the page."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app import formats
from app.content.render import render_inline

# Unit words beside a box and after a figure ("12 %", "30 days").
UNIT_WORDS = {
    "percent": "%",
    "euros": "€",
    "points": _l("points"),
    "days": _l("days"),
    "weeks": _l("weeks"),
    "months": _l("months"),
    "years": _l("years"),
    "sites": _l("sites"),
    "users": _l("users"),
    "licences": _l("licences"),
    "count": "",
}
FIELD_PREFIX = "figure-"


def figure(value, unit=""):
    """A figure as the rep reads it back, in the page's language, with its unit: "12.5%" /
    "12,5 %", "€1,200" / "1 200 €", "30 days" / "30 jours" (app/formats)."""
    if value is None:
        return ""
    if unit == "percent":
        return formats.percent(value)
    if unit == "euros":
        return formats.money(value)
    words = str(UNIT_WORDS.get(unit, unit) or "")
    shown = formats.number(value)
    return f"{shown}\u00a0{words}" if words else shown


def label(text):
    """A field's label (author Markdown, inline), rendered safe."""
    return Markup(render_inline(text or ""))


def refusal(error, field):
    """The reason beside a box, in the page's language (numbers.FigureError.code)."""
    if error.code == "empty":
        return _("Write a figure.")
    if error.code == "bounds":
        return _(
            "Write a figure from %(low)s to %(high)s.",
            low=figure(field.min, field.unit),
            high=figure(field.max, field.unit),
        )
    if error.code == "too-large":
        return _("This figure is too large.")
    if error.code == "unit":
        return _("Write the figure alone, like %(example)s.", example=figure(12, field.unit))
    return _(
        "Write a number, like %(whole)s or %(decimal)s.",
        whole=formats.number(12),
        decimal=formats.number(12.5),
    )


def typed_figures(form):
    """field -> the text typed, from a posted sheet."""
    return {k[len(FIELD_PREFIX) :]: v for k, v in form.items() if k.startswith(FIELD_PREFIX)}


def boxes(node, typed=None, errors=None):
    """One entry per field of the sheet at `node`, for learn/_sheet.html."""
    typed, errors = typed or {}, errors or {}
    out = []
    for f in node.sheet.fields:
        error = errors.get(f.name)
        out.append(
            {
                "name": FIELD_PREFIX + f.name,
                "id": f"fig-{f.name}",
                "label": Markup(render_inline(f.label)),
                "unit": str(UNIT_WORDS.get(f.unit, f.unit) or ""),
                "value": typed.get(f.name, ""),
                "error": refusal(error, f) if error else None,
                "bounds": _(
                    "from %(low)s to %(high)s", low=figure(f.min, f.unit), high=figure(f.max, f.unit)
                ),
            }
        )
    return out


def graded(effects):
    """The recorded figures of a sheet step, for the feedback page, the debrief and the
    manager's attempt view."""
    return [
        {
            **f,
            "shown": figure(f.get("value"), f.get("unit", "")),
            "label_html": Markup(render_inline(f.get("label") or f.get("field", ""))),
            "range_shown": (
                f"{figure(f['range'][0], f.get('unit', ''))} – {figure(f['range'][1], f.get('unit', ''))}"
                if f.get("range")
                else ""
            ),
        }
        for f in (effects or {}).get("figures") or []
    ]
