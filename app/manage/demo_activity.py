"""DEMO DATA ONLY (development and tests): learning records written as if trainees had played,
so the manager's pages have something to show. Scenario attempts are played through the real
engine on the published version; the trainee-side service (app/services/learning.py) is what
records real play. `flask demo --activity` calls seed_demo_activity; tests use the helpers."""
import random
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.content import engine, playtest
from app.extensions import db
from app.models import AttemptStep, PageView, QuizAttempt, ScenarioAttempt, User
from app.models.base import utcnow
from app.services import publishing


def record_play(user_id, scenario_slug, pick=playtest.best_pick, when=None, finish=True, max_steps=200):
    """Play a published scenario with `pick(offered) -> position`, recording an attempt and its
    steps; with finish=False stop half way (an attempt in progress)."""
    version = publishing.published("scenario", scenario_slug)
    scenario = publishing.value_of(version)
    when = when or utcnow()
    state = engine.start_state(scenario)
    attempt = ScenarioAttempt(user_id=user_id, scenario_slug=scenario_slug, version_id=version.id,
                              status="in_progress", current_node=state["node"], state=state, step_count=0,
                              started_at=when, updated_at=when)
    db.session.add(attempt)
    db.session.flush()
    seq = 0
    stop_at = None if finish else 2
    while not state.get("finished") and seq < max_steps and (stop_at is None or seq < stop_at):
        seq += 1
        moment = when + timedelta(seconds=40 * seq)
        if engine.needs_continue(scenario, state):
            node_id = state["node"]
            state, outcome = engine.continue_(scenario, state)
            db.session.add(AttemptStep(attempt_id=attempt.id, seq=seq, node=node_id, choice=None, choice_label="",
                                       effects={}, skill=outcome.skill, phase=None, created_at=moment))
            continue
        offered = engine.offered_choices(scenario, state)
        k = pick(offered)
        state, outcome = engine.step(scenario, state, k + 1)
        db.session.add(AttemptStep(
            attempt_id=attempt.id, seq=seq, node=outcome.node, choice=outcome.choice_index,
            choice_label=outcome.label or "", effects={"deltas": outcome.deltas, "given": outcome.given,
                                                       "got": outcome.got, "feedback": outcome.feedback},
            skill=outcome.skill, phase=outcome.phase, phase_claimed=outcome.claims,
            phase_correct=outcome.phase_correct, rating=outcome.rating, created_at=moment))
    attempt.state, attempt.current_node, attempt.step_count = state, state["node"], seq
    attempt.updated_at = when + timedelta(seconds=40 * seq)
    if state.get("finished"):
        attempt.status = "finished"
        attempt.finished_at = attempt.updated_at
        attempt.percent = engine.percent(scenario, state)
        attempt.passed = engine.passed(scenario, state)
        attempt.outcome = state.get("outcome")
    db.session.flush()
    return attempt


def random_pick(rng, skill=0.6):
    """A trainee who takes the best-rated choice with probability `skill`, else any choice."""
    def pick(offered):
        if rng.random() < skill:
            return playtest.best_pick(offered)
        return rng.randrange(len(offered))
    return pick


def record_study(user_id, module_slug, pages=None, quiz_percent=None, when=None):
    """Page views of a module (all pages by default) and, if given, one quiz attempt."""
    version = publishing.published("module", module_slug)
    module = publishing.value_of(version)
    when = when or utcnow()
    total = len(module.pages)
    for page in range(1, (total if pages is None else min(pages, total)) + 1):
        db.session.add(PageView(user_id=user_id, module_slug=module_slug, version_id=version.id, page=page,
                                viewed_at=when + timedelta(minutes=page)))
    if quiz_percent is not None and module.quiz:
        db.session.add(QuizAttempt(user_id=user_id, module_slug=module_slug, version_id=version.id,
                                   submission=uuid.uuid4().hex, answers={}, percent=quiz_percent,
                                   passed=quiz_percent >= module.pass_percent,
                                   created_at=when + timedelta(minutes=total + 2)))
    db.session.flush()


def seed_demo_activity(emails, seed=7, echo=print):
    """Some weeks of made-up learning for the demo trainees (idempotent: skipped when they
    already have attempts)."""
    rng = random.Random(seed)
    people = db.session.scalars(select(User).where(User.email.in_(emails))).all()
    modules = sorted(publishing.published_all("module").values(), key=lambda v: v.path or v.slug)
    values = [publishing.value_of(v) for v in modules]
    course = publishing.published_course(publishing.course_id())
    order = {s.id: n for n, s in enumerate(course.stages)} if course else {}
    values.sort(key=lambda m: (order.get(m.stage, 99), m.order))
    written = 0
    for number, person in enumerate(sorted(people, key=lambda p: p.email)):
        if db.session.scalar(select(ScenarioAttempt.id).where(ScenarioAttempt.user_id == person.id).limit(1)):
            continue
        skill = (0.85, 0.45, 0.65)[number % 3]
        reach = (5, 2, 3)[number % 3]              # modules studied
        start = utcnow() - timedelta(days=12 - number)
        for index, module in enumerate(values[:reach]):
            moment = start + timedelta(days=index * 2)
            record_study(person.id, module.id, quiz_percent=rng.choice((60, 80, 90, 100)), when=moment)
            for slug in module.scenarios:
                if publishing.published("scenario", slug) is None:
                    continue
                for attempt_number in range(1 + (skill < 0.7)):
                    record_play(person.id, slug, random_pick(rng, skill), when=moment + timedelta(hours=attempt_number + 1))
                    written += 1
        if values[reach:reach + 1] and values[reach].scenarios:
            slug = values[reach].scenarios[0]
            if publishing.published("scenario", slug) is not None:
                record_play(person.id, slug, random_pick(rng, skill), when=utcnow() - timedelta(hours=number + 1),
                            finish=False)
                written += 1
    _demo_assignments(people)
    echo(f"Demo activity: {written} scenario attempts recorded (demo data, development only).")
    return written


def _demo_assignments(people):
    """One team assignment already late and one due soon, given by the team's manager."""
    from app.models import Assignment
    teams = {p.team for p in people if p.team is not None}
    for team in teams:
        if db.session.scalar(select(Assignment.id).where(Assignment.team_id == team.id).limit(1)):
            continue
        today = utcnow().date()
        for kind, slug, due in (("module", "filters-and-ranking", today - timedelta(days=2)),
                                ("module", "maturation-phases", today + timedelta(days=5))):
            if publishing.published(kind, slug) is not None:
                db.session.add(Assignment(target_kind=kind, target_slug=slug, team_id=team.id, due_date=due,
                                          assigned_by_id=team.manager_id))
    db.session.flush()
