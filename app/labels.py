"""The interface's words for the domain's values (roles, ...), in the page's language: the
content core keeps its ids and English words; templates and services show these."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

ROLE_NAMES = {"trainee": _l("Trainee"), "manager": _l("Manager"), "trainer": _l("Trainer"), "admin": lazy_pgettext("role", "Admin")}


def role_name(role):
    return str(ROLE_NAMES.get(role, role))


def register(app):
    app.jinja_env.globals.update(role_name=role_name)
