"""The active assignments of teams and trainees, as the manager's pages list them."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, or_, select

from app.extensions import db
from app.models import Assignment, User


def own_assignments(trainee: User) -> Sequence[Assignment]:
    """The active assignments given to this trainee alone (not through their team)."""
    return db.session.scalars(
        select(Assignment).where(Assignment.user_id == trainee.id, Assignment.cancelled_at.is_(None))
    ).all()


def _active_for(
    team_ids: Iterable[int], trainee_ids: Iterable[int] = ()
) -> tuple[ColumnElement[bool], ColumnElement[bool]] | None:
    """The WHERE of the active assignments given to these teams (or their members) or to these
    trainees; None when there are neither."""
    teams, trainees = list(team_ids), list(trainee_ids)
    conditions: list[ColumnElement[bool]] = []
    if teams:
        conditions.append(Assignment.team_id.in_(teams))
        conditions.append(Assignment.user_id.in_(select(User.id).where(User.team_id.in_(teams))))
    if trainees:
        conditions.append(Assignment.user_id.in_(trainees))
    return (Assignment.cancelled_at.is_(None), or_(*conditions)) if conditions else None


# The columns effective.Resolver reads: the trainee and team dashboards select these rows, not
# Assignment objects (no ORM object to build for each).
RESOLVED_COLUMNS = (
    Assignment.id,
    Assignment.target_kind,
    Assignment.target_slug,
    Assignment.user_id,
    Assignment.team_id,
    Assignment.due_date,
    Assignment.due_days_after_hire,
    Assignment.created_at,
    Assignment.cancelled_at,
)


def active_for_teams(team_ids: Iterable[int], trainee_ids: Iterable[int] = ()) -> Sequence[Assignment]:
    """Active assignments given to these teams or to these trainees, oldest first."""
    where = _active_for(team_ids, trainee_ids)
    if where is None:
        return []
    return db.session.scalars(
        select(Assignment).where(*where).order_by(Assignment.created_at, Assignment.id)
    ).all()


def active_rows_for_teams(team_ids: Iterable[int]) -> Sequence[Row[Any]]:
    """active_for_teams() as plain rows with the attributes Resolver reads: the dashboard
    resolves them for every trainee, with no ORM object to build for each."""
    teams = list(team_ids)
    if not teams:
        return []
    return db.session.execute(_ACTIVE_ROWS_FOR_TEAMS, {"teams": teams, "member_teams": teams}).all()


# active_rows_for_teams' statement, built once (the team dashboard runs it on every view;
# building and keying it cost more than running it): _active_for(teams) through expanding
# parameters.
_ACTIVE_ROWS_FOR_TEAMS = (
    select(*RESOLVED_COLUMNS)
    .where(
        Assignment.cancelled_at.is_(None),
        or_(
            Assignment.team_id.in_(bindparam("teams", expanding=True)),
            Assignment.user_id.in_(
                select(User.id).where(User.team_id.in_(bindparam("member_teams", expanding=True)))
            ),
        ),
    )
    .order_by(Assignment.created_at, Assignment.id)
)
