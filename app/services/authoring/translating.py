"""Translations in the studio: each language's state against the live source (up to date,
source changed, missing), what changed in the source since a translation was made (the
published version history keeps the text it followed), and checking and publishing a
translation written in the browser.

A translation has no drafts: it is checked against the live source as it is typed and published
whole. Publishing refuses a text written over a translation someone else published since the
editor opened (the trainer's text comes back with a diff)."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from app.content import translation as content_translation
from app.content.model import Finding
from app.content.translation import Value
from app.models import ContentTranslation, ContentVersion, User
from app.reading import language_label
from app.services import publishing, translations
from app.services.authoring.checking import AuthoringError, normalise_newlines, path_for
from app.services.authoring.drafts import DiffRow, diff_lines
from app.services.publishing import PublishRefused

CURRENT, STALE, MISSING = "current", "stale", "missing"


@dataclass
class TranslationState:
    language: str
    state: str  # CURRENT, STALE or MISSING
    path: str  # where the translation lives in git
    row: ContentTranslation | None = None  # the live one
    follows: ContentVersion | None = None  # the source version it follows, when published
    diff: list[DiffRow] = field(default_factory=list)  # the source since `follows` (STALE)


@dataclass
class Overview:
    kind: str
    slug: str
    source: ContentVersion  # the live source
    source_language: str
    source_version: str  # what an up-to-date translation writes in `source-version:`
    states: list[TranslationState]


def overview(kind: str, slug: str) -> Overview | None:
    """Every language of a published text: the course's declared languages and any language
    published for it, each with its state. None when the source is not published."""
    source = publishing.published(kind, slug)
    if source is None:
        return None
    value = publishing.value_of(source)
    own = translations.source_language(value)
    course_id = value.id if kind == "course" else value.course
    live = translations.published_languages(kind, slug)
    languages = [
        code for code in dict.fromkeys([*translations.languages_of(course_id), *sorted(live)]) if code != own
    ]
    current = source.sha256[:12]
    where = path_for(kind, slug)
    states: list[TranslationState] = []
    for code in languages:
        row = live.get(code)
        path = content_translation.translation_path(where, code)
        if row is None:
            states.append(TranslationState(code, MISSING, path))
            continue
        follows = translations.source_version_row(kind, slug, row.source_version)
        if row.source_version == current:
            states.append(TranslationState(code, CURRENT, path, row, follows))
            continue
        diff = (
            diff_lines(follows.source, source.source, f"v{follows.version}", f"v{source.version}")
            if follows
            else []
        )
        states.append(TranslationState(code, STALE, path, row, follows, diff))
    return Overview(kind, slug, source, own, current, states)


def state_of(kind: str, slug: str, language: str) -> tuple[Overview | None, TranslationState | None]:
    found = overview(kind, slug)
    if found is None:
        return None, None
    return found, next((s for s in found.states if s.language == language), None)


def starting_text(found: Overview, state: TranslationState) -> str:
    """The text the editor opens with: the live translation, else the source with the two
    translation keys, for a translator to write over."""
    if state.row is not None:
        return state.row.source
    text = found.source.source
    if text.startswith("---\n"):
        return f'---\nlanguage: {state.language}\nsource-version: "{found.source_version}"\n' + text[4:]
    return text


def check(kind: str, language: str, text: str | None, path: str) -> tuple[Value | None, list[Finding]]:
    return translations.check_text(kind, normalise_newlines(text), path, language)


@dataclass
class TranslationConflict(Exception):
    """Another translation was published since this editor opened; the trainer's text is kept."""

    theirs: str
    mine: str
    base_id: int | None
    diff: list[DiffRow]


def publish(
    kind: str, slug: str, language: str, text: str | None, base_id: int | str | None, user: User
) -> translations.TranslationResult:
    """Publish a translation written in the studio. Refused (PublishRefused) while it has errors,
    and (TranslationConflict) when another one went live since `base_id` was opened."""
    _found, state = state_of(kind, slug, language)
    if state is None:
        raise AuthoringError(
            _(
                "`%(slug)s` has no %(language)s translation to write (publish the source first, "
                "and declare the language in the course’s `languages:`).",
                slug=slug,
                language=language_label(language),
            )
        )
    text = normalise_newlines(text)
    live_id = state.row.id if state.row is not None else None
    base = int(str(base_id)) if str(base_id or "").isdigit() else None
    # (a translation that went away since leaves no one's text to keep)
    if live_id != base and state.row is not None and state.row.source != text:
        raise TranslationConflict(
            state.row.source,
            text,
            live_id,
            diff_lines(state.row.source, text, "the live translation", "your text"),
        )
    value, findings = check(kind, language, text, state.path)
    errors = [f for f in findings if f.is_error]
    if value is None or errors:
        raise PublishRefused(
            ngettext(
                "%(path)s has %(num)d error; fix it before publishing.",
                "%(path)s has %(num)d errors; fix them before publishing.",
                len(errors) or 1,
                path=state.path,
            ),
            errors or findings,
        )
    if value.id != slug:
        raise AuthoringError(_("The text’s id is `%(found)s`, not `%(slug)s`.", found=value.id, slug=slug))
    return translations.publish(kind, text, value, language, path=state.path, author=user)
