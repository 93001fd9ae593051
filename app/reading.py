"""The language a page shows course content in: the interface's (app/i18n.py chooses it), so a
trainee reads lessons and plays role-plays in the language the site speaks to them. The one
place views ask; services take the language as an argument."""

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from jinja2 import pass_context

from app.content import labels


def reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def language_label(code: str) -> str:
    """A language's name in the page's language ("French", "français"), capitalised."""
    try:
        name = Locale.parse(code).get_display_name(get_locale() or "en") or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


@pass_context
def dim_label(context, name):
    """A score, concession or counterpart's label, from the page's `scenario` (labels.name_label)."""
    return labels.name_label(context.get("scenario"), name)


def register(app):
    app.jinja_env.globals.update(dim_label=dim_label, language_label=language_label)
