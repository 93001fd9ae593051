"""Translations in the database: published as language variants of a source's id, so an attempt,
an assignment or a certificate counts the same whatever language it was done in.

Which text a trainee reads (`variant`): the live translation in their language when it was made
for this source version, or when the source changed since but kept its structure (the words may
lag behind, the play is the same: content/translation.fits); else the newest translation made for
this very version; else the source itself. An attempt records the translation it started on, so
it reads the same later to the trainee and to their manager."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import defer

from app.content import serialize
from app.content import translation as content_translation
from app.content.memo import weighed_memo
from app.content.model import Course, Finding
from app.content.translation import Value
from app.extensions import db
from app.models import (
    ContentTranslation,
    ContentVersion,
    PublishedContent,
    PublishedTranslation,
    User,
)
from app.services import audit_log, publishing

LiveRow = Row[tuple[int, str, str, str, str]]  # (id, kind, slug, title, sha256)


@dataclass
class TranslationResult:
    row: ContentTranslation
    created: bool
    moved: bool


# --- reading ----------------------------------------------------------------------------------


@weighed_memo(budget=8_000_000)  # by the compiled JSON's length, not a count of rows
def value_by_id(translation_id: int) -> tuple[Any, int]:  # Any: see publishing.FROM_JSON
    """The value of a translation row, once per process: rows never change. (The memo keeps the
    value, charged the length of its compiled JSON.)"""
    row = db.session.execute(
        select(ContentTranslation.kind, ContentTranslation.compiled).where(
            ContentTranslation.id == translation_id
        )
    ).one()
    return publishing.FROM_JSON[row.kind](json.loads(row.compiled)), len(row.compiled)


@lru_cache(maxsize=2048)
def fits_version(version_id: int, translation_id: int) -> bool:
    return content_translation.fits(publishing.value_by_id(version_id), value_by_id(translation_id))


# The rows a page picks a translation by, without their Markdown and compiled JSON: the value
# comes from value_by_id, once per process.
_LIGHT = (defer(ContentTranslation.compiled), defer(ContentTranslation.source))


# Built once (building and keying a statement cost more CPU than running it): every page that
# shows content reads the live translations of its reader's language.
_LIVE = (
    select(ContentTranslation)
    .options(*_LIGHT)
    .join(PublishedTranslation, PublishedTranslation.translation_id == ContentTranslation.id)
    .where(
        PublishedTranslation.kind == bindparam("kind"),
        PublishedTranslation.slug == bindparam("slug"),
        PublishedTranslation.language == bindparam("language"),
    )
)


def live(kind: str, slug: str, language: str) -> ContentTranslation | None:
    """The published translation of a text in a language, or None."""
    return publishing.read_once(
        ("translation", kind, slug, language),
        lambda: db.session.scalar(_LIVE, {"kind": kind, "slug": slug, "language": language}),
    )


def variant(kind: str, version: ContentVersion | None, language: str | None) -> ContentTranslation | None:
    """The translation row to show for this source version in `language`, or None (the source)."""
    if not language or version is None:
        return None
    return publishing.read_once(
        ("variant", kind, version.id, language), lambda: _variant(kind, version, language)
    )


def _variant(kind: str, version: ContentVersion, language: str) -> ContentTranslation | None:
    if language == source_language(publishing.value_of(version)):
        return None  # the text's own language (two statements per text for English readers before)
    current = live(kind, version.slug, language)
    if current is not None and (
        current.source_version_id == version.id or fits_version(version.id, current.id)
    ):
        return current
    return db.session.scalar(
        select(ContentTranslation)
        .options(*_LIGHT)
        .where(
            ContentTranslation.kind == kind,
            ContentTranslation.slug == version.slug,
            ContentTranslation.language == language,
            ContentTranslation.source_version_id == version.id,
        )
        .order_by(ContentTranslation.revision.desc())
        .limit(1)
    )


def live_rows(language: str, kind: str | None = None) -> Sequence[LiveRow]:
    """(id, kind, slug, title, sha256) of every live translation in a language, in one statement."""
    # the request's list of every kind, kept by the read below
    every = cast(
        Sequence[LiveRow] | None,
        publishing.read_before(("translations", language, None)) if kind else None,
    )
    if every is not None:  # the request has read them all: those of the kind, in the same order
        return [row for row in every if row.kind == kind]
    return publishing.read_once(("translations", language, kind), lambda: _live_rows(language, kind))


_LIVE_ROWS = (
    select(
        ContentTranslation.id,
        ContentTranslation.kind,
        ContentTranslation.slug,
        ContentTranslation.title,
        ContentTranslation.sha256,
    )
    .join(PublishedTranslation, PublishedTranslation.translation_id == ContentTranslation.id)
    .where(PublishedTranslation.language == bindparam("language"))
    .order_by(ContentTranslation.id)
)
_LIVE_ROWS_OF_KIND = _LIVE_ROWS.where(ContentTranslation.kind == bindparam("kind"))


def _live_rows(language: str, kind: str | None) -> Sequence[LiveRow]:
    if kind:
        return db.session.execute(_LIVE_ROWS_OF_KIND, {"language": language, "kind": kind}).all()
    return db.session.execute(_LIVE_ROWS, {"language": language}).all()


def titles(kind: str, language: str) -> dict[str, str]:
    """{slug: title} of the live translations of a kind in a language."""
    return {row.slug: row.title for row in live_rows(language, kind) if row.title}


def localized(kind: str, version: ContentVersion, language: str | None) -> tuple[Any, str]:
    """(value, language it is written in) of a source version for a reader of `language`."""
    row = variant(kind, version, language)
    if row is not None:
        return value_by_id(row.id), row.language
    value = publishing.value_of(version)
    return value, source_language(value)


def source_language(value: Value) -> str:
    """The language a source text is written in: its own `language:`, else its course's, else en."""
    if getattr(value, "language", ""):
        return value.language
    course = publishing.published_course(value.course) if hasattr(value, "course") else None
    return content_translation.language_of(value, course)


