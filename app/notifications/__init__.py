"""Notifications for every role: the list behind the header's bell, mail preferences, the signed
unsubscribe link (no login needed), and the admin's Outbox page."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from app.notifications import routes  # noqa: E402,F401
