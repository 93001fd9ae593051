from flask import Blueprint

from app.security import require_roles

bp = Blueprint("learn", __name__)
require_roles(bp, "trainee")

from app.learn import boost_routes, routes  # noqa: E402,F401
