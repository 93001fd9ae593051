"""The player's signal-picking step without JavaScript: checkboxes (none required), an empty
pick refused beside the list with nothing written, the verdict on every observation after the
pick, a resubmitted pick answered with the same page; the debrief shows the verdicts, and
"try again from this step" opens a practice replay marked as such, for the trainee and the manager."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, AttemptSignal, AttemptStep, ScenarioAttempt
from tests.helpers import choose, count, login, seq_of, start, team_with_manager

SLUG = "signals-at-the-trade-fair"
TO_PICK = [1, 2, 1, 2, 3, 2, 2]


@pytest.fixture
def people(app, client, factory):
    from tests.helpers import publish_course

    publish_course(app)
    manager, _team, (trainee,) = team_with_manager(factory, trainees=1)
    with app.app_context():  # assigned: open whatever the stage locks say
        db.session.add(
            Assignment(
                target_kind="scenario", target_slug=SLUG, user_id=trainee.id, assigned_by_id=manager.id
            )
        )
        db.session.commit()
    login(client, trainee.email)
    return manager, trainee


def _at_the_pick(client):
    attempt_id = start(client, SLUG)
    for number in TO_PICK:
        choose(client, attempt_id, number)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-signal-pick" in page
    return attempt_id, page


def test_picking_signals_without_javascript(app, client, people):
    attempt_id, page = _at_the_pick(client)
    boxes = re.findall(r'<input type="checkbox" name="item" value="(\d+)"[^>]*>', page)
    assert sorted(map(int, boxes)) == list(range(7)) and "required" not in " ".join(
        re.findall(r'<input type="checkbox"[^>]*>', page)
    )
    assert "Which of these are signals of the phase “Defining the need and exploring solutions”?" in page
    seq = seq_of(page)
    steps_before = count(app, AttemptStep, attempt_id=attempt_id)

    empty = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq, "pick": "1"})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 422 and 'id="pick-error"' in text and "Tick at least one observation" in text
    assert 'aria-describedby="pick-help pick-error"' in text and "data-signal-pick" in text
    assert count(app, AttemptStep, attempt_id=attempt_id) == steps_before and count(app, AttemptSignal) == 0

    picked = client.post(
        f"/learn/attempts/{attempt_id}/step", data={"seq": seq, "pick": "1", "item": ["0", "1", "4", "x"]}
    )
    text = picked.get_data(as_text=True)
    assert picked.status_code == 200 and picked.headers["Content-Location"].endswith(f"/steps/{seq}")
    verdicts = re.findall(r'data-verdict="(\w+)"', text)
    assert sorted(verdicts) == sorted(
        ["spotted", "spotted", "missed", "missed", "mistaken", "avoided", "avoided"]
    )
    assert "Observation by observation" in text and "Your reading mixes signals" in text
    assert count(app, AttemptSignal) == 7

    again = client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq, "pick": "1", "item": ["0"]})
    assert (
        again.status_code == 200
        and re.findall(r'data-verdict="(\w+)"', again.get_data(as_text=True)) == verdicts
    )
    assert (
        count(app, AttemptSignal) == 7 and count(app, AttemptStep, attempt_id=attempt_id) == steps_before + 1
    )


def test_the_debrief_shows_the_verdicts_and_try_again_opens_a_marked_replay(app, client, people):
    manager, trainee = people
    attempt_id, page = _at_the_pick(client)
    client.post(
        f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page), "pick": "1", "item": ["4", "5", "6"]}
    )
    while True:  # the rest of the conversation, worst answers: a failed run
        page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
        if "data-debrief" in page:
            break
        numbers = re.findall(r'data-choice="(\d+)"', page)
        client.post(
            f"/learn/attempts/{attempt_id}/step",
            data={"seq": seq_of(page), **({"choice": numbers[-1]} if numbers else {})},
        )
    assert "Not passed yet" in page and 'data-verdict="mistaken"' in page
    # three phases claimed right on the way, and the pick read as noise: the pick counts as a misread
    assert "Signals read correctly: <strong>3 of 4</strong>" in page
    retry = re.findall(r'data-try-again="(\d+)"', page)
    assert str(len(TO_PICK) + 1) in retry  # the misread pick can be tried again
    seq = len(TO_PICK) + 1
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    form = {"csrf_token": token.group(1)} if token else {}
    first = client.post(f"/learn/attempts/{attempt_id}/steps/{seq}/try-again", data=form)
    second = client.post(f"/learn/attempts/{attempt_id}/steps/{seq}/try-again", data=form)  # a double click
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    replay_id = int(re.search(r"/learn/attempts/(\d+)$", first.headers["Location"]).group(1))
    assert count(app, ScenarioAttempt, user_id=trainee.id) == 2
    page = client.get(f"/learn/attempts/{replay_id}").get_data(as_text=True)
    assert "data-replay" in page and "data-signal-pick" in page and f'name="seq" value="{seq}"' in page
    client = app.test_client()  # the manager, in another browser
    login(client, manager.email)
    response = client.get(f"/manage/attempts/{replay_id}")
    transcript = response.get_data(as_text=True)
    assert response.status_code == 200, transcript[-3000:]
    assert f'data-replay-of="{attempt_id}"' in transcript and "Practice replay" in transcript
    original = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-verdict="mistaken"' in original
    analytics = client.get("/manage/analytics").get_data(as_text=True)
    assert 'data-signal="awareness/1"' in analytics and "Names the problem in their own words" in analytics


def test_the_debrief_counts_a_signal_pick_among_the_signals_read(app, client, people):
    """ "Signals read correctly" counts every step that asked for a reading, by the engine's one
    rule (StepOutcome.phase_correct): a phase claimed by a choice, and a pick's reading."""
    attempt_id, page = _at_the_pick(client)
    right = {"seq": seq_of(page), "pick": "1", "item": ["0", "1", "2", "3"]}  # the four signals
    client.post(f"/learn/attempts/{attempt_id}/step", data=right)
    while "data-debrief" not in (page := client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)):
        numbers = re.findall(r'data-choice="(\d+)"', page)
        client.post(
            f"/learn/attempts/{attempt_id}/step",
            data={"seq": seq_of(page), **({"choice": numbers[0]} if numbers else {})},
        )
    assert "Signals read correctly: <strong>4 of 4</strong>" in page


