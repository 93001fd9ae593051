"""Accounts: creating users and teams, passwords, sessions. Services flush; the request commits."""
from sqlalchemy import select

from app.extensions import db
from app.models import Role, Team, User
from app.models.users import normalise_email
from app.services import sessions

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
# The most common passwords of public breach lists, plus the product's own words.
COMMON_PASSWORDS = {
    "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123",
    "qwertyuiop", "iloveyou", "11111111", "00000000", "abc12345", "abcd1234", "passw0rd",
    "letmein1", "welcome1", "sunshine", "football", "baseball", "princess", "superman",
    "trustno1", "azerty123", "motdepasse", "1q2w3e4r", "administrator", "changeme",
    "petitspas", "qwerty12", "iloveyou1", "dragon12", "monkey123", "starwars", "whatever",
}


class AccountError(ValueError):
    """A request we refuse, with a message for the person who made it and the field it is about."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def password_problem(password):
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS:
        return "This password is too common; choose another."
    return None


def find_user_by_email(email):
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email, password):
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so timing says nothing about the account.
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def create_user(email, name, password, role=Role.TRAINEE.value, team=None, hire_date=None,
                check_password=True):
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter a valid email address.")
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}.")
    if find_user_by_email(email) is not None:
        raise AccountError(f"An account already exists for {email}.")
    if check_password:
        problem = password_problem(password)
        if problem:
            raise AccountError(problem, field="password")
    user = User(email=email, name=name.strip() or email, role=role, team=team, hire_date=hire_date)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user, current_password, new_password):
    if not user.check_password(current_password):
        raise AccountError("Your current password is not right.", field="current_password")
    problem = password_problem(new_password)
    if problem:
        raise AccountError(problem, field="new_password")
    user.set_password(new_password)
    sessions.end_all(user, keep_token=user.session_token)  # every other device is logged out


def end_all_sessions(user):
    """Log the user out on every device; returns how many sessions ended."""
    return sessions.end_all(user)


def set_active(user, active):
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()


def set_role(user, role):
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}.")
    if user.role != role:
        user.role = role
        end_all_sessions(user)  # a changed role must not keep old powers in open sessions


def create_team(name, manager=None):
    name = name.strip()
    if not name:
        raise AccountError("Give the team a name.")
    if db.session.scalar(select(Team).where(Team.name == name)):
        raise AccountError(f"A team called {name!r} already exists.")
    if manager is not None and manager.role not in (Role.MANAGER.value, Role.ADMIN.value):
        raise AccountError(f"{manager.name} is not a manager.")
    team = Team(name=name, manager=manager)
    db.session.add(team)
    db.session.flush()
    return team


from werkzeug.security import generate_password_hash  # noqa: E402

_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
