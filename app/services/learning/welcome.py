"""The first visit: the welcome page that presents the method and the six stages."""

from collections.abc import Sized

from app.models import User
from app.models.base import utcnow
from app.services.progress import CourseProgress


def first_visit(user: User, progress: CourseProgress | None, open_attempts: Sized) -> bool:
    """Show the welcome (the method and the six stages) until the trainee dismisses it or
    starts learning: a rep already at work has met the method."""
    started = bool(open_attempts) or any(
        m.started for s in (progress.stages if progress else []) for m in s.modules
    )
    return user.welcomed_at is None and not started


def dismiss_welcome(user: User) -> None:
    """Remembered on the account, so the welcome stays dismissed on every device."""
    if user.welcomed_at is None:
        user.welcomed_at = utcnow()
