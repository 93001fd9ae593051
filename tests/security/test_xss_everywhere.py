"""The XSS corpus where test_xss_corpus.py does not reach: people's and teams' names (an admin
can type anything), coaching comments, audit entries, the trainee's debrief after a full play,
and the manager's transcript of that play. Every page is parsed: no inline script, no event
handler, no javascript:/data: URL, no style attribute, from any of them."""

import re

import pytest

from app.extensions import db
from app.models import CoachingComment, User
from tests.helpers import login
from tests.security.world import SCENARIO, play, publish_course, seq_of
from tests.xss import CORPUS, assert_safe

NAMES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "{{7*7}} {name}",
]


@pytest.fixture
def hostile_people(app, client, factory):
    """An admin creates a team and people with hostile names through the admin pages."""
    publish_course(app)
    admin = factory.user(role="admin")
    login(client, admin.email)
    manager = factory.user(role="manager", name=NAMES[2])
    assert client.post("/admin/teams", data={"name": NAMES[1], "manager_id": manager.id}).status_code == 302
    with app.app_context():
        from app.models import Team

        team = db.session.query(Team).filter_by(name=NAMES[1]).one().id
    trainees = []
    for n, name in enumerate(NAMES):
        answer = client.post(
            "/admin/users",
            data={
                "name": name,
                "email": f"hostile{n}@example.com",
                "password": "a long enough pass",
                "role": "trainee",
                "team_id": team,
                "hire_date": "2026-11-02",
            },
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
        with app.app_context():
            trainees.append(db.session.query(User).filter_by(email=f"hostile{n}@example.com").one().id)
    attempt = play(app, trainees[0], SCENARIO)
    with app.app_context():
        for payload in CORPUS[:20]:
            db.session.add(CoachingComment(attempt_id=attempt, author_id=manager.id, body=payload))
        db.session.commit()
    # a failed login with a hostile email lands in the audit log
    login(app.test_client(), "<script>alert(1)</script>@example.com", "wrong-password")
    return {"admin": admin, "manager": manager, "team": team, "trainees": trainees, "attempt": attempt}


def _check(client, paths):
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        html = answer.get_data(as_text=True)
        assert_safe(html, path)
        assert "<script>alert" not in html, path


def test_hostile_names_are_inert_on_admin_pages(app, client, hostile_people):
    s = hostile_people
    _check(
        client,
        [
            "/admin/",
            f"/admin/users/{s['trainees'][0]}",
            f"/admin/teams/{s['team']}",
            "/admin/audit",
            "/admin/?q=%3Cscript%3E",
        ],
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/admin/").get_data(as_text=True)


def test_hostile_names_and_comments_are_inert_on_manager_pages(app, hostile_people):
    s = hostile_people
    client = app.test_client()
    login(client, s["manager"].email)
    _check(
        client,
        [
            "/manage/",
            "/manage/?sort=name",
            "/manage/assignments",
            "/manage/analytics",
            f"/manage/analytics?scenario={SCENARIO}",
            *(f"/manage/trainees/{t}" for t in s["trainees"]),
            f"/manage/attempts/{s['attempt']}",
        ],
    )
    for path in ("/manage/export/progress.csv", "/manage/export/attempts.csv"):
        answer = client.get(path)
        assert answer.status_code == 200 and answer.mimetype == "text/csv", path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_hostile_names_and_comments_are_inert_on_the_trainees_pages(app, hostile_people):
    s = hostile_people
    client = app.test_client()
    login(client, "hostile0@example.com", "a long enough pass")
    _check(
        client,
        [
            "/learn/",
            "/learn/progress",
            "/account",
            f"/learn/attempts/{s['attempt']}",
            f"/learn/attempts/{s['attempt']}/steps/1",
            f"/learn/scenarios/{SCENARIO}",
        ],
    )


def test_hostile_author_name_is_inert_in_the_studio(app, factory):
    publish_course(app)
    trainer = factory.user(role="trainer", name=NAMES[0])
    client = app.test_client()
    login(client, trainer.email)
    _check(
        client,
        [
            "/author/",
            f"/author/scenario/{SCENARIO}/versions",
            f"/author/scenario/{SCENARIO}/edit",
            "/account",
        ],
    )


def _play_to_the_end(client, attempt_path, pick):
    """Answer until the debrief, checking every page on the way; returns the pages seen."""
    seen = 0
    for _ in range(30):
        html = client.get(attempt_path).get_data(as_text=True)
        assert_safe(html, attempt_path)
        seen += 1
        seq = seq_of(html)
        if seq is None:
            return html, seen
        data = {"seq": seq}
        if 'name="choice"' in html:
            data["choice"] = pick
        answer = client.post(attempt_path + "/step", data=data, follow_redirects=True)
        assert answer.status_code == 200
        assert_safe(answer.get_data(as_text=True), f"after step {seq}")
    raise AssertionError("the play did not end")


@pytest.mark.parametrize("pick", ["1", "13"])  # choice 13 is the "Poor" ending with its own debrief
def test_corpus_scenario_played_to_its_debrief_then_read_by_a_manager(app, factory, world, pick):  # noqa: F811
    _, trainee = world
    client = app.test_client()
    login(client, trainee.email)
    page = client.get("/learn/scenarios/xss-play").get_data(as_text=True)
    assert_safe(page, "briefing")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    started = client.post(
        "/learn/scenarios/xss-play/start", data={"csrf_token": token.group(1) if token else ""}
    )
    attempt_path = re.search(r"(/learn/attempts/\d+)", started.headers["Content-Location"]).group(1)
    debrief, _ = _play_to_the_end(client, attempt_path, pick)
    assert "Debrief" in debrief or "debrief" in debrief
    attempt_id = int(attempt_path.rsplit("/", 1)[1])
    manager = factory.user(role="manager", name=NAMES[1])
    team = factory.team(manager=manager, name=NAMES[0])
    with app.app_context():
        db.session.get(
            User, trainee.id
        ).team_id = team  # the manager's transcript needs the rep in their team
        db.session.commit()
    manager_client = app.test_client()
    login(manager_client, manager.email)
    for path in (
        f"/manage/attempts/{attempt_id}",
        f"/manage/trainees/{trainee.id}",
        "/manage/analytics?scenario=xss-play",
        "/manage/",
    ):
        answer = manager_client.get(path)
        assert answer.status_code == 200, path
        assert_safe(answer.get_data(as_text=True), path)
