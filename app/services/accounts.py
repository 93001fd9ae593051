"""Accounts: creating and editing users and teams, passwords, sessions, and the admin's
directory of them. Services flush; the request commits."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Role, Team, User
from app.models.users import normalise_email, password_hash_method
from app.services import audit_log, passwords, sessions

ROLES = frozenset(r.value for r in Role)
MANAGER_ROLES = (Role.MANAGER.value, Role.ADMIN.value)


class AccountError(ValueError):
    """A request we refuse, with a message for the person who made it and the field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def password_problem(password: str, name: str | None = None, email: str | None = None) -> str | None:
    return passwords.problem(password, name=name, email=email)


def find_user_by_email(email: str | None) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so timing says nothing about the account.
        User(password_hash=_dummy_hash(password_hash_method())).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def create_user(
    email: str,
    name: str,
    password: str,
    role: str = Role.TRAINEE.value,
    team: Team | None = None,
    hire_date: date | None = None,
    check_password: bool = True,
    by: User | None = None,
) -> User:
    email = _valid_email(email)
    if role not in ROLES:
        raise AccountError(_("Unknown role “%(role)s”.", role=role), field="role")
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account already exists for %(email)s.", email=email), field="email")
    if check_password:
        problem = password_problem(password, name=name, email=email)
        if problem:
            raise AccountError(problem, field="password")
    user = User(email=email, name=name.strip() or email, role=role, hire_date=hire_date)
    user.set_password(password)
    _flush_unique_email(email, new=user, team=team)
    if by is not None:
        audit_log.record("user-created", by=by, about=user, detail=f"role {role}")
    return user


def _valid_email(email: str | None) -> str:
    email = normalise_email(email)
    local, _at, domain = email.partition("@")
    if not local or not domain or "@" in domain or any(c.isspace() for c in email):
        raise AccountError(_("Enter a valid email address, like name@company.com."), field="email")
    return email


def _flush_unique_email(email: str, new: User | None = None, team: Team | None = None) -> None:
    """Flush; a second tab that took the same email a moment ago is a message, not a 500."""
    try:
        with db.session.begin_nested():
            if new is not None:
                db.session.add(new)
                new.team = team
            db.session.flush()
    except IntegrityError:
        raise AccountError(_("Another account already uses %(email)s.", email=email), field="email") from None


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise AccountError(_("Your current password is not right."), field="current_password")
    problem = password_problem(new_password, name=user.name, email=user.email)
    if problem:
        raise AccountError(problem, field="new_password")
    user.set_password(new_password)
    sessions.end_all(user, keep_token=user.session_token)  # every other device is logged out


def set_language(user: User, language: str | None) -> None:
    """The interface's language the user reads (app/i18n.LANGUAGES); the same again changes nothing."""
    from app.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise AccountError(_("Choose English or Français."), field="language")
    user.language = language


def note_browser_language(user: User, language: str | None) -> None:
    """Keep the language the user's browser asks for (one of app/i18n.LANGUAGES, or None), for
    what is written to them while they are away; the same again writes nothing."""
    from app.i18n import LANGUAGES

    if language in LANGUAGES and user.browser_language != language:
        user.browser_language = language


def end_all_sessions(user: User, by: User | None = None) -> int:
    """Log the user out on every device; returns how many sessions ended. Asked for by someone
    (an admin, or the user on /account), it goes in the security log."""
    ended = sessions.end_all(user)
    if by is not None:
        audit_log.record(
            "sessions-ended", by=by, about=user, detail=f"{ended} session{'s' if ended != 1 else ''}"
        )
    return ended


def set_active(user: User, active: bool, by: User | None = None) -> None:
    """Deactivate (ending every session) or reactivate; saying it twice changes nothing."""
    if not active and user.active:
        if by is not None and by.id == user.id:
            raise AccountError(_("You cannot deactivate your own account: another admin can."))
        _keep_an_active_admin(user, by)
    if user.active != active:
        user.active = active
        if not active:
            end_all_sessions(user)
        audit_log.record("user-reactivated" if active else "user-deactivated", by=by, about=user)
    db.session.flush()


def set_role(user: User, role: str, by: User | None = None) -> None:
    _check_role_change(user, role, by)
    if user.role != role:
        audit_log.record("role-changed", by=by, about=user, detail=f"{user.role} → {role}")
        user.role = role
        end_all_sessions(user)  # a changed role must not keep old powers in open sessions


def _check_role_change(user: User, role: str, by: User | None) -> None:
    """The rules of a role change: a known role, an active admin kept, a team's manager kept a manager."""
    if role not in ROLES:
        raise AccountError(_("Unknown role “%(role)s”.", role=role), field="role")
    if role == user.role:
        return
    if user.role == Role.ADMIN.value:
        _keep_an_active_admin(user, by)
    if role not in MANAGER_ROLES:
        managed = db.session.scalars(
            select(Team.name).where(Team.manager_id == user.id).order_by(Team.name)
        ).all()
        if managed:  # a team's manager is a manager (see _check_manager)
            raise AccountError(
                ngettext(
                    "%(name)s manages %(teams)s: choose another manager for that team first.",
                    "%(name)s manages %(teams)s: choose another manager for those teams first.",
                    len(managed),
                    name=user.name,
                    teams=", ".join(managed),
                ),
                field="role",
            )


