"""Publishing content: Markdown texts become immutable versions in the database, and the
running site serves what is published there (so several app servers can share it).

A version is keyed by the SHA-256 of its text: publishing an unchanged text creates nothing;
publishing an older text again moves the published pointer back to that version.

The published pointer remembers where the live version came from: a git file (`flask content
sync`) or the studio. Sync skips a file whose live version came from the studio when the file has
not changed since its last sync (it is the old text the trainer replaced), and says so; `--force`
publishes the file anyway."""

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from flask import has_request_context, request
from flask_babel import ngettext
from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import defer

from app import formats
from app.content import catalog as content_catalog
from app.content import lint as content_lint
from app.content import serialize
from app.content.memo import text_memo, weighed_memo
from app.content.model import Course, Finding
from app.content.translation import Value
from app.extensions import db
from app.models import ContentVersion, PublishedContent, User
from app.services import audit_log

T = TypeVar("T")

# A version's value is a Course, Module or Scenario by its kind, which a type checker cannot
# follow from a row: value_of and its kin return Any, and their callers name the class they expect.
FROM_JSON: dict[str, Callable[[dict[str, Any]], Value]] = {
    "course": serialize.course_from_json,
    "module": serialize.module_from_json,
    "scenario": serialize.scenario_from_json,
}


