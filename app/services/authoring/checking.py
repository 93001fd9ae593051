"""What every studio use case shares: the kinds, the studio's refusal, where a text lives in git,
and checking a text against what is published (the content core's one parse-then-lint)."""

import re
from dataclasses import dataclass
from typing import Self

from flask_babel import gettext as _
from sqlalchemy import select

from app.content import lint as content_lint
from app.content.memo import text_memo
from app.content.model import Finding
from app.content.parse import ID_RE, MODULE_STEM_RE, stem_of
from app.content.translation import Value
from app.extensions import db
from app.models import ContentDraft, ContentVersion
from app.services import publishing

KINDS = content_lint.KINDS


class AuthoringError(ValueError):
    """A request the studio refuses, with a message in the trainer's words and, when it is
    about one, the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def valid_kind_and_slug(kind: str, slug: object) -> bool:
    return kind in KINDS and isinstance(slug, str) and bool(ID_RE.match(slug)) and len(slug) <= 120


def id_in_front_matter(text: str | None) -> str | None:
    """The `id:` of a text's front matter, read leniently (for choosing its path), or None."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", text or "", re.S)
    if not m:
        return None
    found = re.search(r"^id:\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*$", m.group(1), re.M)
    return found.group(1) if found else None


def path_for(kind: str, slug: str) -> str:
    """Where the text would live in git: the parser checks the id against this path's stem, and
    a module takes its course and order from it."""
    if kind == "scenario":
        return f"scenarios/{slug}.md"
    if kind == "course":
        return f"courses/{slug}/course.md"
    latest = db.session.scalar(
        select(ContentVersion.path)
        .where(ContentVersion.kind == "module", ContentVersion.slug == slug, ContentVersion.path.is_not(None))
        .order_by(ContentVersion.version.desc())
        .limit(1)
    )
    if latest:
        return latest
    return _new_module_path(slug)


def _new_module_path(slug: str, course_id: str | None = None) -> str:
    courses = sorted(publishing.published_all("course"))
    course_id = course_id or (courses[0] if courses else "course")
    orders = [0]
    for path in db.session.scalars(select(ContentVersion.path).where(ContentVersion.kind == "module")):
        m = MODULE_STEM_RE.match(stem_of(path or ""))
        if m and f"courses/{course_id}/" in (path or ""):
            orders.append(int(m.group(1)))
    return f"courses/{course_id}/{max(orders) + 1:02d}-{slug}.md"


def draft_of(kind: str, slug: str) -> ContentDraft | None:
    return db.session.scalar(select(ContentDraft).where(ContentDraft.kind == kind, ContentDraft.slug == slug))


def name_of(user_id: int | None) -> str:
    from app.models import User

    user = db.session.get(User, user_id) if user_id else None
    return user.name if user else "someone"


@dataclass
class Context:
    """What texts are checked against, loaded once per request: the published courses and the
    published scenario ids."""

    courses: dict[str, ContentVersion]  # course id -> its published version
    scenario_ids: frozenset[str]

    @classmethod
    def load(cls) -> Self:
        return cls(publishing.published_all("course"), frozenset(publishing.published_all("scenario")))


def check(
    kind: str, text: str, path: str, context: Context | None = None
) -> tuple[Value | None, tuple[Finding, ...]]:
    """(value, findings) of a text, checked against the published content."""
    context = context or Context.load()
    # The SHA-256 too: a version id names one text only within one database.
    courses = tuple(
        sorted((course_id, version.id, version.sha256) for course_id, version in context.courses.items())
    )
    return _check_cached(kind, text, path, courses, context.scenario_ids if kind == "module" else None)


@text_memo(budget=4_000_000)  # characters of texts checked, not a count of drafts
def _check_cached(
    kind: str,
    text: str,
    path: str,
    courses: tuple[tuple[str, int, str], ...],
    scenario_ids: frozenset[str] | None,
) -> tuple[Value | None, tuple[Finding, ...]]:
    """The live lint calls this on every pause in typing: the same text against the same
    published courses (versions are immutable) is checked once."""
    # session.get_one: the request has these rows already (no statement), and value_of caches the rest.
    resolved = {
        course_id: publishing.value_of(db.session.get_one(ContentVersion, version_id))
        for course_id, version_id, _sha in courses
    }
    value, findings = content_lint.check_text(kind, text, path, resolved, scenario_ids)
    return value, tuple(findings)


def lint_text(kind: str, text: str, slug: str | None = None) -> tuple[Value | None, list[Finding]]:
    """Findings for the editor's live check. The path is chosen from the slug or the text's id."""
    if kind not in KINDS:
        raise AuthoringError(_("Choose what this text is: a scenario, a module or a course."))
    slug = slug if slug and ID_RE.match(slug) else id_in_front_matter(text) or "untitled"
    if not ID_RE.match(slug):
        slug = "untitled"
    value, findings = check(kind, text, path_for(kind, slug))
    return value, list(findings)


def normalise_newlines(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")
