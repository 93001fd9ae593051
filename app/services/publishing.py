"""Publishing content: Markdown texts become immutable versions in the database, and the
running site serves what is published there (so several app servers can share it).

A version is keyed by the SHA-256 of its text: publishing an unchanged text creates nothing;
publishing an older text again moves the published pointer back to that version."""
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import func, select

from app.content import catalog as content_catalog
from app.content import serialize
from app.content.lint import lint_course, lint_module, lint_scenario
from app.content.model import Finding, sort_findings
from app.content.parse import parse_course, parse_module, parse_scenario
from app.extensions import db
from app.models import ContentVersion, PublishedContent

PARSERS = {"course": parse_course, "module": parse_module, "scenario": parse_scenario}
FROM_JSON = {"course": serialize.course_from_json, "module": serialize.module_from_json,
             "scenario": serialize.scenario_from_json}


class PublishRefused(ValueError):
    def __init__(self, message, findings=()):
        super().__init__(message)
        self.findings = list(findings)


@dataclass
class PublishResult:
    version: ContentVersion
    created: bool          # a new version row was written
    moved: bool            # the published pointer changed


@dataclass
class SyncReport:
    published: int = 0
    unchanged: int = 0
    refused: int = 0
    refusals: list = field(default_factory=list)   # (path, [Finding])


def sha256_of(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- reading what is published --------------------------------------------------------------

def published(kind, slug):
    """The version trainees get now, or None."""
    return db.session.scalar(select(ContentVersion).join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
                             .where(PublishedContent.kind == kind, PublishedContent.slug == slug))


def published_all(kind):
    """Every published version of a kind, by slug."""
    rows = db.session.scalars(select(ContentVersion).join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
                              .where(PublishedContent.kind == kind).order_by(ContentVersion.slug))
    return {v.slug: v for v in rows}


def versions_of(kind, slug):
    return db.session.scalars(select(ContentVersion).where(ContentVersion.kind == kind, ContentVersion.slug == slug)
                              .order_by(ContentVersion.version.desc())).all()


def value_of(version):
    """The course, module or scenario of a version, rebuilt from its compiled JSON once per
    process: versions never change, so the id is a safe cache key."""
    return value_from_compiled(version.id, version.kind, version.compiled)


@lru_cache(maxsize=512)
def value_by_id(version_id):
    """The value of a version known by id (an attempt's pinned scenario), without reading its
    row again once this process has it: versions are immutable."""
    row = db.session.execute(select(ContentVersion.kind, ContentVersion.compiled)
                             .where(ContentVersion.id == version_id)).one()
    return value_from_compiled(version_id, row.kind, row.compiled)


@lru_cache(maxsize=512)
def value_from_compiled(version_id, kind, compiled):
    """For queries that select only a version's id, kind and compiled JSON."""
    return FROM_JSON[kind](json.loads(compiled))


def published_course(course_id):
    version = published("course", course_id)
    return value_of(version) if version else None


# --- checking a text against what is published ------------------------------------------

def check_text(kind, text, path):
    """Parse and lint one text in the context of the published content (its course, the
    published scenario ids). Returns (value, findings)."""
    value, findings = PARSERS[kind](text, path)
    if value is None:
        return None, sort_findings(findings)
    if kind == "course":
        findings += lint_course(value)
    elif kind == "module":
        scenario_ids = set(published_all("scenario"))
        findings += lint_module(value, published_course(value.course), scenario_ids)
    else:
        findings += lint_scenario(value, published_course(value.course))
    return value, sort_findings(findings)


# --- publishing ---------------------------------------------------------------------------

def publish_value(kind, text, value, path=None, author=None):
    """Store a checked text as a version (unless that text is already one) and publish it."""
    digest = sha256_of(text)
    existing = db.session.scalar(select(ContentVersion).where(
        ContentVersion.kind == kind, ContentVersion.slug == value.id, ContentVersion.sha256 == digest))
    created = existing is None
    if created:
        latest = db.session.scalar(select(func.max(ContentVersion.version)).where(
            ContentVersion.kind == kind, ContentVersion.slug == value.id)) or 0
        existing = ContentVersion(kind=kind, slug=value.id, version=latest + 1, sha256=digest, title=value.title[:300],
                                  source=text, compiled=json.dumps(serialize.to_json(value), ensure_ascii=False),
                                  path=path, author_id=getattr(author, "id", None))
        db.session.add(existing)
        db.session.flush()
    pointer = db.session.scalar(select(PublishedContent).where(PublishedContent.kind == kind,
                                                               PublishedContent.slug == value.id))
    moved = pointer is None or pointer.version_id != existing.id
    if pointer is None:
        db.session.add(PublishedContent(kind=kind, slug=value.id, version_id=existing.id,
                                        published_by_id=getattr(author, "id", None)))
    elif moved:
        pointer.version_id = existing.id
        pointer.published_by_id = getattr(author, "id", None)
    db.session.flush()
    return PublishResult(existing, created, moved)


def publish_text(kind, text, path, author=None):
    """Check a text and publish it; refused (with its findings) while it has errors."""
    value, findings = check_text(kind, text, path)
    errors = [f for f in findings if f.is_error]
    if value is None or errors:
        raise PublishRefused(f"{path} has {len(errors) or 1} error(s); fix them before publishing.", errors or findings)
    return publish_value(kind, text, value, path=path, author=author)


def sync_files(root, paths=(), echo=print, author=None):
    """Import the files under a content root: changed texts become new versions, unchanged ones
    are skipped, files with lint errors are refused with their findings. Courses first, so
    modules and scenarios are checked against the course they name."""
    content = content_catalog.ContentSet.load(root)
    chosen = content.select(list(paths) or None)
    order = {"course": 0, "scenario": 1, "module": 2}
    chosen.sort(key=lambda loaded: (order[loaded.kind], loaded.path))
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
        with open(os.path.join(root, loaded.path) if not os.path.isabs(loaded.path) else loaded.path,
                  encoding="utf-8") as fh:
            text = fh.read()
        result = publish_value(loaded.kind, text, loaded.value, path=loaded.path, author=author)
        if result.created or result.moved:
            report.published += 1
            echo(f"published {loaded.kind} {loaded.value.id} v{result.version.version}")
        else:
            report.unchanged += 1
        if show_progress and (number % 20 == 0 or number == len(chosen)):
            width = 30
            done = int(width * number / len(chosen))
            echo(f"[{'#' * done}{'.' * (width - done)}] {number}/{len(chosen)}")
    return report
