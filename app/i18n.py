"""The interface's languages: which one a page speaks, and the message catalogs behind it.

Messages are written in English in the code and the templates (`_('Save')`, `_l('Email')` for
form labels and module-level text) and translated in app/translations/<lang>/LC_MESSAGES/
messages.po. `flask translate extract|update|compile` (or `make translations`, all three) keep
the catalogs in step with the code; the compiled .mo files are not in git: the factory compiles a
catalog that is missing or older than its .po, so a page never shows raw English for want of one.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import click
from babel import support
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po
from flask import Request, current_app, has_request_context, request, session
from flask.cli import AppGroup
from flask.globals import _cv_app
from flask_babel import force_locale, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from wtforms.i18n import messages_path

if TYPE_CHECKING:
    from app.models import User

LANGUAGES = ("en", "fr")  # English is the messages' own language: no catalog
# Each language named in itself, for the switches (never translated: a reader looks for their own).
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
CHOSEN = "language"  # the session's key: a visitor's choice on the login page
ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"  # made by `extract`, not in git
MAPPING = ROOT / "babel.cfg"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "said": None,  # the content core's lint messages (app/content/model.said), said by the studio
}
# A fixed header date: the catalogs change only where a message does, so parallel branches merge.
HEADER_DATE = datetime(2026, 12, 1, tzinfo=UTC)
TEMPLATE_MESSAGES_KEPT = 4096  # per catalog: the catalogs hold about 1,700 messages in all


def select_locale():
    """The page's language: the user's preference (on /account), else the visitor's choice on
    the login page (the session), else the browser's Accept-Language, else DEFAULT_LOCALE."""
    if has_request_context():
        preference = getattr(current_user, "language", None)
        if preference in LANGUAGES:
            return preference
        if session.get(CHOSEN) in LANGUAGES:
            return session[CHOSEN]
        best = _browser_language(request.headers.get("Accept-Language", ""))
        if best:
            return best
    return current_app.config["DEFAULT_LOCALE"]


@lru_cache(maxsize=256)
def _browser_language(header):
    """request.accept_languages.best_match(LANGUAGES) for an Accept-Language header: the same
    few headers (one per browser) parsed on every request of a visitor without a preference."""
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)


@contextmanager
def speaking_to(user: "User | None", fallback: str | None = None) -> Iterator[str]:
    """Write to `user` (a notification, a mail, its subject) in their language: their
    preference, else `fallback` (the page's, when they asked for it themselves), else the language
    their browser asked for at their last sign-in, else DEFAULT_LOCALE; whoever's request or
    command sends it."""
    candidates = (getattr(user, "language", None), fallback, getattr(user, "browser_language", None))
    language = next((c for c in candidates if c in LANGUAGES), current_app.config["DEFAULT_LOCALE"])
    with force_locale(language):
        yield language


def catalog_paths():
    """{language: its .po file} for every translated language."""
    return {
        lang: TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        for lang in LANGUAGES
        if (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").exists()
    }


def extract():
    """Every message the code and templates ask to translate, as a template catalog; each
    message keeps where it was found (for the completeness test's report, not for the files)."""
    with MAPPING.open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename=str(MAPPING))
    template = Catalog(project="Petits Pas", creation_date=HEADER_DATE, fuzzy=False)
    for path, lineno, message, comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return template


