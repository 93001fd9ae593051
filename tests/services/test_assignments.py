"""Assignments: who gets what by when, overrides, done and overdue, and the scope of a manager."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assignment, User
from app.services.assignments import assigning, effective, manager_scope
from app.services.learning import role_plays
from tests.helpers import complete_module, play, publish_course, team_with_manager, worst

TODAY = date(2026, 12, 7)


def _user(user_id):
    return db.session.get(User, user_id)


@pytest.fixture
def published(app):
    publish_course(app)


def test_team_assignment_due_after_each_hire_date(app, factory, published):
    manager, team, _ = team_with_manager(factory, trainees=0)
    early = factory.user(team=team, hire_date=date(2026, 11, 1))
    late = factory.user(team=team, hire_date=date(2026, 12, 1))
    with app.app_context():
        assigning.assign(
            _user(manager.id), "module", "maturation-phases", team_id=team, due_days_after_hire=14
        )
        db.session.commit()
        [a] = effective.effective_assignments(_user(early.id), today=TODAY)
        assert (a.kind, a.slug, a.due, a.overdue, a.done, a.from_team) == (
            "module",
            "maturation-phases",
            date(2026, 11, 15),
            True,
            False,
            True,
        )
        assert a.title == "Reading the maturation phases" or a.title
        [b] = effective.effective_assignments(_user(late.id), today=TODAY)
        assert b.due == date(2026, 12, 15) and not b.overdue


def test_a_later_assignment_to_one_person_overrides_the_team_date(app, factory, published):
    manager, team, (tom, ines) = team_with_manager(factory)
    with app.app_context():
        boss = _user(manager.id)
        assigning.assign(
            boss, "scenario", "claire-wants-fifteen-percent", team_id=team, due_date=date(2026, 12, 1)
        )
        assigning.assign(
            boss, "scenario", "claire-wants-fifteen-percent", trainee_id=tom.id, due_date=date(2026, 12, 20)
        )
        db.session.commit()
        [mine] = effective.effective_assignments(_user(tom.id), today=TODAY)
        assert mine.due == date(2026, 12, 20) and not mine.from_team and not mine.overdue
        [theirs] = effective.effective_assignments(_user(ines.id), today=TODAY)
        assert theirs.due == date(2026, 12, 1) and theirs.overdue


def test_assigning_again_changes_the_date_instead_of_adding_a_row(app, factory, published):
    manager, team, _ = team_with_manager(factory)
    with app.app_context():
        boss = _user(manager.id)
        first, created = assigning.assign(
            boss, "module", "pao-action-plans", team_id=team, due_date=date(2026, 12, 1)
        )
        again, created_again = assigning.assign(
            boss, "module", "pao-action-plans", team_id=team, due_days_after_hire=30
        )
        db.session.commit()
        assert created and not created_again and first.id == again.id
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1
        assert again.due_date is None and again.due_days_after_hire == 30


def test_change_and_cancel(app, factory, published):
    manager, team, (tom, _) = team_with_manager(factory)
    with app.app_context():
        boss = _user(manager.id)
        a, _ = assigning.assign(
            boss, "course", "business-relationship", team_id=team, due_date=date(2026, 12, 1)
        )
        assigning.change_due(boss, a.id, due_date=date(2027, 1, 31))
        db.session.commit()
        assert effective.effective_assignments(_user(tom.id), today=TODAY)[0].due == date(2027, 1, 31)
        assigning.cancel(boss, a.id)
        db.session.commit()
        assert effective.effective_assignments(_user(tom.id), today=TODAY) == []
        with pytest.raises(manager_scope.NotInScope):
            assigning.cancel(boss, a.id)  # already cancelled: nothing to cancel


def test_done_follows_the_completion_rules(app, factory, published):
    manager, team, (tom, ines) = team_with_manager(factory)
    with app.app_context():
        boss = _user(manager.id)
        assigning.assign(boss, "module", "maturation-phases", team_id=team, due_date=date(2026, 12, 1))
        assigning.assign(boss, "scenario", "the-stalled-project", team_id=team, due_date=date(2026, 12, 1))
        db.session.commit()
    complete_module(app, tom.id, "maturation-phases")
    play(app, ines.id, "the-stalled-project", pick=worst)  # played, not passed
    with app.app_context():
        tom_work = {a.slug: a for a in effective.effective_assignments(_user(tom.id), today=TODAY)}
        assert tom_work["maturation-phases"].done and not tom_work["maturation-phases"].overdue
        assert not tom_work["the-stalled-project"].done and tom_work["the-stalled-project"].overdue
        ines_work = {a.slug: a for a in effective.effective_assignments(_user(ines.id), today=TODAY)}
        assert not ines_work["the-stalled-project"].done
        # overdue first
        assert [a.slug for a in effective.effective_assignments(_user(tom.id), today=TODAY)][
            0
        ] == "the-stalled-project"
    play(app, ines.id, "the-stalled-project")
    with app.app_context():
        ines_work = {a.slug: a for a in effective.effective_assignments(_user(ines.id), today=TODAY)}
        assert ines_work["the-stalled-project"].done
        # the same from the best scores a page has read already (its passes are not read again)
        for person in (tom, ines):
            best = role_plays.best_scores(_user(person.id))
            read = effective.effective_assignments(_user(person.id), today=TODAY)
            assert effective.effective_assignments(_user(person.id), today=TODAY, best=best) == read


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"due_date": date(2026, 12, 1), "due_days_after_hire": 3}, "due_mode"),
        ({}, "due_mode"),
        ({"due_days_after_hire": -1}, "due_days"),
        ({"due_days_after_hire": 10_000}, "due_days"),
    ],
)
def test_refuses_unclear_due_dates(app, factory, published, kwargs, field):
    manager, team, _ = team_with_manager(factory)
    with app.app_context():
        with pytest.raises(assigning.AssignmentError) as error:
            assigning.assign(_user(manager.id), "module", "pao-action-plans", team_id=team, **kwargs)
        assert error.value.field == field


def test_refuses_unpublished_targets(app, factory, published):
    manager, team, _ = team_with_manager(factory)
    with app.app_context():
        for kind, slug in (("module", "no-such-module"), ("scenario", "pao-action-plans"), ("page", "x")):
            with pytest.raises(assigning.AssignmentError):
                assigning.assign(_user(manager.id), kind, slug, team_id=team, due_date=date(2026, 12, 1))
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_scope_other_teams_are_not_found(app, factory, published):
    manager, team, (tom, _) = team_with_manager(factory)
    other_manager, other_team, (stranger, _) = team_with_manager(factory)
    admin = factory.user(role="admin")
    with app.app_context():
        boss = _user(manager.id)
        with pytest.raises(manager_scope.NotInScope):
            assigning.assign(
                boss, "module", "pao-action-plans", team_id=other_team, due_date=date(2026, 12, 1)
            )
        with pytest.raises(manager_scope.NotInScope):
            assigning.assign(
                boss, "module", "pao-action-plans", trainee_id=stranger.id, due_date=date(2026, 12, 1)
            )
        theirs, _ = assigning.assign(
            _user(other_manager.id),
            "module",
            "pao-action-plans",
            team_id=other_team,
            due_date=date(2026, 12, 1),
        )
        with pytest.raises(manager_scope.NotInScope):
            assigning.change_due(boss, theirs.id, due_date=date(2030, 1, 1))
        with pytest.raises(manager_scope.NotInScope):
            assigning.cancel(boss, theirs.id)
        assert theirs.due_date == date(2026, 12, 1) and theirs.cancelled_at is None
        # an admin may act anywhere
        assigning.assign(
            _user(admin.id), "module", "pao-action-plans", trainee_id=stranger.id, due_date=date(2026, 12, 3)
        )
        assert manager_scope.managed_team_ids(_user(admin.id)) == {team, other_team}
        assert manager_scope.managed_team_ids(boss) == {team}


def test_resolve_is_pure_and_orders_overdue_first():
    class Row:
        def __init__(self, id, kind, slug, user_id=None, team_id=None, due_date=None, days=None):
            self.id, self.target_kind, self.target_slug = id, kind, slug
            self.user_id, self.team_id, self.due_date, self.due_days_after_hire = (
                user_id,
                team_id,
                due_date,
                days,
            )
            self.cancelled_at, self.created_at = None, None

    class Trainee:
        id, team_id, hire_date = 5, 9, date(2026, 11, 1)

    rows = [
        Row(1, "module", "a", team_id=9, due_date=TODAY + timedelta(days=3)),
        Row(2, "module", "b", team_id=9, days=3),
        Row(3, "module", "b", user_id=5, due_date=TODAY - timedelta(days=1)),
        Row(4, "module", "c", team_id=8, due_date=TODAY - timedelta(days=9)),  # another team
        Row(5, "scenario", "d", team_id=9, due_date=TODAY - timedelta(days=30)),
    ]
    out = effective.resolve(Trainee, rows, lambda kind, slug: slug == "d", {}, today=TODAY)
    assert [(a.slug, a.id, a.overdue, a.done) for a in out] == [
        ("b", 3, True, False),
        ("a", 1, False, False),
        ("d", 5, False, True),
    ]


def test_standing_says_what_the_assignments_say():
    """The team dashboard counts and sorts every trainee on Resolver.standing and makes the
    assignments only for the rows it shows: both read the same."""
    from types import SimpleNamespace

    def row(id, kind, slug, user_id=None, team_id=None, due_date=None, days=None):
        return SimpleNamespace(
            id=id,
            target_kind=kind,
            target_slug=slug,
            user_id=user_id,
            team_id=team_id,
            due_date=due_date,
            due_days_after_hire=days,
            cancelled_at=None,
            created_at=None,
        )

    rows = [
        row(1, "module", "a", team_id=9, due_date=TODAY + timedelta(days=3)),
        row(2, "module", "b", team_id=9, days=30),
        row(3, "module", "b", user_id=5, due_date=TODAY - timedelta(days=1)),
        row(4, "scenario", "d", team_id=9, due_date=TODAY - timedelta(days=30)),
        row(5, "course", "e", team_id=9),  # no date
        row(6, "module", "f", user_id=6, days=10),
    ]
    resolver = effective.Resolver(rows, {}, today=TODAY)
    seen = set()
    for trainee_id in (5, 6, 7):
        for hired in (None, TODAY - timedelta(days=40), TODAY - timedelta(days=20), TODAY):
            for done in ((), ("d",), ("a", "b"), ("a", "b", "d", "e", "f")):
                trainee = SimpleNamespace(id=trainee_id, team_id=9, hire_date=hired)
                is_done = lambda kind, slug, done=done: slug in done  # noqa: E731
                made = resolver.for_trainee(trainee, is_done)
                late = [a for a in made if a.overdue]
                open_dates = [a.due for a in made if not a.done and a.due]
                standing = resolver.standing(trainee, is_done)
                assert standing == (
                    len(late),
                    min((a.due for a in late), default=date.max),
                    min(open_dates, default=None),
                )
                seen.add((standing.late, standing.next_due is None))
    assert {(0, True), (0, False), (1, False), (2, False)} <= seen  # the cases were all met
