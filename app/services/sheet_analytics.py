"""The figures a team wrote on preparation sheets, for the manager's "What to coach" page:
per field, how many figures fell in each of the scenario's ranges (with the range's rating),
and the spread of what was written (lowest, median, highest). A walk-away discount written far
from what the numbers say is what to coach before any negotiation technique."""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from statistics import median
from typing import Any

from sqlalchemy import Select, select

from app.content import sheet as sheets
from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt
from app.services.team_analytics import _scenario_value, attempts_of, team_attempts


@cache
def _sheets_statement(shape: tuple[bool, bool, bool]) -> Select[Any]:
    """Built once per shape (building a statement costs more than running it)."""
    return (
        select(ScenarioAttempt.scenario_slug, AttemptStep.node, AttemptStep.effects)
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(AttemptStep.attempt_id.in_(team_attempts(*shape)), AttemptStep.kind == "sheet")
    )


def figure_spread(
    team_ids: Iterable[int], scenario: str | None = None, language: str | None = None
) -> list[dict[str, Any]]:
    """[{scenario, title, node, field, label, unit, walkaway, count, low, median, high,
    ranges: [{lo, hi, rating, count, share}]}], in the order of the scenario's fields. Ranges
    come from the published version; a figure it cannot grade (an older version's bounds) is
    counted in the spread only."""
    attempts = attempts_of(team_ids, scenario)
    rows = db.session.execute(_sheets_statement(attempts.shape), attempts.params).all()
    written: defaultdict[tuple[str, str, str], list[float]] = defaultdict(
        list
    )  # (slug, node, field) -> values
    for slug, node_id, effects in rows:
        for figure in (effects or {}).get("figures") or []:
            if isinstance(figure.get("value"), (int, float)):
                written[(slug, node_id, figure.get("field"))].append(figure["value"])
    out: list[dict[str, Any]] = []
    for slug in sorted({key[0] for key in written}):
        value = _scenario_value(slug, language)
        if value is None:
            continue
        for node in value.nodes:
            for field in node.sheet.fields if node.sheet else ():
                values = written.get((slug, node.id, field.name))
                if not values:
                    continue
                counts: defaultdict[tuple[float, float], int] = defaultdict(int)
                for v in values:
                    graded = sheets.grade(field, v)
                    if graded is not None:
                        counts[(graded.lo, graded.hi)] += 1
                ranges = [
                    {
                        "lo": r.lo,
                        "hi": r.hi,
                        "rating": r.effects.rating,
                        "count": counts[(r.lo, r.hi)],
                        "share": round(100 * counts[(r.lo, r.hi)] / len(values)),
                    }
                    for r in sorted(field.ranges, key=lambda r: (r.lo, r.hi))
                ]
                out.append(
                    {
                        "scenario": slug,
                        "title": value.title,
                        "node": node.id,
                        "field": field.name,
                        "label": field.label,
                        "unit": field.unit,
                        "walkaway": field.walkaway,
                        "count": len(values),
                        "low": min(values),
                        "median": median(values),
                        "high": max(values),
                        "ranges": ranges,
                    }
                )
    return out
