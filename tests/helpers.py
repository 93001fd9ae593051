"""Helpers shared by the tests (plain functions and constants; the fixtures are in conftest.py).
Test modules import from here, never from each other or from a conftest."""

import copy
import cProfile
import functools
import os
import pstats
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, func, literal, select, text

from app import jobs
from app.content import engine, playtest
from app.content.catalog import ContentSet
from app.extensions import db
from app.models import Notification, OutboxMessage, ScenarioAttempt, User
from app.models.base import utcnow
from app.services import demo_activity, publishing
from app.services.learning import published, role_play_steps, role_plays

ROOT = str(Path(__file__).resolve().parents[1])  # the project: courses/ and scenarios/
PASSWORD = "correct-horse-battery"
RANKS = {"best": 0, "good": 1, "ok": 2, None: 2, "poor": 3}


@dataclass
class Person:
    id: int
    email: str
    name: str
    role: str
    team_id: int | None = None


# --- the web client ---------------------------------------------------------------------------


def login(client, email, password=PASSWORD, follow=False, **extra):
    data = {"email": email, "password": password, **extra}
    if "csrf_token" not in data:
        token = csrf_token_from(client, "/login")
        if token:
            data["csrf_token"] = token
    return client.post("/login", data=data, follow_redirects=follow)


def csrf_token_from(client, path):
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else None


def count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return db.session.scalar(stmt)


def start(client, slug="ranking-the-pipeline"):
    """Start (or resume) a role-play through the trainee's pages; returns the attempt's id."""
    response = client.post(f"/learn/scenarios/{slug}/start")
    # the first page of the role-play, in the same response, naming its own address
    assert response.status_code == 200 and "data-attempt" in response.get_data(as_text=True), (
        response.get_data(as_text=True)[:300]
    )
    return int(re.search(r"/learn/attempts/(\d+)$", response.headers["Content-Location"]).group(1))


def seq_of(page):
    return int(re.search(r'name="seq" value="(\d+)"', page).group(1))


def choose(client, attempt_id, number, follow=True):
    """Answer the current node with choice `number`, pressing Continue first if the page asks."""
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    if "data-continue" in page and "data-choice" not in page:
        client.post(f"/learn/attempts/{attempt_id}/step", data={"seq": seq_of(page)})
        page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    return client.post(
        f"/learn/attempts/{attempt_id}/step",
        data={"seq": seq_of(page), "choice": number},
        follow_redirects=follow,
    )


def win_path(app):
    with app.app_context():
        return path_by_rating()


# --- the shipped content (courses/ and scenarios/ at the root), read and played once per process --


@functools.cache
def shipped():
    """The project's content files parsed and linted once per test process (they do not change
    while the tests run; every test database starts empty, so every test publishes them)."""
    return ContentSet.load(ROOT)


def shipped_scenario_paths():
    """Every scenario file, sources and translations, as its path under the root (read from the
    folder, so that collecting the tests parses nothing)."""
    found = Path(ROOT, "scenarios").glob("**/*.md")
    return sorted(str(p.relative_to(ROOT)) for p in found if p.name.lower() != "readme.md")


def play_group(path, value=None):
    """A test parameter (`value`, by default `path`) that joins the tests reading the play-test
    report of the scenario file at `path` (and test_best_play's engine-played endings) in one
    xdist group: under `--dist loadgroup` (pytest.ini) one worker computes what the group reads,
    where each worker computed its own copy."""
    group = "play:" + os.path.relpath(Path(ROOT, path).resolve(), ROOT)
    return pytest.param(path if value is None else value, marks=pytest.mark.xdist_group(group))


def play_report(path):
    """The play-test of `flask content test` (quicktest, scripted tests, invariants) on one
    shipped scenario file (its path, absolute or under the root): several tests read one report."""
    return _play_report(str(Path(ROOT, path).resolve()))


