from datetime import timedelta

from flask import Blueprint, current_app, request
from flask_babel import lazy_gettext as _l

from app.extensions import login_manager
from app.services import sessions

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.localize_callback = str  # the lazy message in the page's language, as text for the session
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def session_limits():
    config = current_app.config
    return sessions.Limits(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        lifetime=timedelta(days=config["SESSION_LIFETIME_DAYS"]),
    )


@login_manager.user_loader
def load_user(token):
    """Flask-Login's id is the session's token (from the session cookie or the remember-me
    cookie): a session that was ended, or has expired, loads no one."""
    user, _touched = sessions.load(token, session_limits(), address=request.remote_addr)
    return user  # a last-seen moved is committed with the request, if it succeeds


from app.auth import reset, routes  # noqa: E402,F401
