"""The progress summaries the manager's dashboard stores: every record that changes a trainee's
progress makes their summary stale, a step only moves last activity (read live), a new
publication refolds everyone, and a summary the database would not store leaves the page right."""

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from app.content import engine
from app.extensions import db
from app.models import ProgressSummary, ScenarioAttempt, User
from app.services import publishing, team_dashboard
from app.services.learning import knowledge_checks, lessons, published, role_play_steps, role_plays
from tests.helpers import (
    complete_module,
    correct_answers,
    path_by_rating,
    publish_course,
    take_steps,
    team_with_manager,
)

MODULE = "crm-data-that-matters"


@pytest.fixture
def team(app, factory):
    publish_course(app)
    manager, team_id, people = team_with_manager(factory, trainees=2)
    return team_id, people


def rows_by_id(team_id):
    rows, _ = team_dashboard.team_rows({team_id})
    return {row.id: row for row in rows}


def stored(user_id):
    db.session.expire_all()
    return db.session.get(ProgressSummary, user_id)


def statements_of(fn):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, seen


def test_each_record_that_changes_progress_shows_at_the_next_view(app, team):
    team_id, (rep, other) = team
    with app.app_context():
        row = rows_by_id(team_id)[rep.id]
        assert (row.percent, row.modules_done, row.attempts, row.last_activity) == (0, 0, 0, None)
        assert stored(rep.id) is not None  # stored at the first view

        user = db.session.get(User, rep.id)
        version, module = published.published_module(MODULE)
        for page in range(1, len(module.pages) + 1):
            lessons.record_page_view(user, version, page)
        db.session.commit()
        row = rows_by_id(team_id)[rep.id]
        assert row.percent > 0 and row.last_activity is not None
        assert row.stages[0].started and not row.stages[0].complete

        knowledge_checks.submit_quiz(
            user, MODULE, version, knowledge_checks.new_submission_token(), correct_answers(module)
        )
        db.session.commit()
        assert rows_by_id(team_id)[rep.id].stages[0].score == 100

        for slug in module.scenarios:
            attempt, _ = role_plays.start_attempt(user, slug)
            db.session.commit()
            assert rows_by_id(team_id)[rep.id].attempts >= 1
            assert take_steps(user, attempt.id, path_by_rating(slug)).status == "finished"
        row = rows_by_id(team_id)[rep.id]
        assert row.modules_done == 1 and row.stages[0].score is not None
        assert stored(rep.id).modules_complete.startswith("1")
        assert rows_by_id(team_id)[other.id].percent == 0  # the other trainee's row is untouched


def test_a_step_refolds_that_trainee_only(app, team):
    team_id, (rep, other) = team
    with app.app_context():
        user = db.session.get(User, rep.id)
        attempt, _ = role_plays.start_attempt(user, "ranking-the-pipeline")
        # Started an hour ago (its clock moved back), folded and stored; then a step is taken now.
        db.session.execute(
            update(ScenarioAttempt)
            .where(ScenarioAttempt.id == attempt.id)
            .values(updated_at=datetime.utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        before = rows_by_id(team_id)[rep.id].last_activity
        others_fold = stored(other.id).computed_at
        _, warm = statements_of(lambda: rows_by_id(team_id))
        role_play_steps.take_step(
            user,
            attempt.id,
            1,
            None
            if engine.needs_continue(role_plays.scenario_of(attempt), attempt.state)
            else path_by_rating()[0],
        )
        db.session.commit()
        rows, seen = statements_of(lambda: rows_by_id(team_id))
        assert rows[rep.id].last_activity > before + timedelta(minutes=30)
        assert stored(rep.id).attempts_mark == rows[rep.id].last_activity
        assert stored(other.id).computed_at == others_fold  # not folded again
        seen = [s for s in seen if "SAVEPOINT" not in s]  # the store's savepoint
        assert len(seen) == len(warm) + 2  # the fold and the store, once


def test_records_written_by_any_path_are_seen(app, team):
    """The marks are read from the records themselves: demo data, imports or a fix made in the
    database show at the next view without any code having to announce them."""
    team_id, (rep, _) = team
    with app.app_context():
        assert rows_by_id(team_id)[rep.id].modules_done == 0
    complete_module(app, rep.id, MODULE)
    with app.app_context():
        assert rows_by_id(team_id)[rep.id].modules_done == 1


def test_a_new_publication_refolds_every_summary(app, team):
    team_id, (rep, _) = team
    with app.app_context():
        user = db.session.get(User, rep.id)
        version, module = published.published_module(MODULE)
        for page in range(1, len(module.pages) + 1):
            lessons.record_page_view(user, version, page)
        db.session.commit()
        before = rows_by_id(team_id)[rep.id].percent
        key = stored(rep.id).outline_key
        # The module grows a page: the same pages read are now a smaller share of the course.
        text = version.source.replace(
            "## Knowledge check", "## One more page\n\nRead this too.\n\n## Knowledge check", 1
        )
        publishing.publish_text("module", text, version.path)
        db.session.commit()
        after = rows_by_id(team_id)[rep.id]
        assert stored(rep.id).outline_key != key
        assert after.percent <= before and not after.stages[0].complete


def test_a_summary_the_database_refuses_leaves_the_page_right(app, team):
    team_id, (rep, _) = team
    with app.app_context():
        user = db.session.get(User, rep.id)
        version, module = published.published_module(MODULE)
        lessons.record_page_view(user, version, 1)
        db.session.commit()

        def busy(_conn, _cursor, statement, *_args):
            if statement.startswith("INSERT INTO progress_summaries"):
                raise OperationalError(statement, {}, Exception("database is locked"))

        event.listen(db.engine, "before_cursor_execute", busy)
        try:
            row = rows_by_id(team_id)[rep.id]
        finally:
            event.remove(db.engine, "before_cursor_execute", busy)
        assert row.percent > 0 and row.stages[0].started
        assert stored(rep.id) is None  # rolled back, nothing half-written
        assert rows_by_id(team_id)[rep.id].percent == row.percent
        assert stored(rep.id) is not None


def test_two_dashboards_folding_at_once_store_one_summary_each(app, team):
    team_id, people = team
    errors, barrier = [], threading.Barrier(2)

    def view():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                rows_by_id(team_id)
                db.session.commit()  # as the request boundary does
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=view) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert {s.user_id for s in db.session.scalars(select(ProgressSummary))} == {p.id for p in people}


def test_summaries_are_stored_in_the_requests_own_transaction(app, team):
    """The request may already hold the write lock (its session's last-seen touch): a second
    connection storing the summaries would wait on SQLite for that lock for the whole busy
    timeout. They go through the request's session, on its one connection, and are committed
    or rolled back with it."""
    team_id, (rep, _) = team
    with app.app_context():
        user = db.session.get(User, rep.id)
        version, _module = published.published_module(MODULE)
        lessons.record_page_view(user, version, 1)  # the request has written: it holds the lock
        db.session.flush()
        checkouts = []
        listener = lambda *args: checkouts.append(args)  # noqa: E731
        event.listen(db.engine, "checkout", listener)
        try:
            row = rows_by_id(team_id)[rep.id]
        finally:
            event.remove(db.engine, "checkout", listener)
        assert row.percent > 0
        assert checkouts == []  # the session's connection, already checked out, and no other
        db.session.rollback()  # a request that failed after reading the dashboard
        assert stored(rep.id) is None  # the summaries went with it
        rows_by_id(team_id)
        db.session.commit()
        assert stored(rep.id) is not None