@functools.cache
def _play_report(path):
    loaded = shipped().files.get(path)
    assert loaded is not None and loaded.value is not None, f"{path} did not load"
    return playtest.test_scenario(loaded.value)


# --- the published course and the trainee's use cases (inside an app context) -----------------


def publish_course(app):
    """Publish the real course and scenarios, as `flask content sync` does.

    Into an empty database (most tests), the first publication of the test process is recorded
    and later ones write the same rows again (timestamps moved to now): what sync writes into an
    empty database does not change while the tests run, and writing the rows costs a twentieth of
    publishing them (lint, compile, a version and its pointer per file, the audit lines). Into a
    database that holds anything, sync runs as usual (it may depend on what is there)."""
    with app.app_context():
        key = db.engine.url.render_as_string(hide_password=False)
        empty = _is_empty()
        recorded = _published.get(key)
        if empty and recorded is not None:
            _write_rows(*recorded[:2])
            return copy.deepcopy(recorded[2])
        report = publishing.sync_files(ROOT, echo=lambda *a: None, content=shipped())
        db.session.commit()
        assert report.refused == 0, report.refusals
        if empty:
            _published[key] = (_read_rows(), utcnow(), copy.deepcopy(report))
    return report


# database URL -> (rows by table, when they were written, sync's report)
_published: dict[str, tuple[dict[str, list[dict]], datetime, publishing.SyncReport]] = {}


def _is_empty():
    tables = db.metadata.sorted_tables
    probe = select(*[select(literal(1)).select_from(t).limit(1).scalar_subquery() for t in tables])
    return all(found is None for found in db.session.execute(probe).one())


def _read_rows():
    rows = {}
    for table in db.metadata.sorted_tables:
        found = db.session.execute(table.select().order_by(*table.primary_key.columns)).mappings().all()
        if found:
            rows[table.name] = [dict(row) for row in found]
    db.session.commit()
    return rows


def _write_rows(rows, written_at):
    """Insert the recorded rows with their ids; times move by as long as the recording is old."""
    shift = utcnow() - written_at
    for table in db.metadata.sorted_tables:
        if table.name not in rows:
            continue
        times = [c.name for c in table.columns if isinstance(c.type, DateTime)]
        values = [
            {**row, **{name: row[name] + shift for name in times if row[name] is not None}}
            for row in rows[table.name]
        ]
        db.session.execute(table.insert(), values)
        serial = table.autoincrement_column
        if serial is not None and db.engine.dialect.name == "postgresql":  # explicit ids: move the sequence
            db.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{serial.name}'), :last)"),
                {"last": max(row[serial.name] for row in values)},
            )
    db.session.commit()


def path_by_rating(slug="ranking-the-pipeline", best=True):
    """Choice numbers that always take the best- (or worst-) rated choice shown: by the content
    invariants of `flask content test`, the first passes and the second fails. Computed from the
    published version, so the tests follow the course as its authors edit it."""
    _version, scenario = published.published_scenario(slug)
    state, numbers = engine.start_state(scenario), []
    while not state["finished"]:
        if engine.needs_continue(scenario, state):
            state, _ = engine.continue_(scenario, state)
            continue
        offered = engine.offered_choices(scenario, state)
        ranked = sorted(
            range(len(offered)),
            key=lambda i: (RANKS.get(offered[i][1].effects.rating, 2), i),
            reverse=not best,
        )
        numbers.append(ranked[0] + 1)
        state, _ = engine.step(scenario, state, ranked[0] + 1)
    return numbers


def user_row(person):
    return db.session.get(User, person.id)


def correct_answers(module):
    return {
        str(n): [i for i, a in enumerate(q.answers, 1) if a.correct] for n, q in enumerate(module.quiz, 1)
    }


