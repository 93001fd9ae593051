"""The manager's pages: dashboard, assignments, analytics, drill-down, transcript, comments, CSV."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Assignment, CoachingComment
from app.services import coaching, outline, team_dashboard, team_exports
from tests.helpers import complete_module, login, play, publish_course, study, team_with_manager, worst


@pytest.fixture
def team(app, client, factory):
    publish_course(app)
    manager, team_id, people = team_with_manager(factory, trainees=3)
    login(client, manager.email)
    return manager, team_id, people


def test_dashboard_shows_overdue_first_with_words_not_only_colour(app, client, team):
    manager, team_id, (a, b, c) = team
    complete_module(app, a.id, "crm-data-that-matters")
    study(app, b.id, "crm-data-that-matters", pages=2)
    _assign_late(app, manager, team_id, "module", "crm-data-that-matters", days_late=2)
    page = client.get("/manage/").get_data(as_text=True)
    assert "2 days late" in page and "Done" in page and "Not started" in page
    # a has done it: b and c (late) come before a
    assert page.index(b.name) < page.index(a.name) and page.index(c.name) < page.index(a.name)
    assert "2</strong> of 3 trainees late" in page
    by_name = client.get("/manage/?sort=name").get_data(as_text=True)
    assert by_name.index(a.name) < by_name.index(b.name) < by_name.index(c.name)
    for sort in ("activity", "completion", "attention", "bogus"):
        assert client.get(f"/manage/?sort={sort}&order=desc").status_code == 200


def _assign_late(app, manager, team_id, kind, slug, days_late):
    """An assignment whose date has passed (the forms refuse a past date: it got late)."""
    from app.models import User
    from app.services.assignments import assigning

    with app.app_context():
        assigning.assign(
            db.session.get(User, manager.id),
            kind,
            slug,
            team_id=team_id,
            due_date=date.today() - timedelta(days=days_late),
        )
        db.session.commit()


def _count_statements(app, client, path):
    statements = []
    with app.app_context():
        engine = db.engine

        def count(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_sql_statements_do_not_grow_with_the_team(app, client, factory, team):
    manager, team_id, people = team
    for person in people:
        play(app, person.id, "ranking-the-pipeline")
        study(app, person.id, "crm-data-that-matters", quiz_percent=90)
    with app.app_context():
        outline.load_outline()  # warm the parse cache, no more
    small_first = _count_statements(app, client, "/manage/")  # folds and stores the summaries
    small = _count_statements(app, client, "/manage/")
    for n in range(37):
        person = factory.user(team=team_id)
        if n % 3 == 0:
            play(app, person.id, "ranking-the-pipeline")
            study(app, person.id, "crm-data-that-matters", quiz_percent=50)
    with app.app_context():
        from app.models import User

        assert db.session.scalar(select(func.count()).select_from(User).where(User.team_id == team_id)) == 40
    large_first = _count_statements(app, client, "/manage/")  # 37 new trainees to fold
    large = _count_statements(app, client, "/manage/")
    assert small == large <= 10
    # Folding the stale summaries is one statement and storing them one more, whatever their
    # number (in a savepoint of the request's transaction: two statements more).
    assert small_first == large_first == large + 4 <= 12
    assert _count_statements(app, client, "/manage/?page=2&sort=name") == large


def test_analytics_statements_do_not_grow_with_the_team_or_its_records(app, client, factory, team):
    """Each report of the analytics page is one statement over the team's attempts, however
    many trainees, attempts and steps (cost grows with the records, statements do not)."""
    manager, team_id, people = team
    play(app, people[0].id, "ranking-the-pipeline", pick=worst)
    play(app, people[0].id, "signals-at-the-trade-fair", pick=worst)
    for path in ("/manage/analytics", "/manage/analytics?scenario=ranking-the-pipeline"):
        _count_statements(app, client, path)  # per-process caches warm
    small = [
        _count_statements(app, client, path)
        for path in ("/manage/analytics", "/manage/analytics?scenario=ranking-the-pipeline")
    ]
    for person in people:
        play(app, person.id, "ranking-the-pipeline", pick=worst)
        play(app, person.id, "signals-at-the-trade-fair")
    for _ in range(5):
        play(app, factory.user(team=team_id).id, "ranking-the-pipeline", pick=worst)
    large = [
        _count_statements(app, client, path)
        for path in ("/manage/analytics", "/manage/analytics?scenario=ranking-the-pipeline")
    ]
    assert small == large


def test_dashboard_pages_large_teams(make_app, factory):
    app = make_app(PAGE_SIZE=5)
    client = app.test_client()
    publish_course(app)
    manager, team_id, _ = team_with_manager(factory, trainees=0)
    people = [factory.user(team=team_id, name=f"Rep {n:02}") for n in range(12)]
    login(client, manager.email)
    first = client.get("/manage/?sort=name").get_data(as_text=True)
    assert "Page 1 of 3" in first and people[0].name in first and people[11].name not in first
    third = client.get("/manage/?sort=name&page=3").get_data(as_text=True)
    assert people[11].name in third and people[0].name not in third
    assert client.get("/manage/?page=99").status_code == 200


def test_assign_change_cancel_through_the_forms(app, client, team):
    manager, team_id, (a, b, _) = team
    assert client.get("/manage/assignments").status_code == 200
    data = {
        "target": "scenario:the-stalled-project",
        "assignee": f"user:{a.id}",
        "due_mode": "days",
        "due_days": "10",
    }
    assert client.post("/manage/assignments", data=data).status_code == 302
    assert client.post("/manage/assignments", data=data).status_code == 302  # double click
    with app.app_context():
        [row] = db.session.scalars(select(Assignment)).all()
        assert (row.user_id, row.due_days_after_hire, row.due_date) == (a.id, 10, None)
        row_id = row.id
    response = client.post(
        f"/manage/assignments/{row_id}?back={a.id}", data={"due_mode": "date", "due_date": "2027-02-01"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/trainees/{a.id}")
    with app.app_context():
        assert db.session.get(Assignment, row_id).due_date == date(2027, 2, 1)
    page = client.get(f"/manage/trainees/{a.id}").get_data(as_text=True)
    assert "The stalled project" in page or "the-stalled-project" in page
    # a date in the past: refused beside the field, on the page it came from, nothing written
    past = (date.today() - timedelta(days=1)).isoformat()
    refused = client.post(
        f"/manage/assignments/{row_id}?back={a.id}", data={"due_mode": "date", "due_date": past}
    )
    assert refused.status_code == 400
    assert f'id="due-{row_id}-due_date-error">That date has passed' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, row_id).due_date == date(2027, 2, 1)
    # cancelling asks first (a page, no script needed), then offers an Undo
    confirm = client.get(f"/manage/assignments/{row_id}/cancel?back={a.id}").get_data(as_text=True)
    assert "Cancel this assignment?" in confirm and "Keep it" in confirm
    with app.app_context():
        assert db.session.get(Assignment, row_id).cancelled_at is None  # asking wrote nothing
    done = client.post(f"/manage/assignments/{row_id}/cancel?back={a.id}")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/manage/trainees/{a.id}")
    with app.app_context():
        assert db.session.get(Assignment, row_id).cancelled_at is not None
    page = client.get(f"/manage/trainees/{a.id}").get_data(as_text=True)
    assert "Assignment cancelled." in page and f"/manage/assignments/{row_id}/undo" in page
    assert f"/manage/assignments/{row_id}/undo" not in client.get(f"/manage/trainees/{a.id}").get_data(
        as_text=True
    )
    assert client.post(f"/manage/assignments/{row_id}/cancel").status_code == 404  # already gone
    for _ in range(2):  # double click
        assert client.post(f"/manage/assignments/{row_id}/undo?back={a.id}").status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
        assert [(r.id == row_id, r.cancelled_at is None, r.due_date) for r in rows] == [
            (True, False, date(2027, 2, 1)),
            (False, True, date(2027, 2, 1)),
        ]  # the record kept


def test_a_past_due_date_is_refused_and_nothing_written(app, client, team):
    _, team_id, _ = team
    past = (date.today() - timedelta(days=3)).isoformat()
    response = client.post(
        "/manage/assignments",
        data={
            "target": "module:pao-action-plans",
            "assignee": f"team:{team_id}",
            "due_mode": "date",
            "due_date": past,
        },
    )
    assert response.status_code == 400
    assert 'id="new-due_date-error">That date has passed: choose today or a later date.' in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    today = client.post(
        "/manage/assignments",
        data={
            "target": "module:pao-action-plans",
            "assignee": f"team:{team_id}",
            "due_mode": "date",
            "due_date": date.today().isoformat(),
        },
    )
    assert today.status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"target": "", "assignee": "team:{team}", "due_mode": "date", "due_date": "2027-01-01"},
            "Choose what to assign.",
        ),
        (
            {
                "target": "module:nope",
                "assignee": "team:{team}",
                "due_mode": "date",
                "due_date": "2027-01-01",
            },
            "not published",
        ),
        (
            {
                "target": "module:pao-action-plans",
                "assignee": "team:{team}",
                "due_mode": "date",
                "due_date": "",
            },
            "Give a due date",
        ),
        (
            {
                "target": "module:pao-action-plans",
                "assignee": "team:{team}",
                "due_mode": "date",
                "due_date": "31/12/2026",
            },
            "Not a valid date",
        ),
        (
            {
                "target": "module:pao-action-plans",
                "assignee": "team:{team}",
                "due_mode": "days",
                "due_days": "-3",
            },
            "between 0 and 730",
        ),
        (
            {"target": "module:pao-action-plans", "assignee": "someone", "due_mode": "days", "due_days": "3"},
            "Choose a trainee or a team",
        ),
        (
            {
                "target": "<script>alert(1)</script>",
                "assignee": "team:{team}",
                "due_mode": "days",
                "due_days": "3",
            },
            "from the list",
        ),
    ],
)
def test_bad_assignments_get_a_clear_message_and_nothing_written(app, client, team, data, message):
    _, team_id, _ = team
    data = {k: v.replace("{team}", str(team_id)) for k, v in data.items()}
    response = client.post("/manage/assignments", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_drill_down_transcript_and_comment(app, client, team):
    manager, team_id, (a, _, _) = team
    attempt_id = play(app, a.id, "signals-at-the-trade-fair", pick=worst)
    page = client.get(f"/manage/trainees/{a.id}").get_data(as_text=True)
    assert f"/manage/attempts/{attempt_id}" in page and "Not passed" in page
    transcript = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "Coach notes" in transcript and "Chose:" in transcript and "Debrief" in transcript
    assert "; it was " in transcript  # a misread phase, in words
    body = "Good opening.\nNext time: ask about budget before naming a phase. <b>=1+1</b>"
    for _ in range(2):  # double submit
        response = client.post(f"/manage/attempts/{attempt_id}/comments", data={"body": body})
        assert response.status_code == 302
    with app.app_context():
        from app.services.comments import of_attempt as comments_for_attempt

        [comment] = comments_for_attempt(attempt_id)
        assert comment.body == body and comment.author_id == manager.id
    shown = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "&lt;b&gt;=1+1&lt;/b&gt;" in shown
    assert client.post(f"/manage/attempts/{attempt_id}/comments", data={"body": "   "}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CoachingComment)) == 1


def test_analytics_page(app, client, team):
    _, _, (a, b, c) = team
    play(app, a.id, "signals-at-the-trade-fair")
    play(app, b.id, "signals-at-the-trade-fair", pick=worst)
    play(app, b.id, "signals-at-the-trade-fair", pick=worst)
    page = client.get("/manage/analytics").get_data(as_text=True)
    assert "Wrong choices the team makes most" in page and "True phase" in page and b.name in page
    one = client.get("/manage/analytics?scenario=signals-at-the-trade-fair")
    assert one.status_code == 200
    assert client.get("/manage/analytics?scenario=nope").status_code == 404


def test_csv_exports(app, client, team):
    manager, team_id, (a, b, _) = team
    with app.app_context():
        from app.models import User

        db.session.get(User, a.id).name = '=HYPERLINK("http://evil")'
        db.session.commit()
    play(app, a.id, "ranking-the-pipeline")
    play(app, b.id, "ranking-the-pipeline", finish=False)
    response = client.get("/manage/export/progress.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["team", "name", "email", "hire_date"] and len(rows) == 4
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert all(r[3] == "2026-11-01" for r in rows[1:])
    attempts = list(
        csv.reader(io.StringIO(client.get("/manage/export/attempts.csv").get_data().decode("utf-8-sig")))
    )
    assert len(attempts) == 3 and {r[7] for r in attempts[1:]} == {"finished", "in_progress"}
    started = attempts[1][8]
    assert datetime.fromisoformat(started).utcoffset() is not None  # a time with its zone
    assert datetime.fromisoformat(started).tzinfo is not None and started.endswith("+00:00")


def test_csv_times_carry_the_organisations_offset(app):
    from app import formats

    app.config["TIMEZONE"] = "Europe/Paris"
    with app.app_context():
        assert team_exports.csv_cell(datetime(2026, 12, 1, 13, 5, 7, 123)) == "2026-12-01T14:05:07+01:00"
        assert team_exports.csv_cell(date(2026, 12, 1)) == "2026-12-01"
        assert formats.when(datetime(2026, 7, 1, 22, 30)) == "2 Jul 2026, 00:30"  # summer time, next day


def test_drill_down_coaching_is_the_trainees_own(app, client, team):
    """The drill-down's "to work on" reads that trainee's steps only, and says what the team
    view says about them."""
    _, team_id, (a, b, _) = team
    play(app, a.id, "signals-at-the-trade-fair", pick=worst)
    play(app, a.id, "signals-at-the-trade-fair", pick=worst)
    play(app, b.id, "signals-at-the-trade-fair", pick=worst)
    with app.app_context():
        whole = {c["id"]: c for c in coaching.coaching_list({team_id})}
        assert set(whole) == {a.id, b.id}
        assert coaching.coaching_list({team_id}, trainee_id=a.id) == [whole[a.id]]
        assert coaching.coaching_list({team_id}, trainee_id=b.id) == [whole[b.id]]
    assert whole[a.id]["skills"] or whole[a.id]["phases"]
    assert client.get(f"/manage/trainees/{a.id}").status_code == 200


def test_drill_down_names_an_attempt_started_over(app, client, team):
    from sqlalchemy import update

    from app.models import ScenarioAttempt

    _, _, (a, _, _) = team
    attempt_id = play(app, a.id, "signals-at-the-trade-fair", finish=False)
    with app.app_context():
        db.session.execute(
            update(ScenarioAttempt).where(ScenarioAttempt.id == attempt_id).values(status="abandoned")
        )
        db.session.commit()
    assert "Started over" in client.get(f"/manage/trainees/{a.id}").get_data(as_text=True)
    page = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert (
        "Started over" in page and "this attempt has no debrief" in page and "coaching comments page" in page
    )


def _text_nodes(html):
    """The visible text of a page, node by node (tags, attributes and scripts left out)."""
    import re

    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return {t.strip() for t in re.findall(r">([^<]+)<", html) if t.strip()}


def test_manager_pages_show_titles_never_internal_ids(app, client, team):
    """Node ids, skill tags, phase ids and raw outcomes never appear as text on a manager's
    page: the titles the trainee sees do (or the first words of a step)."""
    from app.services import publishing

    _, team_id, (a, b, _) = team
    attempt_id = play(app, a.id, "signals-at-the-trade-fair", pick=worst)
    play(app, b.id, "ranking-the-pipeline", pick=worst)
    play(app, b.id, "ranking-the-pipeline")
    with app.app_context():
        ids = set()
        for slug in ("signals-at-the-trade-fair", "ranking-the-pipeline"):
            scenario = publishing.value_of(publishing.published("scenario", slug))
            ids |= {n.id for n in scenario.nodes} | {n.skill for n in scenario.nodes if n.skill}
            ids |= {n.end for n in scenario.nodes if n.end}
        course = publishing.published_course("business-relationship")
        ids |= {p.id for p in course.phases}
    for path in (
        "/manage/",
        "/manage/analytics",
        "/manage/analytics?scenario=ranking-the-pipeline",
        f"/manage/trainees/{a.id}",
        f"/manage/trainees/{b.id}",
        f"/manage/attempts/{attempt_id}",
    ):
        shown = _text_nodes(client.get(path).get_data(as_text=True))
        leaked = shown & ids
        assert not {t for t in shown if t.startswith(("Passed ", "Not passed ")) and t.split(" ")[-1] in ids}
        assert not leaked, (path, leaked)
    transcript = client.get(f"/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "Reading the project&#39;s maturity" in transcript and "; it was " in transcript


def test_inactive_counts_only_trainees_who_had_a_week_to_start(app, client, factory):
    """Inactive for a week: active before and quiet since, or hired (and given an account) more
    than a week ago without starting; someone created today who never logged in is not started."""
    from datetime import datetime

    from sqlalchemy import update

    from app.models import User

    publish_course(app)
    manager, team_id, (fresh, hired_long_ago, quiet, busy) = team_with_manager(factory, trainees=4)
    today = date.today()
    with app.app_context():
        long_ago = datetime.utcnow() - timedelta(days=40)
        db.session.execute(update(User).where(User.id == fresh.id).values(hire_date=today))
        db.session.execute(
            update(User)
            .where(User.id.in_([hired_long_ago.id, quiet.id, busy.id]))
            .values(created_at=long_ago, hire_date=today - timedelta(days=40))
        )
        db.session.commit()
    study(app, quiet.id, "crm-data-that-matters", pages=1, when=datetime.utcnow() - timedelta(days=9))
    study(app, busy.id, "crm-data-that-matters", pages=1)
    login(client, manager.email)
    with app.app_context():
        rows, _ = team_dashboard.team_rows({team_id}, today=today)
        states = {r.id: r.activity(today) for r in rows}
    assert states == {
        fresh.id: "not started",
        hired_long_ago.id: "inactive",
        quiet.id: "inactive",
        busy.id: "active",
    }
    page = client.get("/manage/").get_data(as_text=True)
    assert "<strong>2</strong> inactive for a week or more" in page and "1 new, not started yet" in page


def test_coaching_reads_only_attempts_that_did_not_pass(app, client, team):
    """Weak choices made on the way to a pass flag nothing; the same choices in an attempt that
    did not pass do, and the list says so."""
    from app.content import playtest

    _, team_id, (a, b, _) = team

    play(app, a.id, "signals-at-the-trade-fair", pick=playtest.best_pick)  # passed
    with app.app_context():
        assert coaching.coaching_list({team_id}, trainee_id=a.id) == []
    failed = play(app, b.id, "signals-at-the-trade-fair", pick=worst)
    with app.app_context():
        from app.models import ScenarioAttempt

        assert db.session.get(ScenarioAttempt, failed).passed is False
        [entry] = coaching.coaching_list({team_id})
        assert entry["id"] == b.id
        weak = entry["skills"] + entry["phases"]
        assert weak and all(w["failed_attempts"] == 1 and w["attempts"][0]["id"] == failed for w in weak)
    page = client.get("/manage/analytics").get_data(as_text=True)
    assert "in 1 attempt that did not pass" in page
    # the passing attempt's trainee: the drill-down says why nothing is flagged
    assert "did not pass (weak choices on the way to a pass are left out)" in client.get(
        f"/manage/trainees/{a.id}"
    ).get_data(as_text=True)


def test_the_same_steps_flag_nothing_once_the_attempt_passed(app, team):
    """Only the pass differs: the weak choices of an attempt that passed are not coached."""
    from sqlalchemy import update

    from app.models import ScenarioAttempt

    _, team_id, (a, _, _) = team
    attempt_id = play(app, a.id, "signals-at-the-trade-fair", pick=worst)
    with app.app_context():
        assert coaching.coaching_list({team_id})
        db.session.execute(
            update(ScenarioAttempt).where(ScenarioAttempt.id == attempt_id).values(passed=True)
        )
        assert coaching.coaching_list({team_id}) == []
        db.session.rollback()


def _coaching_by_hand(team_id, limit):
    """The coaching list's entries counted from the steps one by one, as the rule reads: the
    choices of the attempts that did not pass, per trainee and skill (good: rated best or good)
    and per phase read (good: read right), the latest attempts with a weak one first."""
    from app.models import AttemptSignal, AttemptStep, ScenarioAttempt, User

    tally = {}
    steps = db.session.scalars(
        select(AttemptStep)
        .join(ScenarioAttempt)
        .join(User, User.id == ScenarioAttempt.user_id)
        .where(User.team_id == team_id, AttemptStep.choice.is_not(None))
    )
    for step in steps:
        attempt = step.attempt
        if attempt.status != "abandoned" and not (attempt.status == "finished" and not attempt.passed):
            continue
        read = [("skills", step.skill or "untagged", step.rating in ("best", "good"))]
        phase = step.phase
        if step.kind == "signals":  # a pick's reading is its first verdict's
            phase = db.session.scalar(
                select(AttemptSignal.reading)
                .where(AttemptSignal.step_id == step.id)
                .order_by(AttemptSignal.item)
            )
        read.append(("phases", phase, bool(step.read_right)))
        for kind, key, good in read:
            if not key:
                continue
            entry = tally.setdefault(
                (attempt.user_id, kind, key), {"total": 0, "good": 0, "in": set(), "weak": {}}
            )
            entry["total"] += 1
            entry["good"] += good
            entry["in"].add(attempt.id)
            if not good:
                entry["weak"][attempt.id] = attempt.started_at
    out = {}
    for (user_id, kind, key), entry in tally.items():
        score = round(100 * entry["good"] / entry["total"])
        if entry["total"] >= coaching.COACH_MIN_CHOICES and score < coaching.COACH_BELOW:
            latest = sorted(entry["weak"], key=lambda a: (-entry["weak"][a].timestamp(), a))[:limit]
            out[(user_id, kind, key)] = (score, entry["total"], len(entry["in"]), latest)
    return out


@pytest.mark.parametrize("limit", [3, 1, 0])
def test_the_coaching_list_counts_as_the_steps_read_one_by_one(app, team, limit):
    """The list is counted in the database: its scores, totals, attempts and the latest weak
    attempts (at most `limit`, newest first) are what the steps say, read one by one."""
    from app.content import playtest

    _, team_id, (a, b, c) = team
    start = datetime(2026, 11, 2, 9, 0)
    for n in range(5):  # more weak attempts than are shown, started in no order of their ids
        play(app, a.id, "signals-at-the-trade-fair", pick=worst, when=start + timedelta(days=(3 * n) % 5))
    play(app, a.id, "ranking-the-pipeline", pick=worst, when=start + timedelta(days=7))
    play(app, b.id, "ranking-the-pipeline", pick=worst, when=start)
    play(app, b.id, "ranking-the-pipeline", pick=playtest.best_pick, when=start + timedelta(days=1))
    play(app, c.id, "signals-at-the-trade-fair", pick=worst, when=start, finish=False)  # under way
    with app.app_context():
        listed = coaching.coaching_list({team_id}, limit_attempts=limit)
        expected = _coaching_by_hand(team_id, limit)
        found = {
            (entry["id"], kind, item["skill" if kind == "skills" else "phase"]): (
                item["score"],
                item["total"],
                item["failed_attempts"],
                [e["id"] for e in item["attempts"]],
            )
            for entry in listed
            for kind in ("skills", "phases")
            for item in entry[kind]
        }
    assert found == expected and {e["id"] for e in listed} == {a.id, b.id}
    assert any(failed > limit for _, _, failed, _ in found.values())  # the limit is met


def test_the_two_reports_read_once_say_what_each_reads_alone(app, team):
    """The analytics page reads the team's choices once (step_counts) for the phase matrix and
    the skill scores: each says the same as when it reads them itself, and the skill scores are
    what the steps say, read one by one."""
    from app.models import AttemptStep
    from app.services import team_analytics

    _, team_id, (a, b, _) = team
    play(app, a.id, "signals-at-the-trade-fair", pick=worst)
    play(app, b.id, "signals-at-the-trade-fair")
    play(app, b.id, "ranking-the-pipeline", pick=worst)
    with app.app_context():
        for scenario in (None, "ranking-the-pipeline"):
            counts = team_analytics.step_counts({team_id}, scenario)
            for language in ("en", "fr"):
                assert team_analytics.phase_matrix(
                    {team_id}, scenario, language=language, counts=counts
                ) == team_analytics.phase_matrix({team_id}, scenario, language=language)
            assert team_analytics.skill_scores(
                {team_id}, scenario, counts=counts
            ) == team_analytics.skill_scores({team_id}, scenario)
        by_skill = {}
        for step in db.session.scalars(select(AttemptStep).where(AttemptStep.choice.is_not(None))):
            entry = by_skill.setdefault(step.skill or "untagged", [0, 0])
            entry[0] += 1
            entry[1] += step.rating in ("best", "good")
        assert {
            s["skill"]: [s["total"], s["good"]] for s in team_analytics.skill_scores({team_id})
        } == by_skill
        matrix = team_analytics.phase_matrix({team_id})
        assert matrix["total"] == sum(
            1
            for s in db.session.scalars(select(AttemptStep).where(AttemptStep.choice.is_not(None)))
            if s.phase
        )


def test_the_transcript_fills_the_values_the_trainee_read(app, client, team):
    """A scene that names the rep's own figures (`{first_move}`, `{given_discount}`) reads in the
    transcript as the trainee read it, with the values of that moment, never as raw placeholders."""
    from app.models import ScenarioAttempt, User
    from app.services.learning import role_play_steps, role_plays

    manager, team_id, (a, _, _) = team
    with app.app_context():
        user = db.session.get(User, a.id)
        attempt, _ = role_plays.start_attempt(user, "the-dairy-renewal", language="en")
        db.session.commit()
        steps = [
            dict(figures={"target": "2", "walkaway": "6", "first_move": "1"}),
            dict(items=[0, 1, 2]),
            dict(choice=3),  # the price is firm: on to round 1
            dict(choice=1),  # 4% off, past the first move of 1% written on the sheet
            dict(),  # Continue on "over your plan", the scene that names both figures
        ]
        for n, step in enumerate(steps, 1):
            role_play_steps.take_step(user, attempt.id, n, **step)
            db.session.commit()
        played = db.session.get(ScenarioAttempt, attempt.id)
        assert [s.node for s in played.steps][-1] == "over-your-plan"
    page = client.get(f"/manage/attempts/{attempt.id}").get_data(as_text=True)
    assert "{first_move}" not in page and "{given_discount}" not in page
    assert "a first move of 1%; you are already at 4% off" in " ".join(page.split())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_stage_cells_score_reads_as_the_templates_words(app, language):
    """The dashboard's cells take their "score 58" from StageCell (formatted once per score):
    the words and markup the template's own _() made."""
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": language}):
        for score in (0, 58, 100):
            cell = team_dashboard.StageCell("s", "Stage", 40, False, True, score)
            assert cell.score_label == render_template_string(
                "{{ _('score %(score)s', score=score) }}", score=score
            )
        assert team_dashboard.StageCell("s", "Stage", 0, False, False, None).score_label is None
