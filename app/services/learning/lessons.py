"""Lesson pages: which pages the trainee has read (what progress and the retry pause count)."""

from datetime import datetime

from sqlalchemy import bindparam, func, select

from app.extensions import db
from app.models import ContentVersion, PageView, QuizAttempt, User

# Built once: every lesson page runs them, and building and keying a statement costs more than
# running it.
_LAST_VIEW = select(func.max(PageView.viewed_at)).where(
    PageView.user_id == bindparam("user_id"),
    PageView.module_slug == bindparam("slug"),
    PageView.page == bindparam("page"),
)
_LAST_FAILED_CHECK = select(func.max(QuizAttempt.created_at)).where(
    QuizAttempt.user_id == bindparam("user_id"),
    QuizAttempt.module_slug == bindparam("slug"),
    QuizAttempt.passed.is_(False),
)
_LAST_VIEWS = (
    select(PageView.page, func.max(PageView.viewed_at))
    .where(PageView.user_id == bindparam("user_id"), PageView.module_slug == bindparam("slug"))
    .group_by(PageView.page)
)
_PAGES_SEEN = (
    select(PageView.page)
    .where(PageView.user_id == bindparam("user_id"), PageView.module_slug == bindparam("slug"))
    .distinct()
)


def record_page_view(user: User, version: ContentVersion, page: int) -> bool:
    """Note that the trainee opened a page. The first view of each page is enough for progress;
    a page read again after a failed knowledge check is noted too, because re-reading it is
    what opens the next try early (see retry_pause)."""
    seen = db.session.scalar(_LAST_VIEW, {"user_id": user.id, "slug": version.slug, "page": page})
    return _note_view(user, version, page, seen)


def open_page(user: User, version: ContentVersion, page: int) -> set[int]:
    """A lesson page opened: its view noted as record_page_view notes it, and the pages of the
    module the trainee has read (pages_seen), this one included, from one statement instead of
    those two."""
    last = dict(db.session.execute(_LAST_VIEWS, {"user_id": user.id, "slug": version.slug}).tuples().all())
    _note_view(user, version, page, last.get(page))
    return set(last) | {page}


def _note_view(user: User, version: ContentVersion, page: int, seen: datetime | None) -> bool:
    if seen is not None:
        failed = db.session.scalar(_LAST_FAILED_CHECK, {"user_id": user.id, "slug": version.slug})
        if failed is None or seen > failed:
            return False
    db.session.add(PageView(user_id=user.id, module_slug=version.slug, version_id=version.id, page=page))
    db.session.flush()
    return seen is None


def pages_seen(user: User, module_slug: str) -> set[int]:
    return set(db.session.scalars(_PAGES_SEEN, {"user_id": user.id, "slug": module_slug}))