def take_steps(user, attempt_id, choices):
    """Take steps through the service as a trainee would, pressing Continue where needed."""
    for number in choices:
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        db.session.refresh(attempt)
        if attempt.status == "finished":
            break
        scenario = role_plays.scenario_of(attempt)
        while engine.needs_continue(scenario, attempt.state):
            role_play_steps.take_step(user, attempt_id, attempt.step_count + 1, None)
            db.session.commit()
            attempt = db.session.get(ScenarioAttempt, attempt_id)
        role_play_steps.take_step(user, attempt_id, attempt.step_count + 1, number)
        db.session.commit()
    return db.session.get(ScenarioAttempt, attempt_id)


def race(app, n, work):
    """Run `work()` in n threads at once, each with its own app context and session."""
    barrier = threading.Barrier(n)
    outcomes, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcomes.append(work())
                db.session.commit()
            except Exception as exc:  # collected and asserted by the caller
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes, errors


# --- records for the manager's side: the demo recorder plays through the trainee's use case ----


def play(app, user_id, scenario, pick=None, when=None, finish=True):
    """A whole role-play by a trainee (the best choices unless `pick` says otherwise)."""
    with app.app_context():
        attempt = demo_activity.record_play(
            user_id, scenario, pick or demo_activity.playtest.best_pick, when=when, finish=finish
        )
        db.session.commit()
        return attempt.id


def worst(offered):
    return demo_activity.playtest.lowest_pick(offered)


def study(app, user_id, module, pages=None, quiz_percent=None, when=None):
    with app.app_context():
        demo_activity.record_study(user_id, module, pages=pages, quiz_percent=quiz_percent, when=when)
        db.session.commit()


def complete_module(app, user_id, module):
    study(app, user_id, module, quiz_percent=100)
    with app.app_context():
        scenarios = publishing.value_of(publishing.published("module", module)).scenarios
    for slug in scenarios:
        play(app, user_id, slug)


def team_with_manager(factory, trainees=2, **kwargs):
    manager = factory.user(role="manager")
    team = factory.team(manager=manager, **kwargs)
    people = [factory.user(team=team) for _ in range(trainees)]
    return manager, team, people


# --- certification: a stage's evidence, recorded through the demo recorder (inside an app context) --

CERTIFIED_STAGE = "qualification"  # two modules, two role-plays, no observation required


def stage_modules(stage):
    course = publishing.published_course(publishing.course_id())
    return [
        m
        for m in (publishing.value_of(v) for v in publishing.published_all("module").values())
        if m.stage == stage and m.course == course.id
    ]


def stage_role_plays(stage):
    return sorted(
        slug
        for slug, v in publishing.published_all("scenario").items()
        if publishing.value_of(v).stage == stage
    )


def study_stage(user_id, stage, when=None):
    for module in stage_modules(stage):
        demo_activity.record_study(user_id, module.id, quiz_percent=100 if module.quiz else None, when=when)


def challenge(user_id, slug, when=None, pick=playtest.best_pick):
    return demo_activity.record_play(user_id, slug, pick, when=when, mode="challenge")


def earn(user_id, stage=CERTIFIED_STAGE, when=None):
    study_stage(user_id, stage, when)
    for slug in stage_role_plays(stage):
        challenge(user_id, slug, when)
    db.session.flush()


# --- reminders and what they told --------------------------------------------------------------


def at(day, hour=8):
    return datetime(day.year, day.month, day.day, hour)


def run_reminders(app, day):
    """`flask reminders send` as of 8:00 on `day`."""
    with app.app_context():
        return jobs.send_reminders(now=at(day))


def told(app, kind=None):
    """[(user id, kind, event key)] of the notifications, and the same of the outbox."""
    with app.app_context():
        notes = db.session.execute(
            select(Notification.user_id, Notification.kind, Notification.event_key).order_by(Notification.id)
        ).all()
        mails = db.session.execute(
            select(OutboxMessage.recipient_id, OutboxMessage.kind, OutboxMessage.event_key).order_by(
                OutboxMessage.id
            )
        ).all()

    def pick(rows):
        return [tuple(r) for r in rows if kind is None or r[1] == kind]

    return pick(notes), pick(mails)