def localized_course(course_id: str | None, language: str | None) -> Course | None:
    version = publishing.published("course", course_id) if course_id is not None else None
    course: Course | None = localized("course", version, language)[0] if version is not None else None
    return course


def languages_of(course_id: str | None) -> tuple[str, ...]:
    """The languages the course declares (its own first), or just its own."""
    course = publishing.published_course(course_id) if course_id else None
    if course is None:
        return ("en",)
    return course.languages or (course.language,)


# --- publishing -------------------------------------------------------------------------------


def source_version_row(kind: str, slug: str, source_version: str) -> ContentVersion | None:
    """The published source version a translation follows, by the prefix of its SHA-256."""
    if not source_version:
        return None
    return db.session.scalar(
        select(ContentVersion)
        .where(
            ContentVersion.kind == kind,
            ContentVersion.slug == slug,
            ContentVersion.sha256.startswith(source_version, autoescape=True),
        )
        .order_by(ContentVersion.version.desc())
        .limit(1)
    )


def check_text(kind: str, text: str, path: str, language: str) -> tuple[Value | None, list[Finding]]:
    """Parse and lint a translation against the live source (as `flask content lint` does against
    the source file). Returns (value, findings)."""
    import dataclasses

    from app.content.model import sort_findings

    # parsed where its source sits, so a module's course is its folder's, not `fr`
    value, findings = publishing.check_text(kind, text, content_translation.split_language(path)[1])
    findings = [dataclasses.replace(f, path=path) for f in findings if f.is_error]
    if value is None:
        return None, findings
    source = publishing.published(kind, value.id)
    if source is None:
        return value, sort_findings(
            findings + [Finding(path, 1, "E-SOURCE", f"no published {kind} `{value.id}` to translate")]
        )
    findings += content_translation.compare(
        publishing.value_of(source), value, language, source.sha256[:12], path
    )
    return value, sort_findings(findings)


def publish(
    kind: str,
    text: str,
    value: Value,
    language: str,
    path: str | None = None,
    author: User | None = None,
) -> TranslationResult:
    """Store a checked translation (unless that text is already stored) and make it the live one."""
    digest = publishing.sha256_of(text)
    row = db.session.scalar(
        select(ContentTranslation).where(
            ContentTranslation.kind == kind,
            ContentTranslation.slug == value.id,
            ContentTranslation.language == language,
            ContentTranslation.sha256 == digest,
        )
    )
    created = row is None
    if row is None:
        latest = (
            db.session.scalar(
                select(func.max(ContentTranslation.revision)).where(
                    ContentTranslation.kind == kind,
                    ContentTranslation.slug == value.id,
                    ContentTranslation.language == language,
                )
            )
            or 0
        )
        follows = source_version_row(kind, value.id, value.source_version)
        row = ContentTranslation(
            kind=kind,
            slug=value.id,
            language=language,
            revision=latest + 1,
            sha256=digest,
            source_version=value.source_version[:12],
            source_version_id=getattr(follows, "id", None),
            title=value.title[:300],
            source=text,
            path=path,
            author_id=getattr(author, "id", None),
            compiled=json.dumps(serialize.to_json(value), ensure_ascii=False),
        )
        db.session.add(row)
        db.session.flush()
    pointer = db.session.scalar(
        select(PublishedTranslation).where(
            PublishedTranslation.kind == kind,
            PublishedTranslation.slug == value.id,
            PublishedTranslation.language == language,
        )
    )
    publishing.forget_reads()
    moved = pointer is None or pointer.translation_id != row.id
    if pointer is None:
        db.session.add(
            PublishedTranslation(
                kind=kind,
                slug=value.id,
                language=language,
                translation_id=row.id,
                published_by_id=getattr(author, "id", None),
            )
        )
    elif moved:
        pointer.translation_id, pointer.published_by_id = row.id, getattr(author, "id", None)
    if moved:
        audit_log.record(
            "content-published",
            by=author,
            detail=f"{kind} {value.id} ({language}) translation {row.revision} from {path or 'the studio'}",
        )
    db.session.flush()
    publishing.forget_reads()
    return TranslationResult(row, created, moved)


def published_languages(kind: str, slug: str) -> dict[str, ContentTranslation]:
    """{language: live translation row} of a text."""
    rows = db.session.scalars(
        select(ContentTranslation)
        .join(PublishedTranslation, PublishedTranslation.translation_id == ContentTranslation.id)
        .where(PublishedTranslation.kind == kind, PublishedTranslation.slug == slug)
    )
    return {r.language: r for r in rows}


def is_published(kind: str, slug: str) -> bool:
    return (
        db.session.scalar(
            select(PublishedContent.id).where(PublishedContent.kind == kind, PublishedContent.slug == slug)
        )
        is not None
    )
