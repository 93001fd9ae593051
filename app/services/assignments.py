"""Assignments: a manager gives a course, a module or a scenario to a trainee or to a whole team,
due on a fixed date or a number of days after each trainee's hire date.

Scope: a manager acts only within the teams they manage; an admin acts everywhere. Another
team's assignment or trainee is "not found" (the view answers 404), and nothing is written.

Which assignment counts for a trainee: the active ones given to the trainee or to the
trainee's team; when both name the same target, the one given to the trainee wins (it is the
later, more specific decision: "Tom gets two more weeks")."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from app import formats
from app.extensions import db
from app.models import Assignment, ScenarioAttempt, Team, User
from app.models.base import utcnow
from app.models.learning import counts_as_pass
from app.services import progress as progress_service
from app.services import publishing
from app.services.outline import load_outline

TARGET_KINDS = ("course", "module", "scenario")
KIND_LABELS = {"course": _l("Course"), "module": _l("Module"), "scenario": _l("Scenario")}
MAX_DAYS_AFTER_HIRE = 730


class AssignmentError(ValueError):
    """A request we refuse, in the manager's words, with the form field it is about."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotInScope(LookupError):
    """The object does not exist or belongs to a team the user does not manage (404)."""


# --- scope ------------------------------------------------------------------------------------

# The rule, in one place: a manager reaches the teams they manage; an admin reaches every team.


def manages(user, team):
    return team is not None and (user.is_admin or team.manager_id == user.id)


def _managed_by(stmt, user):
    return stmt if user.is_admin else stmt.where(Team.manager_id == user.id)


def managed_team_ids(user):
    """The ids of the teams a user may see and assign in; every team for an admin."""
    return set(db.session.scalars(_managed_by(select(Team.id), user)))


def managed_teams(user):
    return db.session.scalars(_managed_by(select(Team).order_by(Team.name), user)).all()


def team_in_scope(user, team_id):
    team = db.session.get(Team, team_id) if isinstance(team_id, int) else None
    if not manages(user, team):
        raise NotInScope("team")
    return team


def trainee_in_scope(user, trainee_id):
    """A trainee of a team the user manages (any team for an admin)."""
    trainee = db.session.get(User, trainee_id) if isinstance(trainee_id, int) else None
    if trainee is None or trainee.role != "trainee" or not manages(user, trainee.team):
        raise NotInScope("trainee")
    return trainee


def assignable_trainees(team_ids):
    """[(id, name, team id)] of the active trainees of the teams, by name (the assign form's list)."""
    return db.session.execute(
        select(User.id, User.name, User.team_id)
        .where(User.team_id.in_(sorted(team_ids)), User.role == "trainee", User.active)
        .order_by(User.name)
    ).all()


def own_assignments(trainee):
    """The active assignments given to this trainee alone (not through their team)."""
    return db.session.scalars(
        select(Assignment).where(Assignment.user_id == trainee.id, Assignment.cancelled_at.is_(None))
    ).all()


def assignment_in_scope(user, assignment_id):
    assignment = db.session.get(Assignment, assignment_id) if isinstance(assignment_id, int) else None
    if assignment is None or assignment.cancelled_at is not None:
        raise NotInScope("assignment")
    _check_scope(user, assignment)
    return assignment


def _check_scope(user, assignment):
    team = (
        assignment.team
        if assignment.team_id is not None
        else (assignment.user.team if assignment.user else None)
    )
    if not manages(user, team):
        raise NotInScope("assignment")


# --- targets ----------------------------------------------------------------------------------


def assignable_targets():
    """[(kind, slug, title)] of everything published, courses first, modules in course order."""
    out = []
    for kind in TARGET_KINDS:
        versions = publishing.published_all(kind)
        items = []
        for slug, version in versions.items():
            value = publishing.value_of(version) if kind == "module" else None
            order = (getattr(value, "stage", ""), getattr(value, "order", 0)) if value else ("", 0)
            items.append((order, slug, version.title or slug))
        if kind == "module":
            stage_order = _stage_order()
            items.sort(key=lambda item: (stage_order.get(item[0][0], 99), item[0][1], item[1]))
        else:
            items.sort(key=lambda item: item[2].lower())
        out += [(kind, slug, title) for _, slug, title in items]
    return out


def _stage_order():
    order = {}
    for version in publishing.published_all("course").values():
        course = publishing.value_of(version)
        if course is not None:
            for number, stage in enumerate(course.stages):
                order.setdefault(stage.id, number)
    return order


