"""Learning records: completion rules, locks and assignments, pinning to a version, idempotent
steps (including concurrent posts from several threads), quiz tokens, refusals."""

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Assignment, AttemptStep, PageView, QuizAttempt, ScenarioAttempt, User
from app.models.base import utcnow
from app.services import publishing
from app.services.assignments import effective
from app.services.learning import (
    knowledge_checks,
    lessons,
    published,
    refusals,
    role_play_steps,
    role_plays,
    stage_locks,
    trainee_progress,
)
from tests.helpers import ROOT, correct_answers, path_by_rating, race, take_steps, user_row


def complete_module(user, slug):
    version, module = published.published_module(slug)
    for page in range(1, len(module.pages) + 1):
        lessons.record_page_view(user, version, page)
    knowledge_checks.submit_quiz(
        user, slug, version, knowledge_checks.new_submission_token(), correct_answers(module)
    )
    db.session.commit()
    for scenario in module.scenarios:
        attempt, _ = role_plays.start_attempt(user, scenario)
        db.session.commit()
        assert take_steps(user, attempt.id, path_by_rating(scenario)).passed


# --- completion and locks --------------------------------------------------------------------


def test_module_complete_needs_pages_check_and_scenarios(app, course, factory, ctx):
    user = user_row(factory.user())
    version, module = published.published_module("filters-and-ranking")
    mp = trainee_progress.progress_of(user).module("filters-and-ranking")
    assert not mp.started and not mp.complete
    for page in range(1, len(module.pages) + 1):
        lessons.record_page_view(user, version, page)
        lessons.record_page_view(user, version, page)  # a reload adds nothing
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PageView)) == len(module.pages)
    mp = trainee_progress.progress_of(user).module("filters-and-ranking")
    assert mp.pages_seen == mp.pages_total and not mp.complete
    wrong = {k: [1] if v != [1] else [2] for k, v in correct_answers(module).items()}
    knowledge_checks.submit_quiz(user, module.id, version, knowledge_checks.new_submission_token(), wrong)
    db.session.commit()
    mp = trainee_progress.progress_of(user).module("filters-and-ranking")
    assert not mp.quiz_passed and mp.quiz_best is not None
    knowledge_checks.submit_quiz(
        user, module.id, version, knowledge_checks.new_submission_token(), correct_answers(module)
    )
    db.session.commit()
    mp = trainee_progress.progress_of(user).module("filters-and-ranking")
    assert mp.quiz_passed and mp.quiz_best == 100 and not mp.complete
    attempt, _ = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()
    assert not take_steps(user, attempt.id, path_by_rating(best=False)).passed
    assert not trainee_progress.progress_of(user).module("filters-and-ranking").complete
    attempt, created = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()
    assert created
    assert take_steps(user, attempt.id, path_by_rating()).passed
    for other in module.scenarios:  # the module's other role-plays count too
        if other != "ranking-the-pipeline":
            assert not trainee_progress.progress_of(user).module("filters-and-ranking").complete
            attempt, _ = role_plays.start_attempt(user, other)
            db.session.commit()
            assert take_steps(user, attempt.id, path_by_rating(other)).passed
    assert trainee_progress.progress_of(user).module("filters-and-ranking").complete


def test_stage_opens_when_previous_is_complete(app, course, factory, ctx):
    user = user_row(factory.user())
    progress = trainee_progress.progress_of(user)
    assert [s.unlocked for s in progress.stages] == [True] + [False] * 5
    access = stage_locks.access_to(user, progress, "prospecting", module_id="working-your-network")
    assert not access.open and access.blocking.id == "qualification"
    complete_module(user, "crm-data-that-matters")
    complete_module(user, "filters-and-ranking")
    progress = trainee_progress.progress_of(user)
    assert progress.stages[0].complete and progress.stages[1].unlocked and not progress.stages[2].unlocked
    assert stage_locks.access_to(user, progress, "prospecting", module_id="working-your-network").open
    assert progress.next_module().id == "working-your-network"


