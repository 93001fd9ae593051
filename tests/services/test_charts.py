"""Charts: plain data from services/charts.py drawn by Jinja macros (escaped). The scores chart
has one line per scenario and dates that can be told apart."""

from datetime import datetime, timedelta
from itertools import pairwise

from flask import render_template_string

from app.services import charts

START = datetime(2026, 11, 20, 9, 0)


def _attempts():
    out = []
    for day in range(6):
        for n, name in enumerate(("Ranking the pipeline", "The signing date")):
            out.append((START + timedelta(days=day, minutes=20 * n), 40 + 10 * day, day > 2, name))
    out.append((START + timedelta(days=5, minutes=45), 90, True, "Ranking the pipeline"))  # same day again
    return out


def test_one_line_per_scenario_on_a_time_axis():
    chart = charts.score_lines(_attempts(), "Scores")
    assert [s.name for s in chart.series] == ["Ranking the pipeline", "The signing date"]
    assert len({(s.colour, s.dash) for s in chart.series}) == 2
    assert all(s.path.startswith("M") for s in chart.series)
    xs = sorted(p.x for s in chart.series for p in s.points)
    assert all(b - a >= 1 for a, b in pairwise(xs))  # no two points on top of each other
    assert chart.left <= xs[0] and xs[-1] <= chart.right


def test_dates_along_the_axis_can_be_told_apart():
    chart = charts.score_lines(_attempts(), "Scores")
    labels = [t.label for t in chart.ticks]
    assert len(labels) == len(set(labels)) and labels[0] == "20 Nov" and labels[-1] == "25 Nov"
    assert all(b.x - a.x >= 46 for a, b in pairwise(chart.ticks))
    many = [(START + timedelta(hours=3 * n), 50, False, "One") for n in range(40)]
    crowded = charts.score_lines(many, "Scores")
    assert all(b.x - a.x >= 46 for a, b in pairwise(crowded.ticks))
    assert len({t.label for t in crowded.ticks}) == len(crowded.ticks)
    across_years = charts.score_lines(
        [(datetime(2026, 12, 30), 50, False, "A"), (datetime(2027, 1, 2), 60, True, "A")], "S"
    )
    assert [t.label for t in across_years.ticks] == ["30 Dec 2026", "2 Jan 2027"]


def test_nothing_to_draw():
    assert charts.score_lines([], "S") is None and charts.bar_chart([], "S") is None


def test_macros_escape_every_text(app):
    evil = "<script>alert(1)</script>"
    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros/charts.html" import bar_chart, line_chart %}{{ '
            "bar_chart(b) }}{{ line_chart(l) }}",
            b=charts.bar_chart([(evil, 50, "ok")], evil),
            l=charts.score_lines([(START, 50, True, evil)], evil),
        )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<svg") == 3  # two charts and a legend swatch
