"""Lesson pages: which pages the trainee has read (what progress and the retry pause count)."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import ContentVersion, PageView, QuizAttempt, User


def record_page_view(user: User, version: ContentVersion, page: int) -> bool:
    """Note that the trainee opened a page. The first view of each page is enough for progress;
    a page read again after a failed knowledge check is noted too, because re-reading it is
    what opens the next try early (see retry_pause)."""
    seen = db.session.scalar(
        select(func.max(PageView.viewed_at)).where(
            PageView.user_id == user.id, PageView.module_slug == version.slug, PageView.page == page
        )
    )
    if seen is not None:
        failed = db.session.scalar(
            select(func.max(QuizAttempt.created_at)).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.module_slug == version.slug,
                QuizAttempt.passed.is_(False),
            )
        )
        if failed is None or seen > failed:
            return False
    db.session.add(PageView(user_id=user.id, module_slug=version.slug, version_id=version.id, page=page))
    db.session.flush()
    return seen is None


def pages_seen(user: User, module_slug: str) -> set[int]:
    return set(
        db.session.scalars(
            select(PageView.page)
            .where(PageView.user_id == user.id, PageView.module_slug == module_slug)
            .distinct()
        )
    )