def test_assigned_work_opens_before_its_stage(app, course, factory, ctx):
    team = factory.team()
    person = factory.user(team=team)
    user = user_row(person)
    progress = trainee_progress.progress_of(user)
    assert not stage_locks.access_to(
        user, progress, "negotiation", scenario_id="claire-wants-fifteen-percent"
    ).open
    db.session.add(
        Assignment(
            target_kind="module",
            target_slug="preparing-the-negotiation",
            team_id=team,
            due_date=date(2030, 1, 1),
        )
    )
    db.session.commit()
    assert stage_locks.access_to(user, progress, "negotiation", module_id="preparing-the-negotiation").open
    # the module's scenario comes with it; another module of the stage does not
    assert stage_locks.access_to(
        user, progress, "negotiation", scenario_id="claire-wants-fifteen-percent"
    ).open
    assert not stage_locks.access_to(user, progress, "negotiation", module_id="trading-concessions").open
    # a whole-course assignment is the sequence itself: it opens nothing early
    db.session.add(
        Assignment(
            target_kind="course",
            target_slug="business-relationship",
            user_id=user.id,
            due_date=date(2030, 1, 1),
        )
    )
    db.session.commit()
    assert not stage_locks.access_to(user, progress, "loyalty", module_id="co-operation").open


def test_assignments_for_overdue_first_and_user_date_wins(app, course, factory, ctx):
    team = factory.team()
    person = factory.user(team=team, hire_date=date.today() - timedelta(days=30))
    other = factory.user(team=team)
    user = user_row(person)
    today = date.today()
    db.session.add_all(
        [
            Assignment(
                target_kind="module",
                target_slug="crm-data-that-matters",
                team_id=team,
                due_date=today + timedelta(days=10),
            ),
            Assignment(
                target_kind="module",
                target_slug="crm-data-that-matters",
                user_id=user.id,
                due_date=today - timedelta(days=2),
            ),
            Assignment(
                target_kind="scenario",
                target_slug="ranking-the-pipeline",
                team_id=team,
                due_days_after_hire=60,
            ),
            Assignment(
                target_kind="module",
                target_slug="filters-and-ranking",
                team_id=team,
                due_date=today - timedelta(days=1),
                cancelled_at=utcnow(),
            ),
        ]
    )
    db.session.commit()
    rows = effective.effective_assignments(user)
    assert [(r.slug, r.overdue, r.done) for r in rows] == [
        ("crm-data-that-matters", True, False),
        ("ranking-the-pipeline", False, False),
    ]
    assert rows[0].due == today - timedelta(days=2) and not rows[0].from_team
    assert rows[1].due == user.hire_date + timedelta(days=60)
    # the teammate keeps the team's date
    mate = effective.effective_assignments(user_row(other))
    assert mate[0].slug == "crm-data-that-matters" and mate[0].due == today + timedelta(days=10)
    complete_module(user, "crm-data-that-matters")
    rows = effective.effective_assignments(user)
    done = [r for r in rows if r.slug == "crm-data-that-matters"][0]
    assert done.done and not done.overdue and rows[-1] is done


# --- scenario attempts ----------------------------------------------------------------------


def test_steps_are_idempotent_and_refusals_write_nothing(app, course, factory, ctx):
    user = user_row(factory.user())
    attempt, created = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()
    again, created_again = role_plays.start_attempt(user, "ranking-the-pipeline")
    assert created and not created_again and again.id == attempt.id
    role_play_steps.take_step(user, attempt.id, 1, path_by_rating()[0])
    db.session.commit()
    with pytest.raises(role_play_steps.StaleStep):  # a double click: same seq again
        role_play_steps.take_step(user, attempt.id, 1, 2)
    db.session.rollback()
    with pytest.raises(role_play_steps.StaleStep):  # a second tab posting another choice for step 1
        role_play_steps.take_step(user, attempt.id, 1, 1)
    db.session.rollback()
    with pytest.raises(role_play_steps.StaleStep):  # a seq from the future is not a step either
        role_play_steps.take_step(user, attempt.id, 5, 1)
    db.session.rollback()
    with pytest.raises(refusals.Refused):  # not offered here
        role_play_steps.take_step(user, attempt.id, 2, 99)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == 1
    attempt = take_steps(user, attempt.id, path_by_rating()[1:])
    assert attempt.status == "finished" and attempt.passed and attempt.percent == 100  # best play
    count = attempt.step_count
    with pytest.raises(refusals.Refused):  # a finished attempt takes no step
        role_play_steps.take_step(user, attempt.id, count + 1, 1)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == count
    seqs = db.session.scalars(
        select(AttemptStep.seq).where(AttemptStep.attempt_id == attempt.id).order_by(AttemptStep.seq)
    ).all()
    assert seqs == list(range(1, count + 1))


