"""The events people are told about as they happen, called by the use case that makes them (in
its transaction): new work assigned, a manager's coaching comment. The scheduled ones (due
soon, overdue, stage completed, digests) are in app/services/reminders.py."""

from collections.abc import Sequence
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.formats import day
from app.i18n import speaking_to
from app.models import Assignment, CoachingComment, ScenarioAttempt, User
from app.services.notifications import notify

KIND_WORDS = {"course": _l("course"), "module": _l("module"), "scenario": _l("role-play")}


def target_link(kind: str, slug: str) -> tuple[str, dict[str, str]]:
    """(endpoint, values) of the trainee's page for an assigned course, module or scenario."""
    if kind == "module":
        return "learn.module", {"module_id": slug}
    if kind == "scenario":
        return "learn.scenario", {"scenario_id": slug}
    return "learn.dashboard", {}


def due_for(assignment: Assignment, trainee: User) -> date | None:
    """The trainee's due date: the fixed one, or hire date + days (None without a hire date)."""
    if assignment.due_date is not None:
        return assignment.due_date
    if assignment.due_days_after_hire is not None and trainee.hire_date is not None:
        return trainee.hire_date + timedelta(days=assignment.due_days_after_hire)
    return None


def assignment_given(assignment: Assignment, by: User, title: str | None) -> None:
    """New work: each trainee it is for (the one named, or every active trainee of the team)."""
    if assignment.user_id is not None:
        trainee = db.session.get(User, assignment.user_id)
        trainees: Sequence[User] = [trainee] if trainee is not None else []
    else:
        trainees = db.session.scalars(
            select(User).where(User.team_id == assignment.team_id, User.role == "trainee", User.active)
        ).all()
    for trainee in trainees:
        due = due_for(assignment, trainee)
        with speaking_to(trainee):
            what = str(KIND_WORDS.get(assignment.target_kind, assignment.target_kind))
            heading = (
                _("New %(what)s: %(title)s, due %(day)s", what=what, title=title, day=day(due))
                if due
                else _("New %(what)s: %(title)s", what=what, title=title)
            )
            notify(
                trainee,
                "assignment",
                f"assignment:{assignment.id}",
                heading,
                target_link(assignment.target_kind, assignment.target_slug),
                template="assignment",
                subject=_("New %(what)s for you: %(title)s", what=what, title=title),
                what=what,
                target=title,
                due=due,
                by=by,
                for_team=assignment.user_id is None,
            )


def comment_posted(comment: CoachingComment, attempt: ScenarioAttempt, by: User, scenario_title: str) -> None:
    """A manager's coaching comment on one of the trainee's attempts: the comment and a link to
    the debrief (the comments page when the attempt has none: it was started over)."""
    trainee = db.session.get_one(User, attempt.user_id)  # a foreign key: never None
    link = (
        ("learn.comments", {})
        if attempt.status == "abandoned"
        else ("learn.player", {"attempt_id": attempt.id})
    )
    with speaking_to(trainee):
        notify(
            trainee,
            "comment",
            f"comment:{comment.id}",
            _("%(name)s commented on your role-play %(title)s", name=by.name, title=scenario_title),
            link,
            template="comment",
            subject=_("%(name)s commented on your role-play", name=by.name),
            body=comment.body,
            by=by,
            scenario=scenario_title,
            finished=attempt.status == "finished",
        )
