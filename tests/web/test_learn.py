"""The trainee's pages: each page, each refusal, the player's hooks, replays and stale posts."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from app.extensions import db
from app.models import Assignment, AttemptStep, PageView, QuizAttempt, ScenarioAttempt
from app.services import publishing
from app.services.learning import knowledge_checks, published
from tests.helpers import (
    ROOT,
    choose,
    correct_answers,
    count,
    csrf_token_from,
    login,
    seq_of,
    start,
    win_path,
)


@pytest.fixture
def trainee(course, login_as):
    return login_as("trainee")


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_next_step_and_the_six_stages(client, trainee):
    page = client.get("/learn/").get_data(as_text=True)
    assert "Your next step" in page and "CRM data that matters" in page
    assert page.count('class="stage card') == 6 and page.count("Locked") == 5
    assert "/learn/modules/crm-data-that-matters" in page


def test_dashboard_lists_assignments_overdue_first(app, client, course, factory):
    team = factory.team()
    person = factory.user(team=team)
    with app.app_context():
        db.session.add_all(
            [
                Assignment(
                    target_kind="module",
                    target_slug="filters-and-ranking",
                    team_id=team,
                    due_date=date.today() + timedelta(days=3),
                ),
                Assignment(
                    target_kind="scenario",
                    target_slug="claire-wants-fifteen-percent",
                    user_id=person.id,
                    due_date=date.today() - timedelta(days=4),
                ),
            ]
        )
        db.session.commit()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    assigned = page[page.index("Assigned to you") :]
    assert assigned.index("Claire wants 15% off") < assigned.index("Filters and ranking")
    assert "Overdue" in page and "is-overdue" in page
    assert "Your manager asked for it first" in page  # the next step is the overdue work


def test_dashboard_query_count_is_bounded(app, client, trainee):
    client.get("/learn/")
    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/learn/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 20, statements


# --- module, lesson, knowledge check ----------------------------------------------------------


def test_module_page_and_lesson_reader(app, client, trainee):
    page = client.get("/learn/modules/crm-data-that-matters").get_data(as_text=True)
    assert "By the end you will be able to" in page and "Knowledge check" in page and "Start reading" in page
    first = client.get("/learn/modules/crm-data-that-matters/pages/1").get_data(as_text=True)
    assert "Page 1 of" in first and 'rel="next"' in first and "Module overview" in first
    client.get("/learn/modules/crm-data-that-matters/pages/1")
    assert count(app, PageView, user_id=trainee.id) == 1
    assert client.get("/learn/modules/crm-data-that-matters/pages/99").status_code == 404
    assert client.get("/learn/modules/crm-data-that-matters/pages/0").status_code == 404
    assert client.get("/learn/modules/no-such-module").status_code == 404
    with app.app_context():
        _v, module = published.published_module("crm-data-that-matters")
        last = len(module.pages)
    page = client.get(f"/learn/modules/crm-data-that-matters/pages/{last}").get_data(as_text=True)
    assert "Take the knowledge check" in page


def test_locked_module_explains_what_to_finish(app, client, trainee):
    response = client.get("/learn/modules/maturation-phases")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not open yet" in page and "Qualifying prospects" in page
    assert client.get("/learn/modules/maturation-phases/pages/1").get_data(as_text=True).count("Not open yet")
    assert count(app, PageView) == 0
    page = client.get("/learn/scenarios/claire-wants-fifteen-percent").get_data(as_text=True)
    assert "Not open yet" in page and "data-start" not in page
    response = client.post("/learn/scenarios/claire-wants-fifteen-percent/start", follow_redirects=True)
    assert "not open yet" in response.get_data(as_text=True)
    assert count(app, ScenarioAttempt) == 0


def test_assigned_module_is_open_before_its_stage(app, client, course, factory):
    person = factory.user()
    with app.app_context():
        db.session.add(
            Assignment(
                target_kind="module",
                target_slug="preparing-the-negotiation",
                user_id=person.id,
                due_date=date.today() + timedelta(days=5),
            )
        )
        db.session.commit()
    login(client, person.email)
    page = client.get("/learn/modules/preparing-the-negotiation").get_data(as_text=True)
    assert "Assigned by your manager" in page and "Not open yet" not in page
    attempt_id = start(client, "claire-wants-fifteen-percent")
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "Negotiation ledger" in page and "walk-away" in page
    assert "Coach notes" not in page


def _quiz_form(client, slug):
    page = client.get(f"/learn/modules/{slug}/check").get_data(as_text=True)
    token = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version_id" type="hidden" value="([^"]+)"', page).group(1)
    return page, token, version


def test_knowledge_check_result_feedback_and_replay(app, client, trainee):
    page, token, version = _quiz_form(client, "crm-data-that-matters")
    assert 'type="radio"' in page and "Check my answers" in page
    with app.app_context():
        _v, module = published.published_module("crm-data-that-matters")
        right = correct_answers(module)
    # incomplete: a clear message, nothing written
    response = client.post(
        "/learn/modules/crm-data-that-matters/check",
        data={"submission": token, "version_id": version, "q1": right["1"][0]},
    )
    assert response.status_code == 200 and "Answer every question" in response.get_data(as_text=True)
    assert count(app, QuizAttempt) == 0
    wrong = {f"q{n}": [1 if answers != [1] else 2] for n, answers in right.items()}
    data = {"submission": token, "version_id": version, **wrong}
    response = client.post("/learn/modules/crm-data-that-matters/check", data=data)
    assert response.status_code == 303
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not yet" in result and "Try again" in result and "Your answer" in result
    # until the check is passed, a result says what was wrong and why, not which answers are right
    assert "Correct answer" not in result and "data-answers-hidden" in result
    # the same token again (a double click, a replay) shows the first result and writes nothing
    again = client.post(
        "/learn/modules/crm-data-that-matters/check",
        data={"submission": token, "version_id": version, **{f"q{n}": a for n, a in right.items()}},
    )
    assert again.headers["Location"] == response.headers["Location"]
    assert count(app, QuizAttempt) == 1
    _page, token2, version = _quiz_form(client, "crm-data-that-matters")
    assert token2 != token
    passed = client.post(
        "/learn/modules/crm-data-that-matters/check",
        data={"submission": token2, "version_id": version, **{f"q{n}": a for n, a in right.items()}},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Passed: 100%" in passed
    # once passed, the earlier failed try shows the right answers too
    failed_again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Correct answer" in failed_again and "data-answers-hidden" not in failed_again


def test_someone_elses_quiz_result_is_not_found(app, client, course, factory):
    owner = factory.user()
    with app.app_context():
        from app.models import User

        version, module = published.published_module("crm-data-that-matters")
        attempt, _ = knowledge_checks.submit_quiz(
            db.session.get(User, owner.id), module.id, version, "tok", {"1": [1]}
        )
        db.session.commit()
        attempt_id = attempt.id
    login(client, factory.user().email)
    assert client.get(f"/learn/modules/crm-data-that-matters/check/{attempt_id}").status_code == 404


# --- the scenario player --------------------------------------------------------------------


def test_briefing_start_and_resume(app, client, trainee):
    page = client.get("/learn/scenarios/ranking-the-pipeline").get_data(as_text=True)
    assert "data-briefing" in page and "Start the role-play" in page and "data-start" in page
    attempt_id = start(client)
    assert start(client) == attempt_id  # a second click resumes, never a second attempt
    assert count(app, ScenarioAttempt) == 1
    assert "Resume the role-play" in client.get("/learn/scenarios/ranking-the-pipeline").get_data(
        as_text=True
    )
    player = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-choice="1"' in player and 'name="seq" value="1"' in player and "Your scores" in player


def test_choice_feedback_then_next_node(app, client, trainee):
    attempt_id = start(client)
    response = choose(client, attempt_id, 2, follow=False)
    assert response.status_code == 200  # the feedback comes back in the answer to the POST
    feedback = response.get_data(as_text=True)
    assert "data-feedback" in feedback and "data-continue" in feedback and "What it changed" in feedback
    # ...and names its own address, which a reload asks for: the same page, nothing re-sent
    assert f'<link rel="canonical" href="/learn/attempts/{attempt_id}/steps/1">' in feedback
    again = client.get(f"/learn/attempts/{attempt_id}/steps/1").get_data(as_text=True)

    def section(page):
        return page.split("data-feedback", 1)[1].split("</section>", 1)[0]

    assert section(again) == section(feedback)
    player = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert 'name="seq" value="2"' in player


def test_continue_is_answered_with_the_next_scene(app, client, trainee):
    attempt_id = start(client)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    for _ in range(30):  # choices until the prospect reacts and the scene asks for Continue
        if "data-continue" in page and "data-choice" not in page:
            break
        client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page), "choice": 1})
        page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    else:
        pytest.fail("no Continue on the way")
    seq, steps = seq_of(page), count(app, AttemptStep)
    answer = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq})
    # one round trip: the next scene (or the debrief) comes back with the player's address
    assert answer.status_code == 200 and answer.headers["Content-Location"] == f"/learn/attempts/{attempt_id}"
    scene = answer.get_data(as_text=True)
    assert f'<link rel="canonical" href="/learn/attempts/{attempt_id}">' in scene
    assert f'name="seq" value="{seq + 1}"' in scene or "data-debrief" in scene
    assert count(app, AttemptStep) == steps + 1
    # a double click, or a reload that sends the POST again: nothing written, back to the player
    again = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq})
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/learn/attempts/{attempt_id}")
    assert count(app, AttemptStep) == steps + 1


def test_double_post_and_stale_seq_record_one_step(app, client, trainee):
    attempt_id = start(client)
    first = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1, "choice": 2})
    second = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1, "choice": 2})
    other_tab = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1, "choice": 1})
    assert first.status_code == second.status_code == other_tab.status_code == 200

    def section(response):
        return response.get_data(as_text=True).split("data-feedback", 1)[1].split("</section>", 1)[0]

    assert section(second) == section(other_tab) == section(first)  # the first's result
    assert second.headers["Content-Location"] == first.headers["Content-Location"]
    assert count(app, AttemptStep) == 1
    shown = client.get(other_tab.headers["Content-Location"])
    assert shown.status_code == 200
    # back button: the old page's seq after the attempt moved on -> the current state
    choose(client, attempt_id, 3)
    stale = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1, "choice": 1})
    assert stale.status_code == 303 and stale.headers["Location"].endswith(f"/learn/attempts/{attempt_id}")
    assert count(app, AttemptStep) == 2


def test_choice_not_offered_is_refused(app, client, trainee):
    attempt_id = start(client)
    for bad in ({"seq": 1, "choice": 9}, {"seq": 1, "choice": 0}, {"seq": 1, "choice": -1}):
        response = client.post(f"/learn/attempts/{attempt_id}/step", data=bad, follow_redirects=True)
        assert response.status_code == 200
        assert "not offered at this point" in response.get_data(as_text=True)
    response = client.post(
        f"/learn/attempts/{attempt_id}/step", data={"seq": "x", "choice": "y"}, follow_redirects=True
    )
    assert "could not be read" in response.get_data(as_text=True)
    response = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1}, follow_redirects=True)
    assert "not offered" in response.get_data(as_text=True)  # Continue where choices are shown
    assert count(app, AttemptStep) == 0


def test_play_to_the_debrief_then_no_more_steps(app, client, trainee):
    attempt_id = start(client)
    for number in win_path(app):
        choose(client, attempt_id, number)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-debrief" in page and re.search(r'data-percent="\d+"', page)
    assert "Passed" in page and "Your conversation, step by step" in page and "Play again" in page
    with app.app_context():
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        steps, percent = attempt.step_count, attempt.percent
    assert f'data-percent="{percent}"' in page
    response = client.post(
        f"/learn/attempts/{attempt_id}/step", data={"seq": steps + 1, "choice": 1}, follow_redirects=True
    )
    assert "has ended" in response.get_data(as_text=True)
    assert count(app, AttemptStep) == steps
    replay = start(client)
    assert replay != attempt_id
    progress = client.get("/learn/progress").get_data(as_text=True)
    assert "<svg" in progress and "Ranking the pipeline" in progress


def test_coach_notes_never_reach_the_trainee(app, client, course, factory):
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
        _v, scenario = published.published_scenario("claire-wants-fifteen-percent")
        notes = [n.sections["Coach notes"] for n in scenario.nodes if "Coach notes" in n.sections]
    login(client, person.email)
    attempt_id = start(client, "claire-wants-fifteen-percent")
    for _ in range(30):
        page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
        assert "Coach notes" not in page
        for note in notes:
            assert note.strip().splitlines()[0][:60] not in page
        if "data-debrief" in page:
            break
        choose(client, attempt_id, 1)
    assert "data-debrief" in page


def test_another_trainees_attempt_is_404_and_untouched(app, client, course, factory):
    owner = factory.user()
    login(client, owner.email)
    attempt_id = start(client)
    choose(client, attempt_id, 2)
    client.post("/logout")
    intruder = app.test_client()
    login(intruder, factory.user().email)
    assert intruder.get(f"/learn/attempts/{attempt_id}").status_code == 404
    assert intruder.get(f"/learn/attempts/{attempt_id}/steps/1").status_code == 404
    assert (
        intruder.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 2, "choice": 1}).status_code == 404
    )
    assert count(app, AttemptStep) == 1
    assert intruder.get("/learn/attempts/999999").status_code == 404


def test_step_routes_refuse_get(client, trainee):
    assert client.get("/learn/attempts/1/step").status_code == 405
    assert client.get("/learn/scenarios/ranking-the-pipeline/start").status_code == 405


def test_a_post_without_csrf_token_writes_nothing(make_app, course, factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    person = factory.user()
    login(client, person.email)
    token = csrf_token_from(client, "/learn/scenarios/ranking-the-pipeline")
    response = client.post("/learn/scenarios/ranking-the-pipeline/start", data={"csrf_token": token})
    attempt_id = int(response.headers["Content-Location"].rsplit("/", 1)[1])
    refused = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": 1, "choice": 1})
    assert refused.status_code == 400
    assert count(app, AttemptStep) == 0
    assert client.post("/learn/scenarios/ranking-the-pipeline/start").status_code == 400
    assert count(app, ScenarioAttempt) == 1


def test_new_version_mid_attempt_changes_nothing_for_it(app, client, trainee):
    win = win_path(app)
    attempt_id = start(client)
    choose(client, attempt_id, win[0])
    with app.app_context():
        text = (Path(ROOT) / "scenarios" / "ranking-the-pipeline.md").read_text(encoding="utf-8")
        publishing.publish_text(
            "scenario",
            text.replace('title: "Ranking the pipeline"', 'title: "Renamed"'),
            "scenarios/ranking-the-pipeline.md",
        )
        db.session.commit()
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "Renamed" not in page and "Ranking the pipeline" in page
    for number in win[1:]:
        choose(client, attempt_id, number)
    assert "data-debrief" in client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)


PAYLOAD_SCENARIO = """---
id: xss-probe
title: "Probe <script>alert(1)</script>"
course: business-relationship
stage: qualification
persona: "<img src=x onerror=alert(1)>"
start: one
scores: {skill: [0, 0, 10]}
---

