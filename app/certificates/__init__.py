"""Stage certificates: the public verification page and PDF (no login: the uuid4 in the link is
the only key), the trainee's "get my certificate", and the observed role-play a manager records
for a trainee of their team. Each view declares its own audience, since they differ."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from app.certificates import routes  # noqa: E402,F401