class PublishRefused(ValueError):
    def __init__(self, message: str, findings: Iterable[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


@dataclass
class PublishResult:
    version: ContentVersion
    created: bool  # a new version row was written
    moved: bool  # the published pointer changed


FROM_FILE, FROM_STUDIO = "file", "studio"


@dataclass
class SyncReport:
    published: int = 0
    unchanged: int = 0
    refused: int = 0
    refusals: list[tuple[str, list[Finding]]] = field(default_factory=list)
    kept: list["StudioKept"] = field(default_factory=list)  # files not published over the studio
    replaced: list["StudioKept"] = field(default_factory=list)  # studio versions a changed file replaced


@dataclass(frozen=True)
class StudioKept:
    """A file sync did not publish (or published over) because the live version came from the studio."""

    path: str
    kind: str
    slug: str
    live_version: int
    by: str | None
    at: datetime


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- reading what is published --------------------------------------------------------------

# Built once. Published versions are read without their compiled JSON (30-35 KB a scenario,
# and the dashboard lists every scenario's title on each view) or their Markdown; value_of gets
# their value from the per-process cache, by id.
_PUBLISHED_ONE = (
    select(ContentVersion)
    .options(defer(ContentVersion.compiled), defer(ContentVersion.source))
    .join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
    .where(PublishedContent.kind == bindparam("kind"), PublishedContent.slug == bindparam("slug"))
)
_PUBLISHED_ALL = (
    select(ContentVersion)
    .options(defer(ContentVersion.compiled), defer(ContentVersion.source))
    .join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
    .where(PublishedContent.kind == bindparam("kind"))
    .order_by(ContentVersion.slug)
)


# Every trainee page that shows progress reads it (the outline), and the language of a text
# is its course's: ids, kinds, slugs, titles and checksums of every published version.
_PUBLISHED_ROWS = (
    select(
        ContentVersion.id,
        ContentVersion.kind,
        ContentVersion.slug,
        ContentVersion.title,
        ContentVersion.sha256,
    )
    .join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
    .order_by(ContentVersion.id)
)


def read_once(key: tuple[object, ...], read: Callable[[], T]) -> T:
    """What is published, read once per request: a page asks several services, and each asked
    again for the same published versions and translations (a French page read the live
    translation twice per text, and the published course once per text). Publishing forgets
    them (forget_reads), so a request that publishes reads what it published."""
    if not has_request_context():
        return read()
    reads = request.__dict__.setdefault("_published_reads", {})
    if key not in reads:
        reads[key] = read()
    return cast(T, reads[key])  # what `read` returned for this key


def read_before(key: tuple[object, ...]) -> object:
    """What read_once has kept under `key` in this request, or None (nothing is read)."""
    return request.__dict__.get("_published_reads", {}).get(key) if has_request_context() else None


def forget_reads() -> None:
    if has_request_context():
        request.__dict__.pop("_published_reads", None)


def published_rows() -> Sequence[Row[tuple[int, str, str, str, str]]]:
    """(id, kind, slug, title, sha256) of every published version, in one light statement."""
    return read_once(("rows",), lambda: db.session.execute(_PUBLISHED_ROWS).all())


def published(kind: str, slug: str) -> ContentVersion | None:
    """The version trainees get now, or None (from the request's list of the kind, when read)."""
    # published_all keeps the kind's list of versions under that key
    listed = cast(list[ContentVersion] | None, read_before(("versions", kind)))
    if listed is not None:
        return next((version for version in listed if version.slug == slug), None)
    return read_once(
        ("version", kind, slug), lambda: db.session.scalar(_PUBLISHED_ONE, {"kind": kind, "slug": slug})
    )


def published_all(kind: str) -> dict[str, ContentVersion]:
    """Every published version of a kind, by slug (without its compiled JSON: see value_of)."""
    listed = read_once(("versions", kind), lambda: list(db.session.scalars(_PUBLISHED_ALL, {"kind": kind})))
    return {v.slug: v for v in listed}


def versions_of(kind: str, slug: str) -> Sequence[ContentVersion]:
    return db.session.scalars(
        select(ContentVersion)
        .where(ContentVersion.kind == kind, ContentVersion.slug == slug)
        .order_by(ContentVersion.version.desc())
    ).all()


def value_of(version: ContentVersion) -> Any:
    """The course, module or scenario of a version, rebuilt from its compiled JSON once per
    process: versions never change, so the id is a safe cache key. A version read without its
    compiled JSON (published_all) is rebuilt from one read by id, once per process."""
    if "compiled" not in version.__dict__ and "id" in version.__dict__:  # deferred, not expired
        return value_by_id(version.id)
    return value_from_compiled(version.id, version.kind, version.compiled)


@weighed_memo(budget=8_000_000)  # by the compiled JSON's length, not a count of versions
def value_by_id(version_id: int) -> tuple[Any, int]:
    """The value of a version known by id (an attempt's pinned scenario), without reading its
    row again once this process has it: versions are immutable. (The memo keeps the value,
    charged the length of its compiled JSON.)"""
    row = db.session.execute(
        select(ContentVersion.kind, ContentVersion.compiled).where(ContentVersion.id == version_id)
    ).one()
    return value_from_compiled(version_id, row.kind, row.compiled), len(row.compiled)


@text_memo(budget=8_000_000)  # by the compiled JSON's length, not a count of versions
def value_from_compiled(version_id: int, kind: str, compiled: str) -> Any:
    """For queries that select only a version's id, kind and compiled JSON."""
    return FROM_JSON[kind](json.loads(compiled))


def course_id() -> str | None:
    """The id of the course trainees follow: the published course (the first by id if several
    are published), or None before any is. Nothing names the course in the code: it is what
    the content says."""
    return read_once(
        ("course id",),
        lambda: db.session.scalar(
            select(PublishedContent.slug)
            .where(PublishedContent.kind == "course")
            .order_by(PublishedContent.slug)
            .limit(1)
        ),
    )


def published_course(course_id: str | None) -> Course | None:
    """The course's value, found in the published rows the page has read (or reads) anyway."""
    found = next((row[0] for row in published_rows() if row[1] == "course" and row[2] == course_id), None)
    course: Course | None = value_by_id(found) if found is not None else None
    return course


# --- checking a text against what is published ------------------------------------------


def check_text(kind: str, text: str, path: str) -> tuple[Value | None, list[Finding]]:
    """Parse and lint one text in the context of the published content (the courses, the
    published scenario ids). Returns (value, findings)."""
    courses = {course_id: value_of(version) for course_id, version in published_all("course").items()}
    scenario_ids = set(published_all("scenario")) if kind == "module" else None
    return content_lint.check_text(kind, text, path, courses, scenario_ids)


# --- publishing ---------------------------------------------------------------------------


def publish_value(
    kind: str,
    text: str,
    value: Value,
    path: str | None = None,
    author: User | None = None,
    origin: str = FROM_FILE,
) -> PublishResult:
    """Store a checked text as a version (unless that text is already one) and publish it.
    `origin` says where this publication comes from: a git file (sync) or the studio."""
    forget_reads()
    digest = sha256_of(text)
    existing = db.session.scalar(
        select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.slug == value.id, ContentVersion.sha256 == digest
        )
    )
    created = existing is None
    if existing is None:
        latest = (
            db.session.scalar(
                select(func.max(ContentVersion.version)).where(
                    ContentVersion.kind == kind, ContentVersion.slug == value.id
                )
            )
            or 0
        )
        existing = ContentVersion(
            kind=kind,
            slug=value.id,
            version=latest + 1,
            sha256=digest,
            title=value.title[:300],
            source=text,
            compiled=json.dumps(serialize.to_json(value), ensure_ascii=False),
            path=path,
            author_id=getattr(author, "id", None),
        )
        db.session.add(existing)
        db.session.flush()
    pointer = _pointer(kind, value.id)
    moved = pointer is None or pointer.version_id != existing.id
    if pointer is None:
        pointer = PublishedContent(
            kind=kind,
            slug=value.id,
            version_id=existing.id,
            published_by_id=getattr(author, "id", None),
            origin=origin,
        )
        db.session.add(pointer)
    elif moved:
        pointer.version_id = existing.id
        pointer.published_by_id = getattr(author, "id", None)
        pointer.origin = origin
    if origin == FROM_FILE:
        # The live text is now the file's (new, or the same text the studio had published).
        pointer.origin, pointer.file_sha256 = FROM_FILE, digest
    if moved:
        audit_log.record(
            "content-published",
            by=author,
            detail=f"{kind} {value.id} version {existing.version}"
            + (" from the studio" if origin != FROM_FILE else f" from {path or 'a file'}"),
        )
    db.session.flush()
    forget_reads()
    return PublishResult(existing, created, moved)


def _pointer(kind: str, slug: str) -> PublishedContent | None:
    return db.session.scalar(
        select(PublishedContent).where(PublishedContent.kind == kind, PublishedContent.slug == slug)
    )


@dataclass(frozen=True)
class LiveOrigin:
    """Where the live version of a text came from, for the studio to say."""

    version: ContentVersion
    origin: str  # FROM_FILE or FROM_STUDIO
    by: str | None  # who published it (None for sync)
    at: datetime  # when it was published
    path: str | None  # the git file it lives in, when known

    @property
    def from_studio(self) -> bool:
        return self.origin == FROM_STUDIO


def live_origin(kind: str, slug: str) -> LiveOrigin | None:
    """The live version of a text and where it came from, or None when nothing is published."""
    row = db.session.execute(
        select(PublishedContent, ContentVersion, User.name)
        .join(ContentVersion, ContentVersion.id == PublishedContent.version_id)
        .outerjoin(User, User.id == PublishedContent.published_by_id)
        .where(PublishedContent.kind == kind, PublishedContent.slug == slug)
    ).first()
    if row is None:
        return None
    pointer, version, name = row
    return LiveOrigin(version, pointer.origin, name, pointer.published_at, version.path)


def publish_text(
    kind: str, text: str, path: str, author: User | None = None, origin: str = FROM_FILE
) -> PublishResult:
    """Check a text and publish it; refused (with its findings) while it has errors."""
    value, findings = check_text(kind, text, path)
    errors = [f for f in findings if f.is_error]
    if value is None or errors:
        raise PublishRefused(
            ngettext(
                "%(path)s has %(num)d error; fix it before publishing.",
                "%(path)s has %(num)d errors; fix them before publishing.",
                len(errors) or 1,
                path=path,
            ),
            errors or findings,
        )
    return publish_value(kind, text, value, path=path, author=author, origin=origin)


def sync_files(
    root: str,
    paths: Iterable[str] = (),
    echo: Callable[[str], object] = print,
    author: User | None = None,
    force: bool = False,
    content: content_catalog.ContentSet | None = None,
) -> SyncReport:
    """Import the files under a content root: changed texts become new versions, unchanged ones
    are skipped, files with lint errors are refused with their findings. Courses first, so
    modules and scenarios are checked against the course they name.

    A file whose live version came from the studio is skipped while the file has not changed
    since its last sync (publishing it would silently undo the trainer's work), unless `force`.
    `content`: the ContentSet of `root` when the caller has it loaded already (the tests publish
    the same files hundreds of times; parsing them is four fifths of the work)."""
    content = content or content_catalog.ContentSet.load(root)
    # A path may be given from here or from the content root (as sync's own messages print it).
    paths = [p if os.path.exists(p) else os.path.join(root, p) for p in paths]
    for missing in (p for p in paths if not os.path.exists(p)):
        echo(f"no such file or folder: {missing}")
    chosen = content.select(paths or None)
    order = {"course": 0, "scenario": 1, "module": 2}
    # sources first, so a translation finds the version it follows
    chosen.sort(key=lambda loaded: (loaded.language is not None, order[loaded.kind], loaded.path))
    report = SyncReport()
    show_progress = len(chosen) > 20
    for number, loaded in enumerate(chosen, 1):
        errors = [f for f in loaded.findings if f.is_error]
        if loaded.value is None or errors:
            report.refused += 1
            report.refusals.append((loaded.path, errors or loaded.findings))
            echo(f"refused {loaded.path}: {len(errors)} error(s)")
            for finding in errors or loaded.findings:
                echo("  " + finding.format())
            continue
        with open(
            os.path.join(root, loaded.path) if not os.path.isabs(loaded.path) else loaded.path,
            encoding="utf-8",
        ) as fh:
            text = fh.read()
        if loaded.language:
            _sync_translation(loaded, text, author, report, echo)
            continue
        studio = _studio_version_in_the_way(loaded.kind, loaded.value.id, sha256_of(text), loaded.path)
        if studio is not None and not force and not studio.file_changed:
            report.kept.append(studio.kept)
            _say_kept(echo, studio.kept)
            continue
        result = publish_value(loaded.kind, text, loaded.value, path=loaded.path, author=author)
        if result.created or result.moved:
            report.published += 1
            echo(f"published {loaded.kind} {loaded.value.id} v{result.version.version}")
            if studio is not None:
                report.replaced.append(studio.kept)
                echo(
                    f"  over studio version v{studio.kept.live_version}"
                    f" ({'--force' if force else 'the file changed since its last sync'});"
                    " it stays in the studio's Versions, where it can be published again"
                )
        else:
            report.unchanged += 1
        if show_progress and (number % 20 == 0 or number == len(chosen)):
            width = 30
            done = int(width * number / len(chosen))
            echo(f"[{'#' * done}{'.' * (width - done)}] {number}/{len(chosen)}")
    return report


def _sync_translation(
    loaded: content_catalog.Loaded,
    text: str,
    author: User | None,
    report: SyncReport,
    echo: Callable[[str], object],
) -> None:
    from app.services import (
        translations,  # it reads published versions through this module
    )

    assert loaded.value is not None and loaded.language is not None  # sync_files's checks
    result = translations.publish(
        loaded.kind, text, loaded.value, loaded.language, path=loaded.path, author=author
    )
    if result.created or result.moved:
        report.published += 1
        echo(
            f"published {loaded.kind} {loaded.value.id} ({loaded.language}) translation {result.row.revision}"
        )
    else:
        report.unchanged += 1


@dataclass(frozen=True)
class _StudioInTheWay:
    kept: StudioKept
    file_changed: bool  # the file's text differs from what its last sync saw


def _studio_version_in_the_way(kind: str, slug: str, digest: str, path: str) -> _StudioInTheWay | None:
    """The studio publication a file would replace, or None (live came from a file, or the live
    text is the file's text already)."""
    live = live_origin(kind, slug)
    if live is None or not live.from_studio or live.version.sha256 == digest:
        return None
    pointer = _pointer(kind, slug)
    assert pointer is not None  # live_origin found it
    # Never synced (the text was born in the studio): the file cannot be newer than the studio's.
    changed = pointer.file_sha256 is not None and pointer.file_sha256 != digest
    return _StudioInTheWay(StudioKept(path, kind, slug, live.version.version, live.by, live.at), changed)


def _say_kept(echo: Callable[[str], object], kept: StudioKept) -> None:
    by = f" by {kept.by}" if kept.by else ""
    echo(f"kept studio version: {kept.path} not published")
    echo(
        f"  the live {kept.kind} `{kept.slug}` is version {kept.live_version}, published in the studio{by}"
        f" on {formats.when(kept.at)}; the file has not changed since its last sync."
    )
    echo(
        f"  To keep the studio's text: download it (Studio > {kept.slug} > Versions > .md of"
        f" v{kept.live_version}), save it as {kept.path} and commit it."
    )
    echo(f"  To publish the file over it: flask content sync --force {kept.path}")
