"""The versions of a text: listing them, one of them, putting an older one back, the text to
look at (the draft or a version), and the guides in docs/ that the studio serves."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import Row, select

from app.content.model import Finding, Scenario
from app.extensions import db
from app.models import ContentVersion, User
from app.services import guides, publishing
from app.services.authoring.checking import check, draft_of, path_for

VersionRow = Row[tuple[int, int, datetime, str, str, str | None]]


def versions_with_authors(kind: str, slug: str) -> Sequence[VersionRow]:
    """(id, version, created_at, sha256, title, author's name) of every version, newest first."""
    rows = db.session.execute(
        select(
            ContentVersion.id,
            ContentVersion.version,
            ContentVersion.created_at,
            ContentVersion.sha256,
            ContentVersion.title,
            User.name,
        )
        .outerjoin(User, User.id == ContentVersion.author_id)
        .where(ContentVersion.kind == kind, ContentVersion.slug == slug)
        .order_by(ContentVersion.version.desc())
    ).all()
    return cast(Sequence[VersionRow], rows)  # SQLAlchemy types an outer join's name as never None


def version(kind: str, slug: str, number: int) -> ContentVersion | None:
    return db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.slug == slug, ContentVersion.version == number
        )
    )


def republish(kind: str, slug: str, number: int, user: User) -> publishing.PublishResult | None:
    """Put an older version back in front of trainees (its text is already a version: no new row)."""
    old = version(kind, slug, number)
    if old is None:
        return None
    return publishing.publish_text(
        kind, old.source, old.path or path_for(kind, slug), author=user, origin=publishing.FROM_STUDIO
    )


@dataclass
class Source:
    """A text to look at: the draft, or a numbered version."""

    ref: str  # "draft" or "v3"
    text: str
    label: str


def source_of(kind: str, slug: str, ref: str | None) -> Source | None:
    ref = ref or "draft"
    if ref == "draft":
        draft = draft_of(kind, slug)
        if draft is not None:
            return Source("draft", draft.source, _("draft (revision %(revision)s)", revision=draft.revision))
        live = publishing.published(kind, slug)
        if live is None:
            return None
        return Source(f"v{live.version}", live.source, _("version %(version)s", version=live.version))
    m = re.fullmatch(r"v(\d{1,9})", ref)
    if not m:
        return None
    found = version(kind, slug, int(m.group(1)))
    return Source(ref, found.source, _("version %(version)s", version=found.version)) if found else None


def scenario_of(slug: str, ref: str | None) -> tuple[Source | None, Scenario | None, list[Finding]]:
    """(Source, scenario, findings) for a scenario's draft or version; scenario None if unreadable."""
    src = source_of("scenario", slug, ref)
    if src is None:
        return None, None, []
    value, findings = check("scenario", src.text, path_for("scenario", slug))
    assert value is None or isinstance(value, Scenario)  # a scenario's text parses as one
    return src, value, list(findings)


GUIDES = {"authoring": "authoring.md", "content-format": "content-format.md"}


def guide_text(name: str, language: str = guides.SOURCE_LANGUAGE) -> guides.Guide | None:
    """A guide of docs/ in the language (else in English, guides.read_guide) as a Guide, its
    links to the other guides pointing at their studio pages; None when the file is not there."""
    if name not in GUIDES:
        return None
    guide = guides.read_guide(GUIDES[name], language)
    if guide is None:
        return None
    text = guide.text
    for other, filename in GUIDES.items():
        text = text.replace(f"]({filename})", f"](/author/guide/{other})")
    return guides.Guide(text, guide.language)