def target_title(kind, slug):
    version = publishing.published(kind, slug)
    return version.title if version is not None else None


# --- writing ----------------------------------------------------------------------------------


def _check_due(due_date, due_days_after_hire, today):
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
    by,
    target_kind,
    target_slug,
    *,
    trainee_id=None,
    team_id=None,
    due_date=None,
    due_days_after_hire=None,
    today=None,
):
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


def change_due(by, assignment_id, *, due_date=None, due_days_after_hire=None, today=None):
    assignment = assignment_in_scope(by, assignment_id)
    _check_due(due_date, due_days_after_hire, today)
    assignment.due_date, assignment.due_days_after_hire = due_date, due_days_after_hire
    assignment.assigned_by_id = by.id
    db.session.flush()
    return assignment


def cancel(by, assignment_id):
    """Cancel an active assignment (the row stays, with the time it was cancelled)."""
    assignment = assignment_in_scope(by, assignment_id)
    assignment.cancelled_at = utcnow()
    db.session.flush()
    return assignment


def cancelled_in_scope(user, assignment_id):
    """A cancelled assignment of the user's teams (for its Undo); NotInScope otherwise."""
    assignment = db.session.get(Assignment, assignment_id) if isinstance(assignment_id, int) else None
    if assignment is None or assignment.cancelled_at is None:
        raise NotInScope("assignment")
    _check_scope(user, assignment)
    return assignment


def undo_cancel(by, assignment_id):
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


def _active_for(team_ids, trainee_ids=()):
    """The WHERE of the active assignments given to these teams (or their members) or to these
    trainees; None when there are neither."""
    team_ids, trainee_ids = list(team_ids), list(trainee_ids)
    conditions = []
    if team_ids:
        conditions.append(Assignment.team_id.in_(team_ids))
        conditions.append(Assignment.user_id.in_(select(User.id).where(User.team_id.in_(team_ids))))
    if trainee_ids:
        conditions.append(Assignment.user_id.in_(trainee_ids))
    return (Assignment.cancelled_at.is_(None), or_(*conditions)) if conditions else None


def active_for_teams(team_ids, trainee_ids=()):
    """Active assignments given to these teams or to these trainees, oldest first."""
    where = _active_for(team_ids, trainee_ids)
    if where is None:
        return []
    return db.session.scalars(
        select(Assignment).where(*where).order_by(Assignment.created_at, Assignment.id)
    ).all()


