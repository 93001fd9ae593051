from functools import lru_cache

from flask import Blueprint
from sqlalchemy import bindparam, select

from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@lru_cache(maxsize=1)
def _user_by_id():
    """Built once (session.get builds and keys a new statement on each call): every request
    that has a session runs it."""
    from app.models import User
    return select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(user_id):
    """The id carries the session version: after a bump, old sessions load no one."""
    from app.models import User
    try:
        ident, version = user_id.split(":", 1)
        ident, version = int(ident), int(version)
    except (ValueError, AttributeError):
        return None
    user = db.session.execute(_user_by_id(), {"user_id": ident}).scalar()
    if user is None or not user.active or user.session_version != version:
        return None
    return user


from app.auth import routes  # noqa: E402,F401
