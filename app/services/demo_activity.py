"""DEMO DATA ONLY (development and tests): learning records written as if trainees had played,
so the manager's pages have something to show. Scenario attempts are played through the
trainee's own use case (role_plays.start_attempt, role_play_steps.take_step), so a demo step is a real
step. `flask demo --activity` calls seed_demo_activity; tests use the helpers."""

import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.content import engine, playtest, signals
from app.content.model import Module, Node
from app.extensions import db
from app.models import AttemptStep, PageView, QuizAttempt, ScenarioAttempt, User
from app.models.base import utcnow
from app.services import publishing
from app.services.learning import role_play_steps, role_plays


def record_play(
    user_id: int,
    scenario_slug: str,
    pick: playtest.Pick = playtest.best_pick,
    when: datetime | None = None,
    finish: bool = True,
    max_steps: int = 200,
    mode: str = role_plays.PRACTICE,
    language: str | None = None,
) -> ScenarioAttempt:
    """Play a published scenario with `pick(offered) -> position` through the trainee's own use
    case (role_plays.start_attempt and role_play_steps.take_step: the steps are recorded exactly as a
    trainee's are); with finish=False stop after two steps (an attempt in progress). With
    `when`, the attempt and its steps are then dated as if played from that time on (40 s a
    step): demo weeks of activity written in one go."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    attempt, _ = role_plays.start_attempt(user, scenario_slug, mode, language)
    db.session.flush()
    scenario = role_plays.scenario_of(attempt)
    stop_at = max_steps if finish else 2
    while attempt.status == "in_progress" and attempt.step_count < stop_at:
        state = attempt.state
        node = engine.current_node(scenario, state)
        if node.signals:  # a signal pick, as the same trainee reads
            attempt = role_play_steps.take_step(
                user, attempt.id, attempt.step_count + 1, items=list(_items_picker(pick)(node))
            ).attempt
            continue
        if node.sheet is not None:  # a preparation sheet: the middle of the range `pick` picks, as typed
            figures = {name: engine.show(value) for name, value in playtest.pick_figures(node, pick).items()}
            attempt = role_play_steps.take_step(
                user, attempt.id, attempt.step_count + 1, figures=figures
            ).attempt
            continue
        choice = (
            None
            if engine.needs_continue(scenario, state)
            else pick(engine.offered_choices(scenario, state)) + 1
        )
        attempt = role_play_steps.take_step(user, attempt.id, attempt.step_count + 1, choice).attempt
    if when is not None:
        _date_play(attempt, when)
    return attempt


def _date_play(attempt: ScenarioAttempt, when: datetime) -> None:
    """Move a demo attempt and its steps back to `when` (demo data only: real play is dated
    by the clock as it happens)."""
    step = timedelta(seconds=40)
    for row in db.session.scalars(select(AttemptStep).where(AttemptStep.attempt_id == attempt.id)):
        row.created_at = when + step * row.seq
    end = when + step * attempt.step_count
    attempt.started_at, attempt.updated_at = when, end
    if attempt.finished_at is not None:
        attempt.finished_at = end
    db.session.flush()


def _items_picker(pick: playtest.Pick) -> Callable[[Node], tuple[int, ...]]:
    """What a picker ticks on a signal-picking node: its own rule (RandomTrainee's), else the
    right signals for best play and the distractors for the lowest-rated play."""
    own: Callable[[Node], tuple[int, ...]] | None = getattr(pick, "items", None)
    return own or (signals.wrong_items if pick is playtest.lowest_pick else signals.right_items)


@dataclass(frozen=True)
class RandomTrainee:
    """A trainee who takes the best-rated choice with probability `skill`, else any choice
    (and on a signal-picking node ticks the right signals, else a random set)."""

    rng: random.Random
    skill: float = 0.6

    def __call__(self, offered: playtest.Offered) -> int:
        if self.rng.random() < self.skill:
            return playtest.best_pick(offered)
        return self.rng.randrange(len(offered))

    def items(self, node: Node) -> tuple[int, ...]:
        if self.rng.random() < self.skill:
            return signals.right_items(node)
        return signals.random_items(node, self.rng)


def record_study(
    user_id: int,
    module_slug: str,
    pages: int | None = None,
    quiz_percent: int | None = None,
    when: datetime | None = None,
) -> None:
    """Page views of a module (all pages by default) and, if given, one quiz attempt."""
    version = publishing.published("module", module_slug)
    assert version is not None  # demo activity is made for published modules
    module: Module = publishing.value_of(version)
    when = when or utcnow()
    total = len(module.pages)
    for page in range(1, (total if pages is None else min(pages, total)) + 1):
        db.session.add(
            PageView(
                user_id=user_id,
                module_slug=module_slug,
                version_id=version.id,
                page=page,
                viewed_at=when + timedelta(minutes=page),
            )
        )
    if quiz_percent is not None and module.quiz:
        db.session.add(
            QuizAttempt(
                user_id=user_id,
                module_slug=module_slug,
                version_id=version.id,
                submission=uuid.uuid4().hex,
                answers={},
                percent=quiz_percent,
                passed=quiz_percent >= module.pass_percent,
                created_at=when + timedelta(minutes=total + 2),
            )
        )
    db.session.flush()


def seed_demo_activity(emails: Iterable[str], seed: int = 7, echo: Callable[[str], object] = print) -> int:
    """Some weeks of made-up learning for the demo trainees (idempotent: skipped when they
    already have attempts)."""
    rng = random.Random(seed)
    people = db.session.scalars(select(User).where(User.email.in_(emails))).all()
    modules = sorted(publishing.published_all("module").values(), key=lambda v: v.path or v.slug)
    values: list[Module] = [publishing.value_of(v) for v in modules]
    course = publishing.published_course(publishing.course_id())
    order = {s.id: n for n, s in enumerate(course.stages)} if course else {}
    values.sort(key=lambda m: (order.get(m.stage, 99), m.order))
    written = 0
    for number, person in enumerate(sorted(people, key=lambda p: p.email)):
        if db.session.scalar(select(ScenarioAttempt.id).where(ScenarioAttempt.user_id == person.id).limit(1)):
            continue
        skill = (0.85, 0.45, 0.65)[number % 3]
        reach = (5, 2, 3)[number % 3]  # modules studied
        start = utcnow() - timedelta(days=12 - number)
        for index, module in enumerate(values[:reach]):
            moment = start + timedelta(days=index * 2)
            record_study(person.id, module.id, quiz_percent=rng.choice((60, 80, 90, 100)), when=moment)
            for slug in module.scenarios:
                if publishing.published("scenario", slug) is None:
                    continue
                for attempt_number in range(1 + (skill < 0.7)):
                    record_play(
                        person.id,
                        slug,
                        RandomTrainee(rng, skill),
                        when=moment + timedelta(hours=attempt_number + 1),
                    )
                    written += 1
        if values[reach : reach + 1] and values[reach].scenarios:
            slug = values[reach].scenarios[0]
            if publishing.published("scenario", slug) is not None:
                record_play(
                    person.id,
                    slug,
                    RandomTrainee(rng, skill),
                    when=utcnow() - timedelta(hours=number + 1),
                    finish=False,
                )
                written += 1
    _demo_assignments(people)
    echo(f"Demo activity: {written} scenario attempts recorded (demo data, development only).")
    return written


def _demo_assignments(people: Sequence[User]) -> None:
    """One team assignment already late and one due soon, given by the team's manager."""
    from app.models import Assignment

    teams = {p.team for p in people if p.team is not None}
    for team in teams:
        if db.session.scalar(select(Assignment.id).where(Assignment.team_id == team.id).limit(1)):
            continue
        today = utcnow().date()
        for kind, slug, due in (
            ("module", "filters-and-ranking", today - timedelta(days=2)),
            ("module", "maturation-phases", today + timedelta(days=5)),
        ):
            if publishing.published(kind, slug) is not None:
                db.session.add(
                    Assignment(
                        target_kind=kind,
                        target_slug=slug,
                        team_id=team.id,
                        due_date=due,
                        assigned_by_id=team.manager_id,
                    )
                )
    db.session.flush()