def test_another_trainees_attempt_is_not_found(app, course, factory, ctx):
    owner, intruder = user_row(factory.user()), user_row(factory.user())
    attempt, _ = role_plays.start_attempt(owner, "ranking-the-pipeline")
    db.session.commit()
    with pytest.raises(refusals.NotFound):
        role_plays.own_attempt(intruder, attempt.id)
    with pytest.raises(refusals.NotFound):
        role_play_steps.take_step(intruder, attempt.id, 1, 1)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == 0


def test_attempt_stays_on_its_version(app, course, factory, ctx):
    user = user_row(factory.user())
    attempt, _ = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()
    role_play_steps.take_step(user, attempt.id, 1, path_by_rating()[0])
    db.session.commit()
    old_version = attempt.version_id
    with open(os.path.join(ROOT, "scenarios", "ranking-the-pipeline.md"), encoding="utf-8") as fh:
        text = fh.read()
    changed = text.replace('title: "Ranking the pipeline"', 'title: "Ranking the pipeline (v2)"')
    changed = changed.replace("](#", "](#", 1)
    result = publishing.publish_text("scenario", changed, "scenarios/ranking-the-pipeline.md")
    db.session.commit()
    assert result.created and result.version.id != old_version
    attempt = take_steps(user, attempt.id, path_by_rating()[1:])
    assert attempt.version_id == old_version and attempt.passed
    assert role_plays.scenario_of(attempt).title == "Ranking the pipeline"
    fresh, _ = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()
    assert fresh.version_id == result.version.id


def test_a_fault_between_step_and_attempt_leaves_neither(app, course, factory, ctx):
    user = user_row(factory.user())
    attempt, _ = role_plays.start_attempt(user, "ranking-the-pipeline")
    db.session.commit()

    def boom(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO attempt_steps"):  # after the attempt's UPDATE
            raise RuntimeError("disk full")

    event.listen(db.engine, "before_cursor_execute", boom)
    try:
        with pytest.raises(RuntimeError):
            role_play_steps.take_step(user, attempt.id, 1, 2)
        db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", boom)
    attempt = db.session.get(ScenarioAttempt, attempt.id)
    db.session.refresh(attempt)
    assert attempt.step_count == 0 and attempt.current_node == "inherited-crm"
    assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == 0


def test_concurrent_posts_of_one_step_record_one(app, course, factory):
    person = factory.user()
    with app.app_context():
        attempt, _ = role_plays.start_attempt(user_row(person), "ranking-the-pipeline")
        db.session.commit()
        attempt_id = attempt.id

    def post_step_one():
        return role_play_steps.take_step(db.session.get(User, person.id), attempt_id, 1, 2).step.id

    outcomes, errors = race(app, 8, post_step_one)
    assert len(outcomes) == 1, errors
    assert all(isinstance(e, role_play_steps.StaleStep) for e in errors), errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == 1
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        assert attempt.step_count == 1 and attempt.state["steps"] == 1


def test_concurrent_starts_open_one_attempt(app, course, factory):
    person = factory.user()
    outcomes, errors = race(
        app,
        6,
        lambda: role_plays.start_attempt(db.session.get(User, person.id), "ranking-the-pipeline")[0].id,
    )
    assert not errors, errors
    assert len(set(outcomes)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScenarioAttempt)) == 1


# --- knowledge checks -----------------------------------------------------------------------


