"""The debrief's headline comes from the scenario: an ending's own `headline:`, else words for
its outcome that claim no deal; ratings read the same for the trainee and the manager."""

import os
import re

from app.extensions import db
from app.services import publishing
from tests.helpers import choose, login, path_by_rating, start

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _best_play(app, client, slug="ranking-the-pipeline"):
    with app.app_context():
        path = path_by_rating(slug)
    attempt_id = start(client, slug)
    for number in path:
        choose(client, attempt_id, number)
    return attempt_id, client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)


def _headline(page):
    return re.search(r'<h1 id="debrief-h">(.*?)</h1>', page, re.S).group(1).strip()


def test_without_a_headline_the_outcome_claims_no_deal(app, client, course, factory):
    person = factory.user()
    login(client, person.email)
    _attempt_id, page = _best_play(app, client)
    assert _headline(page) == "Well played" and "Deal won" not in page
    assert 'data-percent="100"' in page  # best play scores 100%
    assert 'data-rating="best"' in page and "Best answer" in page


def test_an_ending_headline_heads_the_debrief(app, client, course, factory):
    with open(os.path.join(ROOT, "scenarios", "ranking-the-pipeline.md"), encoding="utf-8") as fh:
        text = fh.read()
    text = text.replace("`end: win`", "`end: win` `headline: The right first call, booked`", 1)
    with app.app_context():
        publishing.publish_text("scenario", text, "scenarios/ranking-the-pipeline.md")
        db.session.commit()
    person = factory.user()
    login(client, person.email)
    attempt_id, page = _best_play(app, client)
    assert _headline(page) == "The right first call, booked"
    scenario_page = client.get("/learn/scenarios/ranking-the-pipeline").get_data(as_text=True)
    assert "The right first call, booked" in scenario_page  # the list of earlier attempts


def test_the_ledger_reads_in_words(app, client, course, factory):
    from datetime import date

    from app.models import Assignment

    person = factory.user()
    with app.app_context():
        db.session.add(
            Assignment(
                target_kind="scenario",
                target_slug="claire-wants-fifteen-percent",
                user_id=person.id,
                due_date=date.today(),
            )
        )
        db.session.commit()
    login(client, person.email)
    attempt_id = start(client, "claire-wants-fifteen-percent")
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    ledger = page[page.index("Negotiation ledger") :]
    assert '0% off</strong><span class="muted">, walk-away 12%' in ledger
    _attempt_id, page = _best_play(app, client, "claire-wants-fifteen-percent")
    ledger = page[page.index("Negotiation ledger") :]
    assert not re.search(r"<strong>[\d.]+ (count|service|percent|person|document)s?</strong>", ledger)
    assert "onboarding service" in ledger or "onboarding services" in ledger
    assert re.search(r"<strong>\d+(\.\d+)?% off</strong>", ledger)