# Probe

Briefing <script>alert('brief')</script> [link](javascript:alert(1))

## one

Narrative <img src=x onerror=alert('n')> and [bad](javascript:alert(2)).

- [Pick <script>alert('c')</script>](#end) `skill +10` `rating: best`
  > Feedback <iframe src="javascript:alert(3)"></iframe> ![x](data:text/html,hi)
- [Other](#end) `rating: poor`
  > Nope <svg onload=alert(4)>

## end
`end: win`

### Debrief
Done <script>alert('d')</script> {skill}.
"""


def test_author_text_is_sanitized_everywhere(app, client, course, factory):
    with app.app_context():
        publishing.publish_text("scenario", PAYLOAD_SCENARIO, "scenarios/xss-probe.md")
        db.session.commit()
    login(client, factory.user().email)
    pages = [client.get("/learn/scenarios/xss-probe").get_data(as_text=True)]
    attempt_id = start(client, "xss-probe")
    pages.append(client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True))
    pages.append(choose(client, attempt_id, 1).get_data(as_text=True))
    pages.append(client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True))
    pages.append(client.get("/learn/progress").get_data(as_text=True))
    assert "data-debrief" in pages[-2]
    for page in pages:
        lowered = page.lower()
        assert "<script>alert" not in lowered and "<iframe" not in lowered and "<svg onload" not in lowered
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", lowered)  # no event handler attribute
        assert not re.search(r"<[a-z][^<>]*\s(href|src)\s*=\s*[\"']?\s*(javascript|data):", lowered)
    assert "&lt;img src=x onerror" in pages[0] or "onerror" not in pages[0]  # shown as text, inert


def test_start_over_closes_the_attempt_and_opens_one(app, client, trainee):
    attempt_id = start(client)
    choose(client, attempt_id, 2)
    page = client.get("/learn/scenarios/ranking-the-pipeline").get_data(as_text=True)
    assert "data-start-over" in page and "1 step taken" in page
    answers = [client.post(f"/learn/attempts/{attempt_id}/start-over") for _ in range(2)]  # a double click
    assert all(a.status_code == 303 for a in answers)
    assert answers[0].headers["Location"] == answers[1].headers["Location"] != f"/learn/attempts/{attempt_id}"
    with app.app_context():
        attempts = db.session.scalars(select(ScenarioAttempt).order_by(ScenarioAttempt.id)).all()
        assert [(a.status, a.step_count) for a in attempts] == [("abandoned", 1), ("in_progress", 0)]
        assert count(app, AttemptStep) == 1  # the first attempt's step is kept
    fresh = client.get(answers[0].headers["Location"]).get_data(as_text=True)
    assert 'name="seq" value="1"' in fresh
    # the closed attempt (another tab, an old link) takes no more steps; the trainee is sent,
    # with one message, to the attempt now open
    refused = client.post(
        f"/learn/attempts/{attempt_id}/step", data={"seq": 2, "choice": 1}, follow_redirects=True
    )
    shown = refused.get_data(as_text=True)
    assert shown.count("You started this role-play over") == 1 and 'name="seq" value="1"' in shown
    assert count(app, AttemptStep) == 1
    assert client.get(f"/learn/attempts/{attempt_id}").headers["Location"] == answers[0].headers["Location"]


def test_start_over_refused_for_a_finished_attempt_or_someone_elses(app, client, trainee, factory):
    attempt_id = start(client)
    with app.app_context():
        from app.models.base import utcnow

        db.session.execute(
            update(ScenarioAttempt).values(status="finished", percent=50, passed=False, finished_at=utcnow())
        )
        db.session.commit()
    answer = client.post(f"/learn/attempts/{attempt_id}/start-over", follow_redirects=True)
    assert "already ended" in answer.get_data(as_text=True)
    assert count(app, ScenarioAttempt) == 1
    other = app.test_client()
    login(other, factory.user().email)
    assert other.post(f"/learn/attempts/{attempt_id}/start-over").status_code == 404