def active_rows_for_teams(team_ids):
    """active_for_teams() as plain rows with the attributes Resolver reads: the dashboard
    resolves them for every trainee, with no ORM object to build for each."""
    where = _active_for(team_ids)
    if where is None:
        return []
    return db.session.execute(
        select(
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
        .where(*where)
        .order_by(Assignment.created_at, Assignment.id)
    ).all()


# --- what counts for a trainee ------------------------------------------------------------------


@dataclass(slots=True)
class EffectiveAssignment:
    id: int
    kind: str
    slug: str
    title: str
    due: date | None
    overdue: bool
    done: bool
    from_team: bool  # given to the whole team (False: given to this trainee)
    assigned_at: object = None

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def days_left(self):
        return (self.due - formats.today()).days if self.due else None


def resolve(trainee, assignments, is_done, titles, today=None):
    """The assignments that count for one trainee, from the active ones of the trainee and the
    team (pure: no database). `is_done(kind, slug) -> bool`; `titles` {(kind, slug): title}.
    Overdue first, then by date."""
    return Resolver(assignments, titles, today).for_trainee(trainee, is_done)


class Resolver:
    """resolve() for many trainees over the same assignments (the manager's dashboard): which
    assignment counts for a target is decided once per team, then per trainee only the
    trainee's own assignments, due dates and done are looked at."""

    def __init__(self, assignments, titles, today=None):
        self.today = today or formats.today()
        self.by_team, self.own = {}, {}
        for a in assignments:  # oldest first
            if a.cancelled_at is not None:
                continue
            key = (a.target_kind, a.target_slug)
            title = titles.get(key) or a.target_slug
            # (id, kind, slug, title, fixed due date, days after hire, from team, assigned at)
            entry = (
                a.id,
                a.target_kind,
                a.target_slug,
                title,
                a.due_date,
                timedelta(days=a.due_days_after_hire) if a.due_days_after_hire is not None else None,
                a.user_id is None,
                a.created_at,
            )
            if a.user_id is not None:
                self.own.setdefault(a.user_id, {})[key] = entry  # the trainee's own wins, the latest of them
            elif a.team_id is not None:
                chosen = self.by_team.setdefault(a.team_id, {})
                if key not in chosen or a.id > chosen[key][0]:
                    chosen[key] = entry

    def for_trainee(self, trainee, is_done):
        chosen = self.by_team.get(trainee.team_id, {})
        own = self.own.get(trainee.id)
        if own:
            chosen = {**chosen, **own}
        today, hire_date = self.today, trainee.hire_date
        out = []
        for a_id, kind, slug, title, fixed, after_hire, from_team, assigned_at in chosen.values():
            due = (
                fixed
                if fixed is not None
                else (hire_date + after_hire if after_hire is not None and hire_date else None)
            )
            done = bool(is_done(kind, slug))
            out.append(
                EffectiveAssignment(
                    a_id,
                    kind,
                    slug,
                    title,
                    due,
                    bool(due and due < today and not done),
                    done,
                    from_team,
                    assigned_at,
                )
            )
        if len(out) > 1:
            out.sort(key=lambda e: (e.done, not e.overdue, e.due or date.max, e.title.lower()))
        return out


def effective_assignments(user, today=None, progress=None):
    """For one trainee: the active assignments that count, each with target kind, slug and
    title, due date (absolute or hire date + days), overdue and done (done by the completion
    rules of progress.py; a scenario is done when passed once). Overdue first. `progress`: the
    trainee's progress through a course, already read by the page (not folded again)."""
    assignments = db.session.scalars(
        select(Assignment).where(
            Assignment.cancelled_at.is_(None),
            or_(
                Assignment.user_id == user.id,
                Assignment.team_id == user.team_id if user.team_id is not None else False,
            ),
        )
    ).all()
    if not assignments:
        return []
    kinds = {a.target_kind for a in assignments}
    courses = {}
    course_ids = {a.target_slug for a in assignments if a.target_kind == "course"}
    module_progress = None
    if "module" in kinds or "course" in kinds:
        if progress is not None:
            courses[progress.id] = progress
        for course_id in course_ids | {progress.id if progress is not None else publishing.course_id()} - {
            None
        }:
            if course_id not in courses:
                courses[course_id] = progress_service.progress_of(user.id, course_id)
        module_progress = {}
        for course in courses.values():
            if course is None:
                continue
            for stage in course.stages:
                for module in stage.modules:
                    module_progress[module.id] = module
        if "module" in kinds:
            # Modules of other courses: their course is named in the module itself.
            for slug in {a.target_slug for a in assignments if a.target_kind == "module"} - set(
                module_progress
            ):
                version = publishing.published("module", slug)
                value = publishing.value_of(version) if version else None
                if value is not None and value.course not in courses:
                    courses[value.course] = progress_service.progress_of(user.id, value.course)
                    for stage in courses[value.course].stages if courses[value.course] else []:
                        for module in stage.modules:
                            module_progress[module.id] = module
    scenario_slugs = {a.target_slug for a in assignments if a.target_kind == "scenario"}
    passed = set()
    if scenario_slugs:
        passed = set(
            db.session.scalars(
                select(ScenarioAttempt.scenario_slug)
                .where(
                    ScenarioAttempt.user_id == user.id,
                    ScenarioAttempt.scenario_slug.in_(scenario_slugs),
                    counts_as_pass(),
                )
                .distinct()
            )
        )

    def is_done(kind, slug):
        if kind == "scenario":
            return slug in passed
        if kind == "module":
            module = (module_progress or {}).get(slug)
            return bool(module and module.complete)
        course = courses.get(slug)
        return bool(course and course.complete)

    # every published title in the outline's one light statement (not a version read per assignment)
    published_titles = load_outline().titles
    titles = {
        (a.target_kind, a.target_slug): published_titles.get((a.target_kind, a.target_slug))
        for a in assignments
    }
    return resolve(user, assignments, is_done, titles, today=today)


def has_passed(user_id, scenario_slug):
    return db.session.scalar(
        select(
            exists().where(
                ScenarioAttempt.user_id == user_id,
                ScenarioAttempt.scenario_slug == scenario_slug,
                counts_as_pass(),
            )
        )
    )