def test_quiz_token_replay_gives_the_first_result(app, course, factory, ctx):
    user = user_row(factory.user())
    version, module = published.published_module("crm-data-that-matters")
    token = knowledge_checks.new_submission_token()
    first, created = knowledge_checks.submit_quiz(user, module.id, version, token, correct_answers(module))
    db.session.commit()
    replay, created_again = knowledge_checks.submit_quiz(user, module.id, version, token, {"1": [1]})
    assert created and not created_again and replay.id == first.id and replay.percent == 100
    other = user_row(factory.user())
    with pytest.raises(refusals.NotFound):
        knowledge_checks.submit_quiz(other, module.id, version, token, {"1": [1]})
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_concurrent_quiz_submissions_record_one(app, course, factory):
    person = factory.user()
    token = "same-token-from-a-double-click"
    with app.app_context():
        version, module = published.published_module("crm-data-that-matters")
        version_id, answers = version.id, correct_answers(module)

    def submit():
        from app.models import ContentVersion

        return knowledge_checks.submit_quiz(
            db.session.get(User, person.id),
            "crm-data-that-matters",
            db.session.get(ContentVersion, version_id),
            token,
            answers,
        )[0].id

    outcomes, errors = race(app, 6, submit)
    assert not errors, errors
    assert len(set(outcomes)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_grading_needs_exactly_the_right_answers(app, course, ctx):
    _version, module = published.published_module("maturation-phases")
    right = correct_answers(module)
    several = next(n for n, answers in right.items() if len(answers) > 1)
    partial = dict(right, **{several: right[several][:1]})
    percent, passed, results = knowledge_checks.grade(module, partial)
    assert not results[int(several) - 1].correct
    assert percent == round(100 * (len(right) - 1) / len(right))
    assert knowledge_checks.grade(module, right)[:2] == (100, True)


# --- my progress ------------------------------------------------------------------------------


def test_phase_readings_worst_first(app, course, factory, ctx):
    user = user_row(factory.user())
    attempt = ScenarioAttempt(
        user_id=user.id,
        scenario_slug="signals-at-the-trade-fair",
        version_id=publishing.published("scenario", "signals-at-the-trade-fair").id,
        current_node="x",
        state={},
        status="finished",
    )
    db.session.add(attempt)
    db.session.flush()
    rows = [
        ("latent", "latent", True),
        ("latent", "awareness", False),
        ("awareness", "awareness", True),
        ("evaluation", "decision", False),
        ("evaluation", "decision", False),
    ]
    for seq, (phase, claimed, ok) in enumerate(rows, 1):
        db.session.add(
            AttemptStep(
                attempt_id=attempt.id,
                seq=seq,
                node=f"n{seq}",
                choice=0,
                phase=phase,
                phase_claimed=claimed,
                phase_correct=ok,
                effects={},
            )
        )
    db.session.commit()
    readings = trainee_progress.phase_readings(user)
    assert [(r.phase, r.correct, r.seen) for r in readings] == [
        ("evaluation", 0, 2),
        ("latent", 1, 2),
        ("awareness", 1, 1),
    ]
    assert readings[0].confused_with == [("decision", 2)]


def test_may_start_agrees_with_access_to_and_reads_no_progress_for_an_assigned_scenario(
    app, course, factory, ctx
):
    """The start POST's lock check (stage_locks.may_start) says what access_to says; a
    scenario assigned itself is open without the trainee's progress being folded."""
    team = factory.team()
    user = user_row(factory.user(team=team))
    folds = []

    def progress_of():
        folds.append(1)
        return trainee_progress.progress_of(user)

    def agree(stage, slug):
        folds.clear()
        said = stage_locks.may_start(user, stage, slug, progress_of)
        assert (
            said
            == stage_locks.access_to(user, trainee_progress.progress_of(user), stage, scenario_id=slug).open
        )
        return said

    assert agree("qualification", "ranking-the-pipeline") and folds  # an open stage
    assert not agree("negotiation", "claire-wants-fifteen-percent")
    db.session.add(
        Assignment(
            target_kind="module",
            target_slug="preparing-the-negotiation",
            team_id=team,
            due_date=date(2030, 1, 1),
        )
    )
    db.session.commit()
    assert agree("negotiation", "claire-wants-fifteen-percent") and folds  # through its module
    db.session.add(
        Assignment(
            target_kind="scenario",
            target_slug="claire-wants-fifteen-percent",
            user_id=user.id,
            due_date=date(2030, 1, 1),
        )
    )
    db.session.commit()
    assert agree("negotiation", "claire-wants-fifteen-percent") and not folds  # itself: no fold
