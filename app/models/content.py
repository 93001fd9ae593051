"""Published content versions (immutable) and trainers' drafts."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow


class ContentVersion(Model):
    """One published text of a course, module or scenario. Never updated: a change is a new row."""

    __tablename__ = "content_versions"
    __table_args__ = (
        UniqueConstraint("kind", "slug", "version"),
        UniqueConstraint("kind", "slug", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # course, module, scenario
    slug: Mapped[str] = mapped_column(String(120))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(Text)
    compiled: Mapped[str] = mapped_column(Text)  # JSON of the parsed value
    path: Mapped[str | None] = mapped_column(String(300))  # file it came from, if any
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class PublishedContent(Model):
    """Which version of each course, module and scenario trainees get now. Moving this pointer
    (to a new version, or back to an older text) is what publishing does; versions stay as they were."""

    __tablename__ = "published_content"
    __table_args__ = (UniqueConstraint("kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120))
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Where the live version came from: "file" (`flask content sync` from git) or "studio"
    # (published, uploaded or put back by a trainer). Sync never silently replaces a studio one.
    origin: Mapped[str] = mapped_column(String(16), default="file", server_default="file")
    # The file's SHA-256 at its last sync: tells "the file changed in git since" from "the file
    # is the old text the studio publication replaced".
    file_sha256: Mapped[str | None] = mapped_column(String(64))

    version = relationship("ContentVersion")


class ContentDraft(Model):
    """A trainer's work in progress; `revision` detects two trainers saving from one base."""

    __tablename__ = "content_drafts"
    __table_args__ = (UniqueConstraint("kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    base_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    base_version = relationship("ContentVersion")
    updated_by = relationship("User")


class ContentTranslation(Model):
    """One published text of a course, module or scenario in another language: a variant of the
    source with the same ids, so whatever a trainee does in it counts for the source. Never
    updated: a change is a new row. `source_version` is the source text it follows (the first
    12 hex digits of the source's SHA-256), `source_version_id` that version when it is published."""

    __tablename__ = "content_translations"
    __table_args__ = (
        UniqueConstraint("kind", "slug", "language", "revision"),
        UniqueConstraint("kind", "slug", "language", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    source_version: Mapped[str] = mapped_column(String(12))
    source_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(Text)
    compiled: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source_row = relationship("ContentVersion")


class PublishedTranslation(Model):
    """Which translation of each course, module and scenario trainees reading that language get."""

    __tablename__ = "published_translations"
    __table_args__ = (UniqueConstraint("kind", "slug", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(8))
    translation_id: Mapped[int] = mapped_column(ForeignKey("content_translations.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    translation = relationship("ContentTranslation")
