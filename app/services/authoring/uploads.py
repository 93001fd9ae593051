"""Publishing an uploaded `.md` file from the studio, and the names texts are downloaded under."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from app.content.model import Finding
from app.content.parse import ID_RE, MODULE_STEM_RE, stem_of
from app.extensions import db
from app.models import User
from app.services import publishing
from app.services.authoring.checking import (
    KINDS,
    check,
    draft_of,
    id_in_front_matter,
    normalise_newlines,
    path_for,
)


@dataclass
class UploadRefused(Exception):
    message: str
    findings: list[Finding] = field(default_factory=list)
    filename: str = ""


def upload(
    kind: str, filename: str | None, data: bytes, user: User
) -> tuple[publishing.PublishResult, tuple[Finding, ...]]:
    """Publish an uploaded `.md` file, as `flask content sync` does for git; refused with its
    findings while it has errors."""
    if kind not in KINDS:
        raise UploadRefused(_("Choose what the file is: a scenario, a module or a course."))
    filename = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not filename.lower().endswith(".md"):
        raise UploadRefused(_("Upload a Markdown file whose name ends in .md."), filename=filename)
    if not data:
        raise UploadRefused(_("The file is empty."), filename=filename)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UploadRefused(
            _(
                "The file is not UTF-8 text (a byte on line %(line)s cannot be read). "
                "Save it as UTF-8 in your editor and upload it again.",
                line=line,
            ),
            filename=filename,
        ) from None
    if "\x00" in text:
        raise UploadRefused(_("The file contains NUL bytes; it is not a text file."), filename=filename)
    text = normalise_newlines(text)
    slug = id_in_front_matter(text)
    if not slug or not ID_RE.match(slug):
        stem = stem_of(filename)
        m = MODULE_STEM_RE.match(stem)
        slug = m.group(2) if (m and kind == "module") else stem
    if not ID_RE.match(slug or ""):
        raise UploadRefused(_("The file needs front matter with an `id:` in kebab-case."), filename=filename)
    path = path_for(kind, slug)
    value, findings = check(kind, text, path)
    errors = [f for f in findings if f.is_error]
    if value is None or errors:
        raise UploadRefused(
            ngettext(
                "%(file)s was not published: it has %(num)d error.",
                "%(file)s was not published: it has %(num)d errors.",
                len(errors) or 1,
                file=filename,
            ),
            list(errors or findings),
            filename,
        )
    live = publishing.published(kind, slug)
    draft = draft_of(kind, slug)
    result = publishing.publish_value(
        kind, text, value, path=path, author=user, origin=publishing.FROM_STUDIO
    )
    if draft is not None and live is not None and draft.source == live.source:
        # The draft had no unpublished work: it follows the upload. Otherwise it is left alone,
        # and publishing it later is flagged as a conflict with this version.
        draft.source, draft.revision = text, draft.revision + 1
        draft.base_version_id, draft.updated_by_id = result.version.id, user.id
    db.session.flush()
    return result, findings


def download_name(kind: str, slug: str, path: str | None = None) -> str:
    if kind == "module" and path:
        return stem_of(path) + ".md"
    if kind == "course":
        return "course.md"
    return f"{slug}.md"
