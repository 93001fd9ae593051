"""The manager's dashboard and the trainee's own pages agree on how far a trainee is, for any
learning records (Hypothesis writes random page views, knowledge checks and attempts of every
status): both fold the same records with content/completion.py, the dashboard through its
stored summaries. Plus properties of the pure fold itself."""

import random
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.content.completion import CoursePlan, ModulePlan, fold
from app.extensions import db
from app.models import PageView, QuizAttempt, ScenarioAttempt
from app.services import progress, publishing, team_dashboard
from app.services.outline import load_outline
from tests.helpers import publish_course, team_with_manager

START = datetime(2026, 11, 2, 9, 0)
STATUSES = ("finished", "abandoned", "in_progress")


def _write_records(data, user_id, outline):
    """Random records of one trainee, written as rows (as any path could have written them)."""
    moment = START
    for module in outline.modules.values():
        version = publishing.published("module", module.id)
        pages = data.draw(
            st.lists(st.integers(1, max(module.pages_total, 1)), max_size=module.pages_total + 2)
        )
        for page in pages:
            moment += timedelta(minutes=3)
            db.session.add(
                PageView(
                    user_id=user_id, module_slug=module.id, version_id=version.id, page=page, viewed_at=moment
                )
            )
        for percent in data.draw(st.lists(st.integers(0, 100), max_size=2)):
            moment += timedelta(minutes=5)
            db.session.add(
                QuizAttempt(
                    user_id=user_id,
                    module_slug=module.id,
                    version_id=version.id,
                    submission=f"{user_id}-{moment.isoformat()}",
                    answers={},
                    percent=percent,
                    passed=data.draw(st.booleans()),
                    created_at=moment,
                )
            )
        for slug in module.scenarios:
            scenario = publishing.published("scenario", slug)
            if scenario is None:
                continue
            statuses = data.draw(st.lists(st.sampled_from(STATUSES), max_size=3))
            open_one = False
            for status in statuses:
                if status == "in_progress":
                    if open_one:  # one open attempt per scenario, as the database allows
                        continue
                    open_one = True
                moment += timedelta(minutes=7)
                finished = status == "finished"
                percent = data.draw(st.integers(0, 100)) if finished else None
                db.session.add(
                    ScenarioAttempt(
                        user_id=user_id,
                        scenario_slug=slug,
                        version_id=scenario.id,
                        status=status,
                        current_node="x",
                        state={},
                        step_count=3,
                        started_at=moment,
                        updated_at=moment,
                        finished_at=moment if status != "in_progress" else None,
                        percent=percent,
                        passed=data.draw(st.booleans()) if finished else None,
                    )
                )
    db.session.commit()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_dashboard_percentages_equal_the_trainees_own(app, factory, data):
    if not getattr(app, "_published", False):
        publish_course(app)
        app._published = True
        app._team = team_with_manager(factory, trainees=0)[1]
    person = factory.user(team=app._team)
    with app.app_context():
        outline = load_outline()
        _write_records(data, person.id, outline)
        # twice: the first view folds and stores the summary, the second reads it back
        for _ in range(2):
            rows = {r.id: r for r in team_dashboard.team_rows({app._team})[0]}
            row, own = rows[person.id], progress.progress_of(person.id)
            assert row.percent == own.percent
            assert [(c.percent, c.complete) for c in row.stages] == [
                (s.percent, s.complete) for s in own.stages
            ]
            assert row.modules_done == sum(1 for s in own.stages for m in s.modules if m.complete)
        db.session.remove()


# --- the pure fold ------------------------------------------------------------------------------


@st.composite
def plans_and_records(draw):
    stages = tuple(f"s{n}" for n in range(draw(st.integers(1, 4))))
    modules = []
    for n in range(draw(st.integers(0, 6))):
        scenarios = tuple(draw(st.lists(st.sampled_from(["r1", "r2", "r3", "r4"]), max_size=2, unique=True)))
        modules.append(
            ModulePlan(
                f"m{n}",
                draw(st.sampled_from(stages)),
                draw(st.integers(0, 5)),
                draw(st.booleans()),
                scenarios,
            )
        )
    records = []
    for module in modules:
        if draw(st.booleans()):
            records.append(("p", module.id, draw(st.integers(1, 7)), None, None, draw(st.integers(0, 99))))
        if draw(st.booleans()):
            records.append(
                ("q", module.id, 1, draw(st.integers(0, 100)), draw(st.booleans()), draw(st.integers(0, 99)))
            )
    for slug in ("r1", "r2", "r3", "r4", "elsewhere"):
        if draw(st.booleans()):
            records.append(
                (
                    "s",
                    slug,
                    draw(st.integers(1, 3)),
                    draw(st.none() | st.integers(0, 100)),
                    draw(st.booleans()),
                    draw(st.integers(0, 99)),
                )
            )
    return CoursePlan(stages, tuple(modules)), records


@given(plans_and_records())
def test_the_fold_is_consistent_whatever_the_records(case):
    plan, records = case
    result = fold(plan, records)
    shuffled = list(records)
    random.Random(len(records)).shuffle(shuffled)
    assert fold(plan, shuffled) == result  # the records' order does not matter
    assert 0 <= result.percent <= 100
    assert result.parts_total == sum(m.parts_total for m in plan.modules)
    for stage in result.stages:
        assert 0 <= stage.percent <= 100
        if stage.complete:
            assert stage.percent == 100 or stage.parts_total == 0
        for module in stage.modules:
            assert module.complete == (module.parts_done >= module.parts_total)
            if module.complete and module.parts_total:
                assert module.pages_seen >= module.pages_total and (module.quiz_passed or not module.has_quiz)
                assert all(r.passed for r in module.scenarios.values())
    assert result.modules_done == sum(1 for m in result.modules if m.complete)
    assert result.complete == all(s.complete for s in result.stages)
    assert result.attempts == sum(r[2] for r in records if r[0] == "s")
