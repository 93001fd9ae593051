"""Coaching comments: a manager writes one on a trainee's attempt, edits or deletes their own,
and the trainee reads it on the attempt's debrief or on their comments page. A notice on the
trainee's dashboard counts the comments they have not seen yet; reading them there or on the
debrief marks them read (stored, so the notice stays gone in every tab and after a reload)."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select, update

from app.extensions import db
from app.models import CoachingComment, ScenarioAttempt, User
from app.models.base import utcnow
from app.services.assignments import assigning, assignment_targets, manager_scope

MAX_COMMENT = 4000


class CommentError(assigning.AssignmentError):
    """Bad comment text, or a comment that is not the user's own (field "body")."""


def _attempt_in_scope(user: User, attempt_id: object) -> ScenarioAttempt:
    """A scenario attempt of a trainee the user manages; NotInScope otherwise (the view's 404)."""
    attempt = db.session.get(ScenarioAttempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None:
        raise manager_scope.NotInScope("attempt")
    manager_scope.trainee_in_scope(user, attempt.user_id)
    return attempt


def _clean(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError(_("Write a comment first."), "body")
    if len(body) > MAX_COMMENT:
        raise CommentError(_("Keep a comment under %(most)s characters.", most=MAX_COMMENT), "body")
    return body


def of_attempt(attempt_id: int) -> Sequence[CoachingComment]:
    """The comments on an attempt, oldest first, with their authors."""
    return db.session.scalars(
        select(CoachingComment)
        .where(CoachingComment.attempt_id == attempt_id)
        .options(db.joinedload(CoachingComment.author))
        .order_by(CoachingComment.created_at, CoachingComment.id)
    ).all()


def where_seen(attempt: ScenarioAttempt, name: str) -> str:
    """Where the trainee reads a comment on this attempt: what the manager is told, true for each
    status (a started-over attempt has no debrief; the comments page lists it all the same)."""
    if attempt.status == "finished":
        return _(
            "%(name)s sees it on the debrief of this attempt, with a notice on their dashboard until they "
            "have read it.",
            name=name,
        )
    if attempt.status == "abandoned":
        return _(
            "%(name)s started this role-play over, so this attempt has no debrief; %(name)s sees it on "
            "their coaching comments page, with a notice on their dashboard until they have read it.",
            name=name,
        )
    return _(
        "%(name)s sees it on their coaching comments page, with a notice on their dashboard until they have "
        "read it, and on this attempt's debrief once they finish the role-play.",
        name=name,
    )


def add(by: User, attempt_id: object, body: str | None) -> tuple[CoachingComment, bool]:
    """A coaching comment from the trainee's manager: (comment, created). The same text posted
    twice (double click, second tab) is recorded once."""
    attempt = _attempt_in_scope(by, attempt_id)
    body = _clean(body)
    existing = db.session.scalar(
        select(CoachingComment).where(
            CoachingComment.attempt_id == attempt.id,
            CoachingComment.author_id == by.id,
            CoachingComment.body == body,
        )
    )
    if existing is not None:
        return existing, False
    comment = CoachingComment(attempt_id=attempt.id, author_id=by.id, body=body)
    db.session.add(comment)
    db.session.flush()
    from app.services import (
        notification_events,  # tell the trainee, in this transaction
    )

    notification_events.comment_posted(
        comment,
        attempt,
        by,
        assignment_targets.target_title("scenario", attempt.scenario_slug) or attempt.scenario_slug,
    )
    return comment, True


def own_comment(by: User, comment_id: object) -> CoachingComment:
    """A comment written by `by` on an attempt they still manage; NotInScope otherwise (someone
    else's comment, another team's, a made-up id: 404)."""
    comment = db.session.get(CoachingComment, comment_id) if isinstance(comment_id, int) else None
    if comment is None or comment.author_id != by.id:
        raise manager_scope.NotInScope("comment")
    _attempt_in_scope(by, comment.attempt_id)
    return comment


def edit(by: User, comment_id: object, body: str | None) -> CoachingComment:
    """Change the text of one's own comment. The trainee is told again (it is unread again),
    unless the text is unchanged (a resubmitted form): then nothing is written."""
    comment = own_comment(by, comment_id)
    body = _clean(body)
    if body != comment.body:
        comment.body, comment.edited_at, comment.read_at = body, utcnow(), None
        db.session.flush()
    return comment


def delete(by: User, comment_id: object) -> int:
    """Delete one's own comment; a second click finds it gone (NotInScope, a 404 page)."""
    comment = own_comment(by, comment_id)
    attempt_id = comment.attempt_id
    db.session.delete(comment)
    db.session.flush()
    return attempt_id


# --- the trainee's side -------------------------------------------------------------------------


def _trainee_comments(user: User) -> Select[tuple[CoachingComment]]:
    return (
        select(CoachingComment)
        .join(ScenarioAttempt, ScenarioAttempt.id == CoachingComment.attempt_id)
        .where(ScenarioAttempt.user_id == user.id)
    )


# The dashboard's notice, on every visit: built once (building and keying it cost more than running it).
_UNREAD_COUNT = select(func.count()).select_from(
    select(CoachingComment)
    .join(ScenarioAttempt, ScenarioAttempt.id == CoachingComment.attempt_id)
    .where(ScenarioAttempt.user_id == bindparam("user_id"), CoachingComment.read_at.is_(None))
    .subquery()
)


def unread_count(user: User) -> int:
    """How many comments on the trainee's attempts they have not read yet (the dashboard notice)."""
    return db.session.scalar(_UNREAD_COUNT, {"user_id": user.id}) or 0


@dataclass
class ReceivedComment:
    comment: CoachingComment
    attempt: ScenarioAttempt
    unread: bool  # as it was before this page marked it read


def received(user: User) -> list[ReceivedComment]:
    """Every comment on the trainee's attempts, newest first, each with its attempt; the unread
    ones are marked read (they are on the page being shown)."""
    comments = db.session.scalars(
        _trainee_comments(user)
        .options(db.joinedload(CoachingComment.author), db.joinedload(CoachingComment.attempt))
        .order_by(CoachingComment.created_at.desc(), CoachingComment.id.desc())
    ).all()
    out = [ReceivedComment(c, c.attempt, c.read_at is None) for c in comments]
    _mark_read([c.id for c in comments if c.read_at is None])
    return out


def for_debrief(user: User, attempt: ScenarioAttempt) -> list[tuple[CoachingComment, bool]]:
    """The comments on the trainee's own attempt, oldest first, marked read as the debrief shows
    them: [(comment, unread before this view)]."""
    if attempt.user_id != user.id:
        return []
    comments = of_attempt(attempt.id)
    out = [(c, c.read_at is None) for c in comments]
    _mark_read([c.id for c in comments if c.read_at is None])
    return out


def _mark_read(ids: list[int]) -> None:
    # Only still-unread rows: a second tab reading the same comments changes nothing.
    if ids:
        db.session.execute(
            update(CoachingComment)
            .where(CoachingComment.id.in_(ids), CoachingComment.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
