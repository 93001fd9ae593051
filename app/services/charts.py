"""Small charts drawn on the server as inline SVG: no script, no other host, readable without
colour (every bar and point carries its value as text and a <title>)."""
from markupsafe import Markup, escape

COLOURS = {"ok": "#1e6b3a", "go": "#1f4e79", "warn": "#8a5a00", "bad": "#a1221b", "locked": "#8a94a3"}


def bar_chart(rows, title, unit="", width=360, bar_height=14, gap=12, label_height=18):
    """rows: [(label, value 0..100, tone)] -> one labelled bar per row: the label above, the
    value at the end. Narrow on purpose, so the text stays readable on a phone."""
    if not rows:
        return Markup("")
    row_height = label_height + bar_height + gap
    height = len(rows) * row_height + 4
    span = width - 48
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for i, (label, value, tone) in enumerate(rows):
        y = 2 + i * row_height
        value = max(0, min(100, value or 0))
        text = str(label)
        short = text if len(text) <= 52 else text[:50] + "…"
        bar_y = y + label_height
        parts.append(f'<g><title>{escape(text)}: {value}{escape(unit)}</title>'
                     f'<text x="0" y="{y + 13}" font-size="13" fill="#1c2430">{escape(short)}</text>'
                     f'<rect x="0" y="{bar_y}" width="{span}" height="{bar_height}" rx="4" fill="#e3e7ed"/>'
                     f'<rect x="0" y="{bar_y}" width="{span * value / 100:.1f}" height="{bar_height}" rx="4" '
                     f'fill="{COLOURS.get(tone, COLOURS["go"])}"/>'
                     f'<text x="{span + 6}" y="{bar_y + bar_height - 2}" font-size="13" font-weight="600" '
                     f'fill="#1c2430">{value}{escape(unit)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline(points, title, width=400, height=200):
    """points: [(when, percent, passed, label)] in time order -> dots joined by a line, on a
    0..100 scale; filled dots passed, hollow ones did not."""
    if not points:
        return Markup("")
    left, right, top, bottom = 40, 16, 12, 34
    inner_w, inner_h = width - left - right, height - top - bottom
    n = len(points)

    def x(i):
        return left + (inner_w * (i + 0.5) / n)

    def y(v):
        return top + inner_h * (1 - max(0, min(100, v)) / 100)

    parts = [f'<svg class="chart wide" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for v in (0, 50, 100):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d5dbe3"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="12" text-anchor="end" fill="#5a6472">{v}%</text>')
    if n > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p[1]):.1f}" for i, p in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    for i, (when, value, passed, label) in enumerate(points):
        date = when.strftime("%d %b") if when else ""
        fill = "#1e6b3a" if passed else "#fff"
        stroke = "#1e6b3a" if passed else "#a1221b"
        parts.append(f'<g><title>{escape(label)}, {escape(date)}: {value}% ({"passed" if passed else "not passed"})</title>'
                     f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="6" fill="{fill}" stroke="{stroke}" stroke-width="2.5"/></g>')
        if n <= 6 or i in (0, n - 1):
            parts.append(f'<text x="{x(i):.1f}" y="{height - 12}" font-size="11" text-anchor="middle" fill="#5a6472">{escape(date)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
