"""A preparation sheet in the trainee's player (the dairy renewal): labelled boxes with units
that work without JavaScript, French decimals, a refused figure said beside its box with the
others kept and nothing written, idempotent posts, feedback per figure, the walk-away the rep
wrote on the ledger, and the manager's view of the figures with their ratings."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, AttemptStep, ScenarioAttempt
from tests.helpers import login, publish_course, seq_of, start

SLUG = "the-dairy-renewal"


@pytest.fixture
def trainee(app, client, factory):
    publish_course(app)
    person = factory.user()
    with app.app_context():
        db.session.add(
            Assignment(target_kind="scenario", target_slug=SLUG, user_id=person.id, due_date=date.today())
        )
        db.session.commit()
    login(client, person.email)
    return person


def post_sheet(client, attempt_id, seq, **figures):
    data = {"seq": seq, "sheet": "1", **{f"figure-{k}": v for k, v in figures.items()}}
    return client.post(f"/learn/attempts/{attempt_id}/step", data=data)


def steps(app, attempt_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AttemptStep).where(AttemptStep.attempt_id == attempt_id)
        )


def test_the_sheet_has_labelled_decimal_boxes_with_units(app, client, trainee):
    attempt_id = start(client, SLUG)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-sheet" in page and 'name="sheet" value="1"' in page and "data-submit-sheet" in page
    for name in ("target", "walkaway", "first_move"):
        assert re.search(rf'<label for="fig-{name}">', page)
        box = re.search(rf'<input id="fig-{name}"[^>]*>', page, re.DOTALL).group(0)
        assert 'inputmode="decimal"' in box and f'name="figure-{name}"' in box and 'type="text"' in box
    assert "<strong>walk-away discount</strong>" in page and 'class="unit" aria-hidden="true">%<' in page
    assert "from 0% to 20%" in page
    assert "data-choice" not in page
    # the sheet asks for the walk-away: the ledger beside it does not give the scenario's answer
    ledger = page[page.index("Negotiation ledger") :]
    assert "walk-away" not in ledger and "6%" not in ledger


def test_a_refused_figure_is_said_beside_its_box_and_the_others_are_kept(app, client, trainee):
    attempt_id = start(client, SLUG)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    response = post_sheet(client, attempt_id, seq_of(page), target="2,5", walkaway="25", first_move="")
    assert response.status_code == 422
    html = response.get_data(as_text=True).replace("\u00a0", " ")
    assert 'id="fig-walkaway-error"' in html and "Write a figure from 0% to 20%." in html
    assert 'id="fig-first_move-error"' in html and "Write a figure." in html
    assert 'id="fig-target-error"' not in html
    assert re.search(r'<input id="fig-target"[^>]*value="2,5"', html, re.DOTALL)  # kept as typed
    assert re.search(r'<input id="fig-walkaway"[^>]*value="25"[^>]*aria-invalid="true"', html, re.DOTALL)
    response = post_sheet(client, attempt_id, seq_of(page), target="deux", walkaway="6", first_move="2")
    assert response.status_code == 422 and "Write a number, like 12 or 12.5." in response.get_data(
        as_text=True
    )
    assert steps(app, attempt_id) == 0  # nothing written


def test_french_decimals_are_graded_recorded_once_and_shown_back(app, client, trainee):
    attempt_id = start(client, SLUG)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    seq = seq_of(page)
    response = post_sheet(client, attempt_id, seq, target="2,5", walkaway="5,5 %", first_move="1.5")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "data-feedback" in html and "The figures you wrote" in html
    assert 'data-figure-result="walkaway"' in html and "You did the sum" in html
    assert html.count('data-rating="best"') == 3
    again = post_sheet(
        client, attempt_id, seq, target="9", walkaway="19", first_move="9"
    )  # double click, second tab
    assert again.status_code == 200 and "You did the sum" in again.get_data(as_text=True)
    assert steps(app, attempt_id) == 1
    with app.app_context():
        step = db.session.scalar(select(AttemptStep).where(AttemptStep.attempt_id == attempt_id))
        assert step.kind == "sheet" and step.choice is None
        assert [(f["field"], f["value"], f["rating"]) for f in step.effects["figures"]] == [
            ("target", 2.5, "best"),
            ("walkaway", 5.5, "best"),
            ("first_move", 1.5, "best"),
        ]
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        assert attempt.state["vars"]["walkaway"] == 5.5 and attempt.state["scores"]["preparation"] == 10
    assert client.get(f"/learn/attempts/{attempt_id}/steps/{seq}").status_code == 200  # a reload
    player = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    ledger = player[player.index("Negotiation ledger") :]
    assert "walk-away 5.5%" in ledger  # the walk-away the rep wrote, not the file's 6%


def test_the_manager_sees_the_figures_with_their_ratings(app, client, factory):
    from tests.helpers import play, team_with_manager, worst

    publish_course(app)
    manager, _team_id, (person,) = team_with_manager(factory, trainees=1)
    attempt_id = play(app, person.id, SLUG, pick=worst)
    login(client, manager.email)
    page = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "The figures the trainee wrote" in page and 'data-figure-result="walkaway"' in page
    assert "(walk-away)" in page and page.count('data-rating="poor"') >= 3
    assert "13.5" in page  # the middle of the lowest-rated range, 7..20


def test_in_a_challenge_the_sheet_answers_with_the_next_scene_and_its_grades_wait_for_the_debrief(
    app, client, trainee
):
    response = client.post(f"/learn/scenarios/{SLUG}/start", data={"mode": "challenge"})
    attempt_id = int(re.search(r"/learn/attempts/(\d+)$", response.headers["Content-Location"]).group(1))
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-sheet" in page and "data-challenge" in page
    response = post_sheet(client, attempt_id, seq_of(page), target="2", walkaway="6", first_move="2")
    assert response.status_code == 200 and response.headers["Content-Location"].endswith(
        f"/learn/attempts/{attempt_id}"
    )
    assert client.get(f"/learn/attempts/{attempt_id}/steps/1").status_code == 303  # no peeking
    scene = response.get_data(as_text=True)  # the next scene, in the answer to the sheet
    assert f'<link rel="canonical" href="/learn/attempts/{attempt_id}">' in scene
    assert "data-signal-pick" in scene and "You did the sum" not in scene and "Best answer" not in scene


def test_what_to_coach_shows_the_figures_the_team_wrote_against_the_ranges(app, client, factory):
    from app.content import playtest
    from tests.helpers import play, team_with_manager, worst

    publish_course(app)
    manager, _team_id, (a, b) = team_with_manager(factory, trainees=2)
    play(app, a.id, SLUG, pick=worst)
    play(app, b.id, SLUG, pick=playtest.best_pick)
    login(client, manager.email)
    page = client.get(f"/manage/analytics?scenario={SLUG}").get_data(as_text=True)
    assert "data-sheet-figures" in page and "Figures the team wrote on preparation sheets" in page
    section = page[page.index("data-sheet-figures") :]
    walkaway = section[section.index("walk-away discount") :]
    walkaway = walkaway[: walkaway.index("<h3")]
    assert "2 written, from 6% to 13.5%; median 9.75%" in walkaway
    rows = dict(re.findall(r'data-range="([\d.]+\.\.[\d.]+)".*?<strong>(\d+)</strong>', walkaway, re.DOTALL))
    assert rows == {"0..5": "0", "5..7": "1", "7..20": "1"}
