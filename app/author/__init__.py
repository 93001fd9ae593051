from flask import Blueprint

from app.security import require_roles

bp = Blueprint("author", __name__)
require_roles(bp, "trainer")

from app.author import routes, translation_routes  # noqa: E402,F401
