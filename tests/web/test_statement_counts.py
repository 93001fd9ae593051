"""No trainee page runs more SQL statements as the trainee's history grows: a rep who has played
a hundred role-plays gets every page with the statements of one who has played one. (A page
whose statement count grows with history is a defect: it is what turns a busy site slow.)"""

import re

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services.learning import published
from tests.helpers import choose, correct_answers, path_by_rating, publish_course, start

SLUG = "ranking-the-pipeline"
MODULE = "crm-data-that-matters"


@pytest.fixture
def course(app):
    return publish_course(app)


@pytest.fixture
def trainee(course, login_as):
    return login_as("trainee")


def statements(app, client, method, path, data=None):
    """The SQL statements of one request, the second time it is asked (per-process caches warm)."""
    client.open(path, method=method, data=data)
    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.open(path, method=method, data=data)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code in (200, 303), (path, response.status_code)
    return seen


def play_to_the_end(app, client):
    attempt_id = start(client, SLUG)
    with app.app_context():
        path = path_by_rating(SLUG)
    for number in path:
        choose(client, attempt_id, number)
    return attempt_id


def answer_check(app, client):
    """A passed check (failed ones would soon be paused)."""
    page = client.get(f"/learn/modules/{MODULE}/check").get_data(as_text=True)
    form = {
        name: value for name, value in re.findall(r'name="(submission|version_id)"[^>]*value="([^"]*)"', page)
    }
    with app.app_context():
        right = correct_answers(published.published_module(MODULE)[1])
    for number in dict.fromkeys(re.findall(r'name="q(\d+)"', page)):
        form[f"q{number}"] = [str(n) for n in right[number]]
    answered = client.post(f"/learn/modules/{MODULE}/check", data=form)
    assert answered.status_code == 303
    return answered.headers["Location"]


def some_history(app, client, rounds):
    """Finished role-plays, knowledge checks and lesson pages read again."""
    finished = [play_to_the_end(app, client) for _ in range(rounds)]
    results = [answer_check(app, client) for _ in range(rounds)]
    for number in (1, 2):
        client.get(f"/learn/modules/{MODULE}/pages/{number}")
    return finished, results


def pages(finished, results, open_attempt):
    """(label, method, path) of every page a trainee reads."""
    return [
        ("dashboard", "GET", "/learn/"),
        ("my progress", "GET", "/learn/progress"),
        ("comments", "GET", "/learn/comments"),
        ("module", "GET", f"/learn/modules/{MODULE}"),
        ("lesson page", "GET", f"/learn/modules/{MODULE}/pages/1"),
        ("knowledge check", "GET", f"/learn/modules/{MODULE}/check"),
        ("check result", "GET", results[0]),
        ("briefing", "GET", f"/learn/scenarios/{SLUG}"),
        ("start", "POST", f"/learn/scenarios/{SLUG}/start"),
        ("player", "GET", f"/learn/attempts/{open_attempt}"),
        ("debrief", "GET", f"/learn/attempts/{finished[0]}"),
        ("feedback", "GET", f"/learn/attempts/{finished[0]}/steps/1"),
    ]


def test_no_trainee_page_runs_more_statements_as_history_grows(app, client, trainee):
    finished, results = some_history(app, client, 1)
    open_attempt = start(client, SLUG)  # resumed by the start POST below
    before = {
        label: len(statements(app, client, method, path))
        for label, method, path in pages(finished, results, open_attempt)
    }
    client.post(f"/learn/attempts/{open_attempt}/start-over", data={})
    more_finished, more_results = some_history(app, client, 4)
    open_attempt = start(client, SLUG)
    after = {
        label: len(statements(app, client, method, path))
        for label, method, path in pages(finished, results, open_attempt)
    }
    assert len(more_finished) == 4 and len(more_results) == 4
    assert after == before
    assert len(before) == 12 and all(before.values())


def test_a_role_play_start_answers_with_its_first_page_in_few_statements(app, client, trainee):
    """Starting is the briefing's POST: the first page comes back in the same response, like a
    step's feedback (the lock check, the insert, the page)."""
    client.post(f"/learn/scenarios/{SLUG}/start", data={"mode": "challenge"})  # the per-process caches
    briefing = statements(app, client, "GET", f"/learn/scenarios/{SLUG}")
    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.post(f"/learn/scenarios/{SLUG}/start")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="seq" value="1"' in page
    address = response.headers["Content-Location"]
    assert (
        re.fullmatch(r"/learn/attempts/\d+", address) and f'<link rel="canonical" href="{address}">' in page
    )
    # what the briefing reads (the stage lock included) and the insert; the compiled scenario
    # and the first page come from memory
    assert sum(s.startswith("INSERT") for s in seen) == 1
    assert len(seen) <= len(briefing) + 1, "\n".join(s[:70] for s in seen)
    again = client.post(f"/learn/scenarios/{SLUG}/start")  # a reload, a double click: the same attempt
    assert again.headers["Content-Location"] == address
