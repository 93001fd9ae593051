from flask import Blueprint

from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id):
    """The id carries the session version: after a bump, old sessions load no one."""
    from app.models import User
    try:
        ident, version = user_id.split(":", 1)
        ident, version = int(ident), int(version)
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, ident)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


from app.auth import routes  # noqa: E402,F401
