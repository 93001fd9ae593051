"""Reinforcement ("boosts"): what each rep has met (a knowledge-check question, a phase-reading
or signal-picking step of a role-play), its memory state under the FSRS scheduler, and the boost answers.

An item's memory moves on with every answer the rep gives it, in a check, a role-play or a
boost; boost answers are appended records (unique per item and sequence number, so a double
click, a replay or a second tab records one answer), pinned to the content version shown."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow


class BoostItem(Model):
    __tablename__ = "boost_items"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "slug", "ref"),
        # the dashboard's question: how many are due, and which first
        Index("ix_boost_items_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # question, phase, signals
    slug: Mapped[str] = mapped_column(String(120))  # the module or scenario
    # Which question or node, stable across versions: a question's text (hashed), a node's id.
    ref: Mapped[str] = mapped_column(String(120))
    # What the right answer was when the memory was built (the right answers' texts, hashed; the
    # node's phase; the right signals' texts, hashed): a version that changes it starts the
    # memory again.
    answer_key: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))  # the latest version met
    # the true phase of a phase item; the phase a signal item's right signals point to
    phase: Mapped[str | None] = mapped_column(String(60))
    # The FSRS card (fsrs.Card): state, learning step, stability, difficulty, due, last review.
    state: Mapped[int] = mapped_column(default=1)
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime] = mapped_column(default=utcnow)
    last_review: Mapped[datetime | None]
    last_rating: Mapped[int | None]  # fsrs.Rating of the latest answer
    reviews: Mapped[int] = mapped_column(default=0)  # answers of any source folded in
    boosts: Mapped[int] = mapped_column(default=0)  # boost answers: the next one is boosts + 1
    # Set when the published content no longer has this question or node: it is asked no more.
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoostAnswer(Model):
    __tablename__ = "boost_answers"
    __table_args__ = (
        UniqueConstraint("item_id", "seq"),
        Index("ix_boost_answers_user_time", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("boost_items.id", ondelete="CASCADE"))
    seq: Mapped[int]
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))  # the version shown
    kind: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(60))  # the true phase of a phase item
    given: Mapped[list] = mapped_column(JSON)  # answer numbers, [phase id], or observations (0-based)
    correct: Mapped[bool]
    rating: Mapped[int]  # fsrs.Rating: 1 again, 2 hard, 3 good
    due_after: Mapped[datetime]  # when the item comes back
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[BoostItem] = relationship()


class BoostMark(Model):
    """The latest knowledge check and role-play step folded into a rep's items: the fold reads
    only what came after (records are appended, never edited)."""

    __tablename__ = "boost_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    quiz_mark: Mapped[int] = mapped_column(default=0)
    step_mark: Mapped[int] = mapped_column(default=0)  # phase-reading steps
    # Signal-picking steps: a mark of their own, so the picks recorded before they became items
    # (below step_mark) are folded too.
    signal_mark: Mapped[int] = mapped_column(default=0, server_default="0")
