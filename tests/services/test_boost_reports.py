"""Boosts for managers: who keeps their boosts up, and the team's retention of each phase week by
week, in a fixed number of statements whatever the number of answers."""

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, insert

from app.extensions import db
from app.models import BoostAnswer, BoostItem
from app.services import boost_reports
from tests.helpers import publish_course

NOW = datetime(2026, 12, 3, 15, 0)  # a Thursday
PHASES = ["latent", "awareness", "discovery", "evaluation"]


def _version_id():
    from app.services import publishing

    return publishing.published("scenario", "signals-at-the-trade-fair").id


def _items(user_id, n, due):
    version = _version_id()
    ids = []
    for i in range(n):
        item = BoostItem(
            user_id=user_id,
            kind="phase",
            slug="signals-at-the-trade-fair",
            ref=f"node-{i}",
            answer_key=PHASES[i % 4],
            phase=PHASES[i % 4],
            version_id=version,
            state=2,
            due=due,
            reviews=1,
            boosts=0,
        )
        db.session.add(item)
        db.session.flush()
        ids.append(item.id)
    return ids


def _answers(user_id, item_ids, count, rng, right_share):
    version = _version_id()
    rows = []
    for n in range(count):
        item = item_ids[n % len(item_ids)]
        when = NOW - timedelta(days=rng.randrange(0, 49), hours=rng.randrange(0, 8))
        rows.append(
            dict(
                user_id=user_id,
                item_id=item,
                seq=n + 1,
                version_id=version,
                kind="phase",
                phase=PHASES[item_ids.index(item) % 4],
                given=["latent"],
                correct=rng.random() < right_share(when),
                rating=3,
                due_after=when + timedelta(days=2),
                created_at=when,
            )
        )
    db.session.execute(insert(BoostAnswer), rows)


def _count_statements(fn):
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, statements


def test_kept_up_and_retention_with_many_rows(app, course_published, factory, ctx):
    manager = factory.user(role="manager")
    team = factory.team(manager=manager)
    keen, idle, new = factory.user(team=team), factory.user(team=team), factory.user(team=team)
    rng = random.Random(7)
    keen_items = _items(keen.id, 8, NOW - timedelta(days=1))
    _items(idle.id, 4, NOW - timedelta(days=9))
    # the keen trainee answers many boosts over seven weeks, getting better week by week
    _answers(keen.id, keen_items, 600, rng, lambda when: 0.4 + 0.5 * (1 - (NOW - when).days / 49))
    db.session.commit()

    kept, statements = _count_statements(lambda: boost_reports.kept_up([keen.id, idle.id, new.id], NOW))
    assert len(statements) == 2  # due counts, answers
    assert kept[keen.id].due == 8 and kept[keen.id].week > 0 and kept[keen.id].status == "keeping-up"
    assert kept[idle.id].due == 4 and kept[idle.id].week == 0 and kept[idle.id].status == "behind"
    assert kept[new.id].status == "none"

    (chart, table), statements = _count_statements(lambda: boost_reports.retention_chart({team}, NOW))
    assert len(statements) <= 4, statements  # the answers grouped by day, and the course's phase titles
    assert len({row["phase"] for row in table}) == 4
    weeks = sorted({row["week"] for row in table})
    assert len(weeks) == 8 and all(w.weekday() == 0 for w in weeks)
    # every answer falls in the last eight weeks (at most 49 days back from a Thursday)
    assert sum(row["answers"] for row in table) == 600
    assert len(chart.series) == 4 and all(len(s.points) == 8 for s in chart.series)
    first, last = weeks[0], weeks[-1]
    early = sum(r["right"] for r in table if r["week"] == first) / sum(
        r["answers"] for r in table if r["week"] == first
    )
    late = sum(r["right"] for r in table if r["week"] == last) / sum(
        r["answers"] for r in table if r["week"] == last
    )
    assert late > early
    assert "right" in chart.series[0].points[0].note

    # a trainee who took a check and never opened the dashboard: their own page folds it first
    from tests.services.test_boosts import _check

    late = factory.user(team=team)
    _check(late, when=NOW - timedelta(days=5))
    assert boost_reports.kept_up([late.id], NOW)[late.id].status == "none"
    kept = boost_reports.kept_up([keen.id, late.id], NOW, fold=True)
    assert kept[late.id].due > 0 and kept[late.id].status == "behind"
    db.session.commit()

    # another team sees none of it
    other = factory.team(manager=factory.user(role="manager"))
    assert boost_reports.retention_chart({other}, NOW) == (None, [])


@pytest.fixture
def course_published(app):
    return publish_course(app)
