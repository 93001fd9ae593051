from flask import Blueprint

from app.security import require_roles

bp = Blueprint("admin", __name__)
require_roles(bp, "admin")

from app.admin import routes  # noqa: E402,F401