# --- the browser ------------------------------------------------------------------------------


def log_in(page, base, email, password=PASSWORD):
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


# What the role-play player shows once a step is taken: an answer to choose, a scene that waits
# for Continue, or the debrief.
NEXT_ON_PLAYER = "[data-choice], [data-debrief], form.choices [data-continue]"
SCENE_CONTINUE = "form.choices [data-continue]"


def fits(page):
    """The page is no wider than the screen: it never scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def continue_scenes(page, at_scene=None):
    """Press Continue while the player shows a scene that waits for it (after `at_scene(page)`);
    how many were pressed."""
    pressed = 0
    while page.locator(SCENE_CONTINUE).count():
        if at_scene:
            at_scene(page)
        page.click(SCENE_CONTINUE)
        page.wait_for_selector(NEXT_ON_PLAYER)
        pressed += 1
    return pressed


def play_to_debrief(page, numbers, *, feedback, at_choice=None, answer=None, at_feedback=None, at_scene=None):
    """Play a started role-play in the browser to its debrief: Continue through the scenes that
    wait for it, and take the answers `numbers` (1-based among those shown). In practice each
    answer shows a feedback page, passed with its Continue; in a challenge (`feedback=False`)
    the next scene comes at once. Hooks, each given the page: `at_choice` before answering,
    `at_feedback` on each feedback page, `at_scene` before each scene's Continue; and
    `answer(page, step, number)` answers (a click by default; `step` counts answers from 0).
    Returns how many scenes' Continue were pressed."""
    pressed = 0
    for step, number in enumerate(numbers):
        pressed += continue_scenes(page, at_scene)
        page.wait_for_selector("[data-choice]")
        if at_choice:
            at_choice(page)
        if answer:
            answer(page, step, number)
        else:
            page.locator(f'[data-choice="{number}"]').click()
        if feedback:
            page.wait_for_selector("[data-feedback]")
            if at_feedback:
                at_feedback(page)
            page.click("[data-feedback] [data-continue]")
        page.wait_for_selector(NEXT_ON_PLAYER)  # the player again, not a feedback page
        assert page.locator("[data-feedback]").count() == 0
    pressed += continue_scenes(page, at_scene)
    page.wait_for_selector("[data-debrief]")
    return pressed


def words(text):
    """A question's text reduced to lower-case words, to find it in a page."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def quiz_questions(page, key):
    """The questions a knowledge check shows, in order: (fieldset, name, several, right values,
    all values); `key` maps a question's words() to its right answers."""
    shown = []
    for fieldset in page.locator("fieldset.question").all():
        legend = words(fieldset.locator("legend").inner_text())
        legend = re.sub(r"^question \d+ ", "", legend)
        right = next((answers for text, answers in key.items() if text == legend), None)
        assert right is not None, f"question not in the module: {legend}"
        inputs = fieldset.locator("input")
        several = inputs.first.get_attribute("type") == "checkbox"
        values = [inputs.nth(i).get_attribute("value") for i in range(inputs.count())]
        shown.append((fieldset, inputs.first.get_attribute("name"), several, [str(v) for v in right], values))
    return shown


def tick(fieldset, name, values):
    for value in values:
        fieldset.locator(f'input[name="{name}"][value="{value}"]').check()


def calls_made(work, *args, **kwargs):
    """(work's result, the number of Python function calls it made): a measure of work that does
    not depend on the machine's speed or load, so a test can bound it where seconds would flake."""
    profile = cProfile.Profile()
    result = profile.runcall(work, *args, **kwargs)
    return result, pstats.Stats(profile).total_calls


def linear_budget(text, per_character=500, base=200_000):
    """Calls allowed for work on text that grows linearly with it: hundreds per character at most,
    where work growing with the square of a 20,000-character input makes hundreds of millions."""
    return base + per_character * len(text)