def _write_atomically(path, write, mode="wb"):
    """Write a file whole or not at all: several workers may compile at the same start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode) as fh:
            write(fh)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


def _write_po(path, catalog):
    _write_atomically(
        path,
        lambda fh: write_po(fh, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True),
    )


def update(template):
    """Merge the template into every catalog: new messages arrive empty (to be translated),
    messages gone from the code leave, sorted, without line numbers (small diffs, easy merges)."""
    changed = {}
    for lang, path in catalog_paths().items():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        before = {m.id for m in catalog if m.id}
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        after = {m.id for m in catalog if m.id}
        _write_po(path, catalog)
        changed[lang] = (
            len(after - before),
            len(before - after),
            sum(1 for m in catalog if m.id and not m.string),
        )
    return changed


def compile_catalog(lang, path):
    """The .mo beside a .po; fuzzy entries are left out (they show English until reviewed)."""
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, abort_invalid=True)
    _write_atomically(path.with_suffix(".mo"), lambda fh: write_mo(fh, catalog, use_fuzzy=False))


def ensure_compiled():
    """Compile each catalog whose .mo is missing or older than its .po (a fresh clone, a pull):
    the site never runs on stale or missing translations. A catalog that cannot be compiled
    stops the start with the reason."""
    for lang, path in catalog_paths().items():
        mo = path.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= path.stat().st_mtime:
            continue
        try:
            compile_catalog(lang, path)
        except (OSError, ValueError, PoFileError) as error:  # a broken catalog, a read-only install
            raise SystemExit(
                f"Cannot compile the {lang} messages ({path}): {error}. "
                f"Run `flask translate compile` (or `make translations`)."
            ) from None


def register(app):
    from app.extensions import babel

    if app.config["DEFAULT_LOCALE"] not in LANGUAGES:
        raise SystemExit(
            f"DEFAULT_LOCALE={app.config['DEFAULT_LOCALE']!r} is not one of {', '.join(LANGUAGES)}"
        )
    ensure_compiled()
    babel.init_app(
        app,
        default_locale=app.config["DEFAULT_LOCALE"],
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.context_processor(
        lambda: {
            "page_language": page_language(),
            "language_names": LANGUAGE_NAMES,
        }
    )
    _install_catalog_lookups(app)
    app.cli.add_command(translate_cli)
    from app import vocabulary

    vocabulary.register(app)


# --- finding the page's catalog: once per request, not once per message ---------------------------


class CatalogRequest(Request):
    """Flask-WTF loads WTForms' own catalog (its "This field is required.") from disk on every
    request that builds a form, 2-3 ms each, unless the request already carries it here."""

    @cached_property
    def wtforms_translations(self):
        return _wtforms_catalog(str(get_locale() or current_app.config["DEFAULT_LOCALE"]))


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _wtforms_catalog(language):
    return support.Translations.load(messages_path(), [language], domain="wtforms")


def _page_entry():
    """(locale, catalog, its language code, its messages as templates show them) for the
    current locale: Flask-Babel's catalog, kept beside the locale it was found for, so
    force_locale (a mail in its reader's language) and refresh() still switch it. Flask-Babel's
    own lookup takes three trips through the application globals per message (290 messages on a
    dashboard); this reads its state from the application context directly, one look-up."""
    app_context = _cv_app.get(None)
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    found = getattr(state, "page_catalog", None)
    if found is not None and found[0] is not None and found[0] is getattr(state, "babel_locale", None):
        return found
    catalog = get_translations()
    locale = get_locale()
    # The templates' messages, per catalog (Flask-Babel keeps each catalog for the process):
    # {autoescape: {message: what `_` gives}}.
    messages = catalog.__dict__.setdefault("_template_messages", {True: {}, False: {}})
    entry = (locale, catalog, str(locale) if locale is not None else "en", messages)
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    if state is not None and locale is not None:
        state.page_catalog = entry
    return entry


def _page_catalog():
    """Flask-Babel's catalog for the current locale (_page_entry)."""
    return _page_entry()[1]


def page_language() -> str:
    """The page's language code ("en", "fr", as str(get_locale())), "en" outside a request:
    what the number and date formats ask for, hundreds of times on a team's page."""
    language: str = _page_entry()[2]
    return language


def gettext(string: str, /, **variables: object) -> str:
    """flask_babel.gettext read from the page's catalog, for Python code that asks for the same
    few messages once per row of a large page (the team dashboard's stage cells, 100-200 a
    page): Flask-Babel's own lookup is three trips through the application globals each."""
    message = _page_catalog().ugettext(string)
    return message % variables if variables else message


def ngettext(singular: str, plural: str, num: int, /, **variables: object) -> str:
    """flask_babel.ngettext read from the page's catalog, as gettext above."""
    variables.setdefault("num", num)
    return _page_catalog().ungettext(singular, plural, num) % variables


def _install_catalog_lookups(app):
    app.request_class = CatalogRequest
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _page_catalog().ugettext(s),
        ngettext=lambda s, p, n: _page_catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_catalog().unpgettext(c, s, p, n),
    )
    # The two a page calls most (30-180 times), without Jinja's wrappers around the lookups
    # above: `_` went through gettext by name and each through Context.call, and a message with
    # no variables and no % was formatted all the same; 10 µs a message, 6 µs now.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)


@pass_context
def _template_gettext(context, string, /, **variables):
    """Jinja's newstyle gettext (jinja2.ext._make_new_gettext), reading the page's catalog: the
    message made safe markup when the template autoescapes, then formatted with the variables
    (escaped) even when there are none, so "%%" reads "%" in every message."""
    autoescape = context.eval_ctx.autoescape
    if variables or type(string) is not str:
        message = _page_catalog().ugettext(string)
        if autoescape:
            message = Markup(message)
        return message % variables if variables or "%" in message else message
    # A message without variables gives the same text for the same catalog: looked up, made
    # markup and formatted once per process, not once per page (bounded: a template may
    # translate a value that is not a fixed message).
    known = _page_entry()[3][autoescape]
    message = known.get(string)
    if message is None:
        message = _page_catalog().ugettext(string)
        if autoescape:
            message = Markup(message)
        if "%" in message:
            message = message % variables
        if len(known) < TEMPLATE_MESSAGES_KEPT:
            known[string] = message
    return message


@pass_context
def _template_ngettext(context, singular, plural, num, /, **variables):
    """Jinja's newstyle ngettext (jinja2.ext._make_new_ngettext), as _template_gettext."""
    variables.setdefault("num", num)
    message = _page_catalog().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        message = Markup(message)
    return message % variables


translate_cli = AppGroup("translate", help="Keep the interface's translations in step with the code.")


@translate_cli.command("extract")
def translate_extract():
    """Collect the messages of the code and templates into app/translations/messages.pot."""
    template = extract()
    _write_atomically(
        TEMPLATE, lambda fh: write_po(fh, template, width=0, no_location=True, sort_output=True)
    )
    click.echo(f"{len(template)} messages in {TEMPLATE.relative_to(ROOT)}.")


@translate_cli.command("update")
def translate_update():
    """Extract, then bring every catalog in step with the messages.pot just made."""
    translate_extract.callback()
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh)
    for lang, (added, removed, empty) in update(template).items():
        click.echo(
            f"{lang}: {added} new, {removed} removed, {empty} to translate "
            f"in {catalog_paths()[lang].relative_to(ROOT)}."
        )


@translate_cli.command("compile")
def translate_compile():
    """Compile every catalog into its .mo (what the site reads)."""
    for lang, path in catalog_paths().items():
        compile_catalog(lang, path)
        click.echo(f"{lang}: compiled {path.with_suffix('.mo').relative_to(ROOT)}.")