def _pick_and_finish(client, items, last=True):
    """Play to the pick, tick `items`, then take the last (worst) or first answer to the end."""
    attempt_id, page = _at_the_pick(client)
    client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page), "pick": "1", "item": items})
    while "data-debrief" not in (page := client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)):
        numbers = re.findall(r'data-choice="(\d+)"', page)
        pick = {"choice": numbers[-1 if last else 0]} if numbers else {}
        client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page), **pick})
    return attempt_id, page


DISCOVERY = "Defining the need and exploring solutions"  # the pick's `signals: discovery`, read nowhere else


def _progress_row(client, title):
    page = client.get("/learn/progress").get_data(as_text=True)
    found = re.search(rf'<tr><td>{title}</td><td class="num">(\d+ of \d+)</td>', page)
    return found and found.group(1)


def test_a_misread_pick_counts_in_my_progress_and_the_managers_coaching_list(app, client, people):
    """A pick's reading is a phase read like a choice's claim, by the same rule (read_right):
    misread twice in runs that did not pass, the trainee sees the phase misread in My progress
    and the manager finds it in the coaching list, with the attempts that show it."""
    manager, trainee = people
    attempts = [_pick_and_finish(client, ["4", "5", "6"])[0] for _run in range(2)]  # noise only
    assert _progress_row(client, DISCOVERY) == "0 of 2"
    assert (
        _progress_row(client, "Need exists but is not recognised") == "2 of 2"
    )  # the choices' claims still count
    client = app.test_client()
    login(client, manager.email)
    page = client.get(f"/manage/trainees/{trainee.id}").get_data(as_text=True)
    coached = re.search(rf'<span class="badge warn">{DISCOVERY}</span>(.*?)</li>', page, re.DOTALL)
    assert coached, page[-3000:]
    assert "read right 0% of 2, in 2 attempts that did not pass" in coached.group(1)
    assert all(f"/manage/attempts/{a}" in coached.group(1) for a in attempts)


def test_picks_in_the_history_run_no_more_statements(app, client, people):
    """The pick's reading is looked up in the statement that counts the readings: My progress
    and the manager's trainee page run as many statements after two picks as after one."""
    from tests.web.test_statement_counts import statements

    manager, trainee = people
    manager_client = app.test_client()
    login(manager_client, manager.email)

    def counted():
        return (
            len(statements(app, client, "GET", "/learn/progress")),
            len(statements(app, manager_client, "GET", f"/manage/trainees/{trainee.id}")),
        )

    _pick_and_finish(client, ["4", "5", "6"])
    once = counted()
    _pick_and_finish(client, ["4", "5", "6"])
    assert counted() == once and _progress_row(client, DISCOVERY) == "0 of 2"


def test_a_pick_read_right_counts_right_in_my_progress(app, client, people):
    _pick_and_finish(client, ["0", "1", "2", "3"], last=False)  # the four signals, nothing else
    assert _progress_row(client, DISCOVERY) == "1 of 1"


def test_the_studio_previews_and_play_tests_a_signal_pick(app, client, factory):
    from tests.helpers import publish_course

    publish_course(app)
    login(client, factory.user(role="trainer").email)
    preview = client.get(f"/author/scenario/{SLUG}/graph").get_data(as_text=True)
    assert "k-signals" in preview and "signal picking" in preview
    page = client.get(f"/author/scenario/{SLUG}/playtest?node=discovery-signals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-signal-pick" in html and html.count('name="item"') == 7
    token = re.search(r'name="play" value="([^"]+)"', html).group(1)
    step = client.post(
        f"/author/scenario/{SLUG}/playtest?node=discovery-signals",
        data={"play": token, "pick": "1", "item": ["0", "1", "2", "3"]},
    )
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and "1 spotted" in html and "7 avoided" in html
    assert "from every signal and none of the noise" in html
    empty = client.post(
        f"/author/scenario/{SLUG}/playtest?node=discovery-signals", data={"play": token, "pick": "1"}
    )
    assert "cannot be played" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptSignal)) == 0
