"""Drafts that two trainers can save without losing a word, and publishing them.

Concurrency: a draft carries a `revision`. The editor sends back the revision it loaded; a
save succeeds only when the draft is still at that revision (one conditional UPDATE, or an
INSERT guarded by the unique (kind, slug) constraint), so two trainers saving from one base
cannot both win: the second gets a `DraftConflict` with the other text and a diff, and
nothing is overwritten. Publishing also checks that the published version is still the one
the editor started from."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import func, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ContentDraft, ContentVersion, User
from app.services import publishing
from app.services.authoring.checking import AuthoringError, draft_of, name_of, normalise_newlines, path_for

# (kind, old line number, new line number, text): a row of diff_lines, for a template
DiffRow = tuple[str, int | None, int | None, str]


@dataclass
class DraftConflict(Exception):
    """Someone else saved (or published) since this editor loaded. Their text is kept; the
    user's text comes back with a diff so nothing is lost."""

    kind: str
    slug: str
    theirs: str
    mine: str
    revision: int  # the revision to save on top of, once merged
    base_version_id: int | None
    by: str  # who saved or published the other text
    when: datetime
    reason: str  # "draft" or "published"
    diff: list[DiffRow] = field(default_factory=list)


@dataclass
class Editing:
    """What the editor loads: the text, the draft revision it is based on (0: no draft yet) and
    the published version it started from."""

    kind: str
    slug: str
    source: str
    revision: int
    base_version_id: int | None
    published: ContentVersion | None
    draft: ContentDraft | None
    live: publishing.LiveOrigin | None = None  # where the published version came from

    @property
    def path(self) -> str:
        return path_for(self.kind, self.slug)


def open_for_editing(kind: str, slug: str) -> Editing | None:
    """The draft if there is one, else the published text; None when neither exists."""
    draft = draft_of(kind, slug)
    live = publishing.live_origin(kind, slug)
    version = live.version if live else None
    if draft is not None:
        return Editing(kind, slug, draft.source, draft.revision, draft.base_version_id, version, draft, live)
    if version is None:
        return None
    return Editing(kind, slug, version.source, 0, version.id, version, None, live)


def _draft_conflict(kind: str, slug: str, current: ContentDraft, mine: str) -> DraftConflict:
    """The conflict of a text whose draft someone saved since this editor loaded it."""
    return _conflict(
        kind,
        slug,
        current.source,
        mine,
        current.revision,
        current.base_version_id,
        name_of(current.updated_by_id),
        current.updated_at,
        "draft",
    )


def _conflict(
    kind: str,
    slug: str,
    theirs: str,
    mine: str,
    revision: int,
    base_version_id: int | None,
    by: str,
    when: datetime,
    reason: str,
) -> DraftConflict:
    return DraftConflict(
        kind,
        slug,
        theirs,
        mine,
        revision,
        base_version_id,
        by,
        when,
        reason,
        diff=diff_lines(theirs, mine, "their text", "your text"),
    )


def save_draft(
    kind: str,
    slug: str,
    source: str | None,
    revision: int | str | None,
    user: User,
    base_version_id: int | None = None,
) -> ContentDraft:
    """Save the editor's text on top of draft `revision`; a `DraftConflict` when the draft moved
    on since. Returns the saved draft."""
    source = normalise_newlines(source)
    revision = int(revision or 0)
    if revision > 0:
        result = db.session.execute(
            update(ContentDraft)
            .where(ContentDraft.kind == kind, ContentDraft.slug == slug, ContentDraft.revision == revision)
            .values(source=source, revision=revision + 1, updated_by_id=user.id, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 1:
            draft = draft_of(kind, slug)
            assert draft is not None  # the update above found it
            db.session.refresh(draft)
            return draft
    else:
        if draft_of(kind, slug) is None:
            draft = ContentDraft(
                kind=kind,
                slug=slug,
                source=source,
                revision=1,
                updated_by_id=user.id,
                base_version_id=base_version_id,
            )
            try:
                with db.session.begin_nested():
                    db.session.add(draft)
                return draft
            except IntegrityError:
                pass  # another trainer created it a moment ago
    current = draft_of(kind, slug)
    if current is None:
        raise AuthoringError(
            _("This draft no longer exists. Copy your text, reload the page and save again.")
        )
    db.session.refresh(current)
    raise _draft_conflict(kind, slug, current, source)


def publish(
    kind: str,
    slug: str,
    source: str | None,
    revision: int | str | None,
    base_version_id: int | str | None,
    user: User,
) -> publishing.PublishResult:
    """Publish the editor's text as a new version (refused while it has errors, or when someone
    saved or published since this editor loaded); the draft then follows the new version."""
    source = normalise_newlines(source)
    revision = int(revision or 0)
    current = draft_of(kind, slug)
    current_revision = current.revision if current is not None else 0
    live = publishing.published(kind, slug)
    if current_revision != revision:
        if current is None:  # the editor loaded a draft that has gone since
            raise AuthoringError(
                _("This draft no longer exists. Copy your text, reload the page and save again.")
            )
        raise _draft_conflict(kind, slug, current, source)
    base = int(base_version_id) if base_version_id not in (None, "", "None") else None
    if live is not None and base != live.id and live.source != source:
        raise _conflict(
            kind,
            slug,
            live.source,
            source,
            current_revision,
            live.id,
            name_of(live.author_id),
            live.created_at,
            "published",
        )
    try:
        with db.session.begin_nested():  # the version and the draft together, or neither
            result = publishing.publish_text(
                kind, source, path_for(kind, slug), author=user, origin=publishing.FROM_STUDIO
            )
            if result.version.slug != slug:
                raise AuthoringError(
                    _("The text’s id is `%(found)s`, not `%(slug)s`.", found=result.version.slug, slug=slug)
                )
            if current is None:
                db.session.add(
                    ContentDraft(
                        kind=kind,
                        slug=slug,
                        source=source,
                        revision=1,
                        base_version_id=result.version.id,
                        updated_by_id=user.id,
                    )
                )
            else:
                # Conditional, like a save: a trainer who saved a moment ago is not overwritten.
                done = db.session.execute(
                    update(ContentDraft)
                    .where(ContentDraft.id == current.id, ContentDraft.revision == revision)
                    .values(
                        source=source,
                        revision=revision + 1,
                        base_version_id=result.version.id,
                        updated_by_id=user.id,
                        updated_at=func.now(),
                    )
                    .execution_options(synchronize_session=False)
                )
                if cast(CursorResult[Any], done).rowcount != 1:
                    raise _DraftMoved()
            db.session.flush()
    except _DraftMoved:
        assert current is not None  # raised by the update of the draft
        db.session.refresh(current)
        raise _draft_conflict(kind, slug, current, source) from None
    return result


class _DraftMoved(Exception):
    """Someone saved the draft between reading it and publishing it."""


def diff_lines(
    a: str | None, b: str | None, a_name: str = "before", b_name: str = "after", context: int = 3
) -> list[DiffRow]:
    """A unified diff as (kind, old line number, new line number, text) rows for a template:
    kind is 'hunk', 'add', 'del' or 'same'."""
    a_lines, b_lines = (a or "").split("\n"), (b or "").split("\n")
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(
            (
                "hunk",
                None,
                None,
                f"@@ {a_name} lines {first[1] + 1}-{last[2]}, {b_name} lines {first[3] + 1}-{last[4]} @@",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", i + 1, j1 + (i - i1) + 1, a_lines[i]) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                rows += [("del", i + 1, None, a_lines[i]) for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                rows += [("add", None, j + 1, b_lines[j]) for j in range(j1, j2)]
    return rows
