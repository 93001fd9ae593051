"""Scope: a manager acts only within the teams they manage; an admin acts everywhere. Another
team's assignment or trainee is "not found" (the view answers 404), and nothing is written.
"""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select, bindparam, select

from app.extensions import db
from app.models import Assignment, Team, User

_T = TypeVar("_T", bound=tuple[Any, ...])


class NotInScope(LookupError):
    """The object does not exist or belongs to a team the user does not manage (404)."""


# The rule, in one place: a manager reaches the teams they manage; an admin reaches every team.


def manages(user: User, team: Team | None) -> bool:
    return team is not None and (user.is_admin or team.manager_id == user.id)


def _managed_by(stmt: Select[_T], user: User) -> Select[_T]:
    return stmt if user.is_admin else stmt.where(Team.manager_id == user.id)


def managed_team_ids(user: User) -> set[int]:
    """The ids of the teams a user may see and assign in; every team for an admin."""
    return set(db.session.scalars(_managed_by(select(Team.id), user)))


# Built once (every manager's page asks; building and keying a statement costs more than running
# it): the rule above, for an admin and for a manager (`manager_id`).
_EVERY_TEAM = select(Team).order_by(Team.name)
_TEAMS_MANAGED = _EVERY_TEAM.where(Team.manager_id == bindparam("manager_id"))


def managed_teams(user: User) -> Sequence[Team]:
    if user.is_admin:
        return db.session.scalars(_EVERY_TEAM).all()
    return db.session.scalars(_TEAMS_MANAGED, {"manager_id": user.id}).all()


def team_in_scope(user: User, team_id: object) -> Team:
    team = db.session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None or not manages(user, team):
        raise NotInScope("team")
    return team


def trainee_in_scope(user: User, trainee_id: object) -> User:
    """A trainee of a team the user manages (any team for an admin)."""
    trainee = db.session.get(User, trainee_id) if isinstance(trainee_id, int) else None
    if trainee is None or trainee.role != "trainee" or not manages(user, trainee.team):
        raise NotInScope("trainee")
    return trainee


def assignable_trainees(team_ids: Iterable[int]) -> Sequence[Row[tuple[int, str, int | None]]]:
    """[(id, name, team id)] of the active trainees of the teams, by name (the assign form's list)."""
    return db.session.execute(
        select(User.id, User.name, User.team_id)
        .where(User.team_id.in_(sorted(team_ids)), User.role == "trainee", User.active)
        .order_by(User.name)
    ).all()


def assignment_in_scope(user: User, assignment_id: object) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id) if isinstance(assignment_id, int) else None
    if assignment is None or assignment.cancelled_at is not None:
        raise NotInScope("assignment")
    _check_scope(user, assignment)
    return assignment


def _check_scope(user: User, assignment: Assignment) -> None:
    team = (
        assignment.team
        if assignment.team_id is not None
        else (assignment.user.team if assignment.user else None)
    )
    if not manages(user, team):
        raise NotInScope("assignment")


def cancelled_in_scope(user: User, assignment_id: object) -> Assignment:
    """A cancelled assignment of the user's teams (for its Undo); NotInScope otherwise."""
    assignment = db.session.get(Assignment, assignment_id) if isinstance(assignment_id, int) else None
    if assignment is None or assignment.cancelled_at is None:
        raise NotInScope("assignment")
    _check_scope(user, assignment)
    return assignment
