"""Learning records: assignments, page views, quiz attempts, scenario attempts and their steps.
Steps, views and quiz attempts are appended, never edited."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content import signals
from app.extensions import Model
from app.models.base import utcnow


class Assignment(Model):
    """Work given to a trainee or a whole team: a course, module or scenario, due on a date
    or a number of days after each trainee's hire date."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))  # course, module, scenario
    target_slug: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date | None]
    due_days_after_hire: Mapped[int | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    team = relationship("Team")
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])


class PageView(Model):
    __tablename__ = "page_views"
    __table_args__ = (
        Index("ix_page_views_user_module", "user_id", "module_slug"),
        # a trainee's latest view in one seek (progress summaries' mark)
        Index("ix_page_views_user_latest", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(120))
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    page: Mapped[int]  # 1-based page of the lesson
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizAttempt(Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        Index("ix_quiz_attempts_user_module", "user_id", "module_slug"),
        Index("ix_quiz_attempts_user_latest", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(120))
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    # A random token carried by the quiz form: a double submit or a replay finds the first record.
    submission: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)  # {question number: [answer numbers]} (the module's numbers)
    # What the trainee was shown, in order: [[question number, [answer numbers in the order shown]], ...]
    # (questions drawn from the pool, answers shuffled). None on attempts from before drawing: all, in order.
    shown: Mapped[list | None] = mapped_column(JSON, nullable=True)
    language: Mapped[str] = mapped_column(
        String(8), default="en", server_default="en"
    )  # the language it was taken in
    percent: Mapped[int]
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScenarioAttempt(Model):
    """One play of a scenario, pinned to the version it started on until it ends."""

    __tablename__ = "scenario_attempts"
    __table_args__ = (
        Index("ix_scenario_attempts_user_scenario", "user_id", "scenario_slug"),
        Index("ix_scenario_attempts_version", "version_id"),
        # At most one attempt in progress per trainee, scenario and mode, whatever the clicking:
        # a practice run and a challenge are different exercises, and one must never be resumed
        # as the other (a challenge would show its ratings, a practice run would hide them).
        Index(
            "uq_scenario_attempts_one_open",
            "user_id",
            "scenario_slug",
            "mode",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_slug: Mapped[str] = mapped_column(String(120))
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    status: Mapped[str] = mapped_column(String(16), default="in_progress")  # in_progress, finished
    # practice: each choice's rating, feedback and score changes at once; challenge: the
    # prospect's reaction only, everything revealed in the debrief. A challenge pass is what
    # certification counts.
    mode: Mapped[str] = mapped_column(String(16), default="practice", server_default="practice")
    # The language it was played in, and the translation played (None: the source text): an
    # attempt reads the same to its manager as it did to the trainee.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    translation_id: Mapped[int | None] = mapped_column(ForeignKey("content_translations.id"))
    current_node: Mapped[str] = mapped_column(String(120))
    state: Mapped[dict] = mapped_column(JSON)
    step_count: Mapped[int] = mapped_column(default=0)
    percent: Mapped[int | None]
    passed: Mapped[bool | None]
    outcome: Mapped[str | None] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # "Try again from this step": the finished attempt whose first `replayed_from_seq - 1` steps
    # this one starts after (they are not copied: the rep did not choose them again). A replay is
    # practice: it never counts as passing the scenario (counts_as_pass).
    replayed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenario_attempts.id", ondelete="SET NULL")
    )
    replayed_from_seq: Mapped[int | None]

    user = relationship("User")
    version = relationship("ContentVersion")
    steps: Mapped[list["AttemptStep"]] = relationship(back_populates="attempt", order_by="AttemptStep.seq")
    comments: Mapped[list["CoachingComment"]] = relationship(
        back_populates="attempt", order_by="CoachingComment.created_at"
    )


class AttemptStep(Model):
    """One choice made in an attempt. (attempt, seq) is unique in the database, so a double
    click or a replayed POST can never record a second step."""

    __tablename__ = "attempt_steps"
    __table_args__ = (UniqueConstraint("attempt_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("scenario_attempts.id", ondelete="CASCADE"))
    seq: Mapped[int]  # 1, 2, ... per attempt
    node: Mapped[str] = mapped_column(String(120))
    choice: Mapped[
        int | None
    ]  # index of the choice in the node (0-based, in source order); None for Continue
    choice_label: Mapped[str] = mapped_column(Text, default="")
    effects: Mapped[dict] = mapped_column(JSON, default=dict)  # score deltas, ledger, feedback
    skill: Mapped[str | None] = mapped_column(String(60))
    phase: Mapped[str | None] = mapped_column(String(60))  # the true phase on a signal-reading node
    phase_claimed: Mapped[str | None] = mapped_column(String(60))
    phase_correct: Mapped[bool | None]
    rating: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # choice, continue or sheet (engine.StepOutcome.kind); a sheet's graded figures are in
    # effects["figures"]
    kind: Mapped[str] = mapped_column(String(16), default="choice", server_default="choice")

    attempt: Mapped[ScenarioAttempt] = relationship(back_populates="steps")

    @property
    def read_right(self) -> bool | None:
        """Whether the step read the prospect's phase right, as the engine judged it when the
        step was taken (StepOutcome.phase_correct: the phase a choice claims, or a signal pick's
        reading rated best or good, signals.is_well_read); None when it asked for no reading
        (a pick's phase columns are left empty: they hold a choice's claim). The pages that
        count readings in SQL use its twins below, phase_read() and read_right()."""
        if self.kind == "signals":
            return signals.is_well_read(self.rating)
        return self.phase_correct if self.phase else None


def counts_as_pass() -> ColumnElement[bool]:
    """The attempts that pass a scenario for completion, assignments and best scores: finished,
    passed, and played from the start (a replay from a step is practice)."""
    return and_(
        ScenarioAttempt.status == "finished",
        ScenarioAttempt.passed.is_(True),
        ScenarioAttempt.replayed_from_id.is_(None),
    )


class AttemptSignal(Model):
    """The verdict on one observation of a signal-picking step (content/signals.py): spotted,
    missed, mistaken or avoided. Written with its step, in the same transaction, so it is
    recorded exactly once; the manager's analytics count which signals reps miss or mistake."""

    __tablename__ = "attempt_signals"
    __table_args__ = (UniqueConstraint("step_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("attempt_steps.id", ondelete="CASCADE"))
    item: Mapped[int]  # 0-based, in source order
    verdict: Mapped[str] = mapped_column(String(10))
    reading: Mapped[str | None] = mapped_column(String(60))  # the node's `signals:` phase
    phase_signal: Mapped[str | None] = mapped_column(String(80))  # `PHASE/N`: the course's signal it shows
    label: Mapped[str] = mapped_column(Text, default="")  # the observation's words, as played


def phase_read() -> ColumnElement[str | None]:
    """SQL, per step row: the phase the step asked the rep to read, None when it asked for none.
    A choice's is in its own row; a pick's is its node's `signals:` phase, kept with its
    verdicts (its phase columns hold a choice's claim). A correlated look-up by step on the
    unique (step, item): no statement more, whatever the history."""
    pick_reading = (
        select(AttemptSignal.reading)
        .where(AttemptSignal.step_id == AttemptStep.id)
        .order_by(AttemptSignal.item)
        .limit(1)
        .scalar_subquery()
    )
    return case((AttemptStep.kind == "signals", pick_reading), else_=AttemptStep.phase)


def read_right() -> ColumnElement[bool | None]:
    """SQL, per step row: AttemptStep.read_right, by the same rule (a pick's reading rated in
    signals.WELL_READ, or the phase a choice claimed); count it where phase_read() is not None."""
    return case(
        (AttemptStep.kind == "signals", AttemptStep.rating.in_(signals.WELL_READ)),
        else_=AttemptStep.phase_correct,
    )


class CoachingComment(Model):
    __tablename__ = "coaching_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_attempts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # When the trainee first saw this text (their debrief or comments page); an edit clears it,
    # so the dashboard's notice comes back for the new wording.
    read_at: Mapped[datetime | None]

    attempt: Mapped[ScenarioAttempt] = relationship(back_populates="comments")
    author = relationship("User")


class ProgressSummary(Model):
    """A trainee's progress through the course as the manager's dashboard shows it, stored so
    that the page reads one row per trainee instead of folding every learning record on every
    view. Learning records are only ever appended (an attempt's row moves on), so the latest
    record of each kind marks what a summary has seen: it is valid while the trainee's latest
    page view id, quiz attempt id and attempt update time are its marks and the published
    outline is `outline_key`. The dashboard reads the live marks with the summaries (index
    seeks) and refolds the stale ones in one batch; no learning write has to know about it."""

    __tablename__ = "progress_summaries"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pages_mark: Mapped[int | None]  # the latest page_views.id folded
    quizzes_mark: Mapped[int | None]  # the latest quiz_attempts.id folded
    attempts_mark: Mapped[datetime | None]  # the latest scenario_attempts.updated_at folded
    outline_key: Mapped[str] = mapped_column(String(64))
    percent: Mapped[int]
    modules_done: Mapped[int]
    attempts: Mapped[int]
    # The latest page first opened, quiz taken or role-play moved on, when folded.
    last_activity: Mapped[datetime | None]
    # JSON [[percent, complete, started, best score], ...], one per stage of the course.
    stages: Mapped[str] = mapped_column(Text)
    # "0110...": each module of the outline, in course order, complete (1) or not.
    modules_complete: Mapped[str] = mapped_column(Text)
    # The scenarios passed at least once, their slugs separated by spaces.
    scenarios_passed: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