def _keep_an_active_admin(user: User, by: User | None) -> None:
    """The site must keep an active admin: refuse to demote or deactivate the last one. The
    other admins' rows are locked (PostgreSQL), so two admins demoting each other at the same
    moment cannot both succeed."""
    if user.role != Role.ADMIN.value or not user.active:
        return
    others = db.session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.active, User.id != user.id)
        .with_for_update()
    ).all()
    if not others:
        if by is not None and by.id == user.id:
            message = _(
                "You are the last active admin: make another user an admin first, "
                "so that someone can still manage accounts."
            )
        else:
            message = _(
                "%(name)s is the last active admin: make another user an admin first, "
                "so that someone can still manage accounts.",
                name=user.name,
            )
        raise AccountError(message, field="role")


def update_user(
    user: User,
    *,
    name: str | None,
    email: str | None,
    role: str,
    team_id: int | None,
    hire_date: date | None,
    by: User | None = None,
) -> User:
    """The admin's edit of a user: name, email, role, team and hire date, all or nothing."""
    name = (name or "").strip()
    if not name:
        raise AccountError(_("Enter the user's name."), field="name")
    email = _valid_email(email)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AccountError(
            _("Another account already uses %(email)s (%(other_name)s).", email=email, other_name=other.name),
            field="email",
        )
    team = None
    if team_id:
        team = db.session.get(Team, team_id)
        if team is None:
            raise AccountError(_("Choose a team from the list."), field="team_id")
    _check_role_change(user, role, by)
    changed = [
        label
        for label, old, new in (
            ("name", user.name, name),
            ("email", user.email, email),
            ("team", user.team_id, team.id if team else None),
            ("hire date", user.hire_date, hire_date),
        )
        if old != new
    ]
    try:
        with db.session.begin_nested():  # nothing changes unless everything does
            if user.role != role:
                audit_log.record("role-changed", by=by, about=user, detail=f"{user.role} → {role}")
                user.role = role
                end_all_sessions(user)  # see set_role
            user.name, user.email, user.team, user.hire_date = name, email, team, hire_date
            if changed:
                audit_log.record("user-changed", by=by, about=user, detail=", ".join(changed))
            db.session.flush()
    except IntegrityError:
        raise AccountError(_("Another account already uses %(email)s.", email=email), field="email") from None
    return user


def _check_manager(manager: User | None) -> None:
    """One home for "a team's manager is a manager (or an admin), and active"."""
    if manager is not None and (manager.role not in MANAGER_ROLES or not manager.active):
        raise AccountError(
            _(
                "%(manager_name)s is not an active manager: choose one from the list.",
                manager_name=manager.name,
            ),
            field="manager_id",
        )


def _manager_by_id(manager_id: int | None) -> User | None:
    if not manager_id:
        return None
    manager = db.session.get(User, manager_id)
    if manager is None:
        raise AccountError(_("Choose a manager from the list."), field="manager_id")
    _check_manager(manager)
    return manager


def create_team(name: str | None, manager: User | None = None, manager_id: int | None = None) -> Team:
    name = (name or "").strip()
    if not name:
        raise AccountError(_("Give the team a name."), field="name")
    if db.session.scalar(select(Team).where(Team.name == name)):
        raise AccountError(_("A team called “%(name)s” already exists.", name=name), field="name")
    manager = manager if manager is not None else _manager_by_id(manager_id)
    _check_manager(manager)
    team = Team(name=name, manager=manager)
    try:
        with db.session.begin_nested():
            db.session.add(team)
            db.session.flush()
    except IntegrityError:
        raise AccountError(_("A team called “%(name)s” already exists.", name=name), field="name") from None
    return team


def set_team_manager(team: Team, manager_id: int | None) -> User | None:
    team.manager = _manager_by_id(manager_id)
    db.session.flush()
    return team.manager


# The admin's pages: what they list and offer.


@dataclass(frozen=True)
class Directory:
    users: Pagination  # of users, their team loaded
    teams: Sequence[Team]
    team_sizes: dict[int | None, int]  # team id -> number of members (None: no team)


def directory(query: str | None = "", page: int = 1, per_page: int = 50) -> Directory:
    stmt = select(User).order_by(User.name, User.id)
    query = (query or "").strip().lower()
    if query:
        like = f"%{query}%"
        stmt = stmt.where(func.lower(User.name).like(like) | User.email.like(like))
    users = db.paginate(
        stmt.options(db.joinedload(User.team)), page=max(page, 1), per_page=per_page, error_out=False
    )
    teams = db.session.scalars(select(Team).options(db.joinedload(Team.manager)).order_by(Team.name)).all()
    sizes = {
        team_id: n
        for team_id, n in db.session.execute(select(User.team_id, func.count()).group_by(User.team_id))
    }
    return Directory(users, teams, sizes)


def team_choices() -> list[tuple[int, str]]:
    teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    return [(0, _("No team"))] + [(team_id, name) for team_id, name in teams]


def manager_choices() -> list[tuple[int, str]]:
    managers = db.session.execute(
        select(User.id, User.name, User.email)
        .where(User.role.in_(MANAGER_ROLES), User.active)
        .order_by(User.name)
    ).all()
    return [(0, _("No manager"))] + [(user_id, f"{name} ({email})") for user_id, name, email in managers]


@functools.cache
def _dummy_hash(method: str) -> str:
    """Made at the first login for an unknown email, not at import."""
    return generate_password_hash("not-a-real-password", method=method)
