from flask import Blueprint

from app.security import require_roles

bp = Blueprint("manage", __name__)
require_roles(bp, "manager")

from app.manage import routes  # noqa: E402,F401
