"""Giving work to a trainee or a team, due on a fixed date or a number of days after each
trainee's hire date; changing the due date, cancelling, and undoing a cancellation."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, User
from app.models.base import utcnow
from app.services.assignments.assignment_targets import TARGET_KINDS, target_title
from app.services.assignments.manager_scope import (
    assignment_in_scope,
    cancelled_in_scope,
    team_in_scope,
    trainee_in_scope,
)

MAX_DAYS_AFTER_HIRE = 730


class AssignmentError(ValueError):
    """A request we refuse, in the manager's words, with the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_due(due_date: date | None, due_days_after_hire: int | None, today: date | None) -> None:
    if (due_date is None) == (due_days_after_hire is None):
        raise AssignmentError(
            _("Give either a due date or a number of days after the hire date."), "due_mode"
        )
    if due_days_after_hire is not None and not 0 <= due_days_after_hire <= MAX_DAYS_AFTER_HIRE:
        raise AssignmentError(
            _("Days after hire must be between 0 and %(most)s.", most=MAX_DAYS_AFTER_HIRE), "due_days"
        )
    if due_date is not None and not date(2000, 1, 1) <= due_date <= date(2100, 1, 1):
        raise AssignmentError(_("That due date is out of range."), "due_date")
    if due_date is not None and today is not None and due_date < today:
        raise AssignmentError(_("That date has passed: choose today or a later date."), "due_date")


def assign(
    by: User,
    target_kind: str,
    target_slug: str,
    *,
    trainee_id: int | None = None,
    team_id: int | None = None,
    due_date: date | None = None,
    due_days_after_hire: int | None = None,
    today: date | None = None,
) -> tuple[Assignment, bool]:
    """Give work to one trainee or a team. Giving the same target to the same person or team
    again changes the due date of the assignment already there (a double click, a second tab
    or a corrected date never makes a second one). A due date before `today` (the
    organisation's) is refused; `today=None` skips that check (an undo puts back what was).
    Returns (assignment, created)."""
    if target_kind not in TARGET_KINDS:
        raise AssignmentError(_("Choose a course, a module or a scenario."), "target")
    if not target_slug or target_title(target_kind, target_slug) is None:
        raise AssignmentError(_("That course, module or scenario is not published."), "target")
    if (trainee_id is None) == (team_id is None):
        raise AssignmentError(_("Assign to one trainee or to one team."), "assignee")
    _check_due(due_date, due_days_after_hire, today)
    if trainee_id is not None:
        trainee_in_scope(by, trainee_id)
        same = Assignment.user_id == trainee_id
    else:
        team_in_scope(by, team_id)
        same = Assignment.team_id == team_id
    existing = db.session.scalar(
        select(Assignment)
        .where(
            same,
            Assignment.target_kind == target_kind,
            Assignment.target_slug == target_slug,
            Assignment.cancelled_at.is_(None),
        )
        .order_by(Assignment.id)
        .limit(1)
    )
    if existing is not None:
        existing.due_date, existing.due_days_after_hire = due_date, due_days_after_hire
        existing.assigned_by_id = by.id
        db.session.flush()
        return existing, False
    assignment = Assignment(
        target_kind=target_kind,
        target_slug=target_slug,
        user_id=trainee_id,
        team_id=team_id,
        due_date=due_date,
        due_days_after_hire=due_days_after_hire,
        assigned_by_id=by.id,
    )
    db.session.add(assignment)
    db.session.flush()
    from app.services import (
        notification_events,  # tell each trainee, in this transaction
    )

    notification_events.assignment_given(assignment, by, target_title(target_kind, target_slug))
    return assignment, True


def change_due(
    by: User,
    assignment_id: object,
    *,
    due_date: date | None = None,
    due_days_after_hire: int | None = None,
    today: date | None = None,
) -> Assignment:
    assignment = assignment_in_scope(by, assignment_id)
    _check_due(due_date, due_days_after_hire, today)
    assignment.due_date, assignment.due_days_after_hire = due_date, due_days_after_hire
    assignment.assigned_by_id = by.id
    db.session.flush()
    return assignment


def cancel(by: User, assignment_id: object) -> Assignment:
    """Cancel an active assignment (the row stays, with the time it was cancelled)."""
    assignment = assignment_in_scope(by, assignment_id)
    assignment.cancelled_at = utcnow()
    db.session.flush()
    return assignment


def undo_cancel(by: User, assignment_id: object) -> tuple[Assignment, bool]:
    """Give the work of a cancelled assignment again, as it was (same target, person or team
    and due date, even one now past). The cancelled row stays as the record of the
    cancellation; a second click finds the work assigned already and changes nothing.
    Returns (assignment, created)."""
    old = cancelled_in_scope(by, assignment_id)
    return assign(
        by,
        old.target_kind,
        old.target_slug,
        trainee_id=old.user_id,
        team_id=old.team_id,
        due_date=old.due_date,
        due_days_after_hire=old.due_days_after_hire,
    )
