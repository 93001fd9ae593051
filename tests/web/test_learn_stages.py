"""Each stage lists its role-plays (also one just published from the studio), and work a
manager assigned in a locked stage shows as open, assigned and due, on the dashboard and in
My progress."""

import os
import re
from datetime import date, timedelta

from app.extensions import db
from app.models import Assignment
from app.services import publishing
from app.services.learning import published
from tests.helpers import login

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def stage_html(page, stage_id):
    """The dashboard's card of one stage."""
    start = page.index(f'data-stage="{stage_id}"')
    end = page.find('data-stage="', start + 1)
    return page[start : end if end != -1 else len(page)]


def row(html, attribute, slug):
    match = re.search(rf'<(?:li|tr) [^>]*{attribute}="{re.escape(slug)}".*?</(?:li|tr)>', html, re.S)
    assert match, f"no row {attribute}={slug}"
    return match.group(0)


def test_each_stage_lists_its_role_plays(app, client, course, factory):
    person = factory.user()
    with app.app_context():
        by_stage = {}
        for slug, version in publishing.published_all("scenario").items():
            by_stage.setdefault(publishing.value_of(version).stage, []).append(slug)
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    for stage_id, slugs in by_stage.items():
        html = stage_html(page, stage_id)
        for slug in slugs:
            assert f'data-role-play="{slug}"' in html, (stage_id, slug)
    first = stage_html(page, "qualification")
    assert 'href="/learn/scenarios/ranking-the-pipeline"' in row(
        first, "data-role-play", "ranking-the-pipeline"
    )
    locked = row(stage_html(page, "negotiation"), "data-role-play", "claire-wants-fifteen-percent")
    assert "href=" not in locked  # a locked stage's role-play is listed, not open
    progress = client.get("/learn/progress").get_data(as_text=True)
    assert all(f'data-role-play="{slug}"' in progress for slugs in by_stage.values() for slug in slugs)


def test_a_scenario_published_from_the_studio_appears_in_its_stage(app, client, course, factory):
    trainer = factory.user(role="trainer")
    with open(os.path.join(ROOT, "scenarios", "ranking-the-pipeline.md"), encoding="utf-8") as fh:
        text = fh.read()
    text = text.replace("id: ranking-the-pipeline", "id: a-second-pipeline").replace(
        'title: "Ranking the pipeline"', 'title: "A second pipeline"', 1
    )
    text = re.sub(r"^title: .*$", 'title: "A second pipeline"', text, count=1, flags=re.M)
    with app.app_context():
        from app.models import User

        publishing.publish_text(
            "scenario", text, "scenarios/a-second-pipeline.md", author=db.session.get(User, trainer.id)
        )
        db.session.commit()
        assert not any(
            "a-second-pipeline" in m.scenarios
            for v in publishing.published_all("module").values()
            for m in [publishing.value_of(v)]
        )
    person = factory.user()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    listed = row(stage_html(page, "qualification"), "data-role-play", "a-second-pipeline")
    assert 'href="/learn/scenarios/a-second-pipeline"' in listed and "A second pipeline" in listed
    assert "Not played" in listed
    assert client.get("/learn/scenarios/a-second-pipeline").status_code == 200
    progress = client.get("/learn/progress").get_data(as_text=True)
    assert 'href="/learn/scenarios/a-second-pipeline"' in row(progress, "data-role-play", "a-second-pipeline")


def test_a_module_assigned_in_a_locked_stage_shows_open_assigned_and_due(app, client, course, factory):
    person = factory.user()
    due = date.today() + timedelta(days=5)
    with app.app_context():
        db.session.add(
            Assignment(
                target_kind="module", target_slug="preparing-the-negotiation", user_id=person.id, due_date=due
            )
        )
        db.session.commit()
        due_words = f"{due.day} {due:%b %Y}"
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    stage = stage_html(page, "negotiation")
    assert "Locked" in stage and "What your manager assigned here is open now" in stage
    module = row(stage, "data-module", "preparing-the-negotiation")
    assert 'href="/learn/modules/preparing-the-negotiation"' in module
    assert f"Assigned, due {due_words}" in module and "Not started" in module
    other = row(stage, "data-module", "trading-concessions")
    assert "href=" not in other and "Assigned" not in other  # the rest of the stage stays locked
    with app.app_context():
        _v, module_value = published.published_module("preparing-the-negotiation")
    for slug in module_value.scenarios:  # its role-plays open with it
        assert f'href="/learn/scenarios/{slug}"' in row(stage, "data-role-play", slug)

    progress = client.get("/learn/progress").get_data(as_text=True)
    mine = row(progress, "data-module", "preparing-the-negotiation")
    assert 'href="/learn/modules/preparing-the-negotiation"' in mine
    assert f"Assigned, due {due_words}" in mine and "Locked" not in mine
    assert "Locked" in row(progress, "data-module", "trading-concessions")
