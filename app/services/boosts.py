"""Reinforcement ("boosts"): every knowledge-check question and every phase-reading step of a
role-play a rep has met is an item with a memory, scheduled by FSRS (the `fsrs` package), and
comes back as a short boost when the memory is due to fade.

- The fold (`refresh`) reads the checks and role-play steps recorded since its marks and moves
  each item's memory on with the rep's answer there, in the order they were given: wrong is
  Again, right straight after a wrong answer is Hard, right is Good (content/recall.grade).
  Nothing in the check or the player has to know about boosts; existing records count too.
- A boost answer is a record: unique per item and sequence number (a double click, a replay or
  a second tab records one answer and shows its feedback), pinned to the content version shown.
  A new version keeps the item's memory unless it changes the right answer.
- Every function takes `now` (naive UTC, models' utcnow by default): tests move the clock,
  nothing sleeps.

Scheduler settings: no same-day learning steps (a rep meets an item again on another day, not
ten minutes later), no fuzz (the same answers give the same dates, which tests and managers can
check), 90% desired retention. With FSRS's default weights a first wrong or hard answer comes
back the next day, a first right one two days later, then about 11 and 46 days."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app import formats
from app.content import recall
from app.extensions import db
from app.models import (
    AttemptStep,
    BoostAnswer,
    BoostItem,
    BoostMark,
    ContentVersion,
    QuizAttempt,
    ScenarioAttempt,
)
from app.models.base import utcnow
from app.services import publishing, translations
from app.services.learning import NotFound, Refused
from app.services.learning import grade as grade_check

SCHEDULER = Scheduler(desired_retention=0.9, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
ROUND = 5  # items in a round at most: about two minutes
ROUND_MIN = 3  # a round tops up with items due soon when fewer are due today
QUESTION, PHASE = "question", "phase"


class StaleAnswer(Exception):
    """This item's next answer is not the one posted (answered in another tab meanwhile)."""


# --- the clock ------------------------------------------------------------------------------


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _naive(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


def day_bounds(now):
    """The organisation's today as naive UTC times [start, end): what is due "today" is due
    before its end, so an item due at 17:00 is offered at 9:00 the same day."""
    local = formats.local(now)
    start = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    return _naive(start), _naive(start + timedelta(days=1))


# --- one item's memory ------------------------------------------------------------------------


def _card(item):
    return Card(
        card_id=item.id or 0,
        state=State(item.state),
        step=item.step,
        stability=item.stability,
        difficulty=item.difficulty,
        due=_aware(item.due),
        last_review=_aware(item.last_review),
    )


def review(item, rating, when):
    """Move the item's memory on by one answer graded `rating` at `when` (naive UTC)."""
    if item.last_review is not None and when < item.last_review:
        when = item.last_review  # folded late: never before the answer it follows
    card, _log = SCHEDULER.review_card(_card(item), Rating(rating), _aware(when))
    item.state, item.step = int(card.state), card.step
    item.stability, item.difficulty = card.stability, card.difficulty
    item.due, item.last_review = _naive(card.due), _naive(card.last_review)
    item.last_rating = rating
    item.reviews = (item.reviews or 0) + 1


def forget(item, answer_key):
    """A new version changed the right answer: what the rep remembered is the old one."""
    item.answer_key = answer_key
    item.state, item.step, item.stability, item.difficulty = int(State.Learning), 0, None, None
    item.last_review = item.last_rating = None
    item.reviews = 0


def _meet(item, answer_key, version_id, correct, when):
    if item.answer_key != answer_key:
        forget(item, answer_key)
        if item.kind == PHASE:
            item.phase = answer_key
    if version_id > (item.version_id or 0):
        item.version_id = version_id
    review(item, recall.grade(correct, item.last_rating), when)


# --- the fold -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Met:
    """One answer a rep gave to something that becomes an item."""

    when: datetime
    kind: str
    slug: str
    ref: str
    answer_key: str
    version_id: int
    phase: str | None
    correct: bool


def _checks_met(user_id, since_id):
    rows = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.id > since_id)
        .order_by(QuizAttempt.id)
    ).all()
    met, mark = [], since_id
    for attempt in rows:
        mark = attempt.id
        module = publishing.value_by_id(attempt.version_id)
        _percent, _passed, results = grade_check(module, attempt.answers or {}, attempt.shown)
        for r in results:
            met.append(
                Met(
                    attempt.created_at,
                    QUESTION,
                    attempt.module_slug,
                    recall.question_ref(r.question),
                    recall.question_answer_key(r.question),
                    attempt.version_id,
                    None,
                    r.correct,
                )
            )
    return met, mark


def _phase_steps_met(user_id, since_id):
    rows = db.session.execute(
        select(
            AttemptStep.id,
            AttemptStep.node,
            AttemptStep.phase,
            AttemptStep.phase_correct,
            AttemptStep.created_at,
            ScenarioAttempt.scenario_slug,
            ScenarioAttempt.version_id,
        )
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(
            ScenarioAttempt.user_id == user_id,
            AttemptStep.id > since_id,
            AttemptStep.phase.is_not(None),
            AttemptStep.choice.is_not(None),
        )
        .order_by(AttemptStep.id)
    ).all()
    met = [
        Met(
            r.created_at,
            PHASE,
            r.scenario_slug,
            r.node,
            r.phase,
            r.version_id,
            r.phase,
            bool(r.phase_correct),
        )
        for r in rows
    ]
    return met, (rows[-1].id if rows else since_id)


def refresh(user, now=None):
    """Fold the rep's knowledge checks and phase-reading steps recorded since the last fold
    into their items. Safe to run from two requests at once: the marks move by compare-and-set,
    and the request that loses folds nothing (the winner folded the same records)."""
    return _fold(user.id, now)


def refresh_stale(user_ids, now=None):
    """Fold for those of these trainees who have records the fold has not seen yet (a manager's
    page: three grouped statements, then one fold per trainee who played or took a check since
    their last visit). Returns the number of trainees folded."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    marks = {
        uid: (q, s)
        for uid, q, s in db.session.execute(
            select(BoostMark.user_id, BoostMark.quiz_mark, BoostMark.step_mark).where(
                BoostMark.user_id.in_(ids)
            )
        )
    }
    checks = dict(
        db.session.execute(
            select(QuizAttempt.user_id, func.max(QuizAttempt.id))
            .where(QuizAttempt.user_id.in_(ids))
            .group_by(QuizAttempt.user_id)
        ).all()
    )
    steps = dict(
        db.session.execute(
            select(ScenarioAttempt.user_id, func.max(AttemptStep.id))
            .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
            .where(
                ScenarioAttempt.user_id.in_(ids),
                AttemptStep.phase.is_not(None),
                AttemptStep.choice.is_not(None),
            )
            .group_by(ScenarioAttempt.user_id)
        ).all()
    )
    stale = [
        uid
        for uid in ids
        if checks.get(uid, 0) > marks.get(uid, (0, 0))[0] or steps.get(uid, 0) > marks.get(uid, (0, 0))[1]
    ]
    for uid in stale:
        _fold(uid, now)
    return len(stale)


def _fold(user_id, now=None):
    mark = db.session.get(BoostMark, user_id)
    if mark is None:
        try:
            with db.session.begin_nested():
                mark = BoostMark(user_id=user_id, quiz_mark=0, step_mark=0)
                db.session.add(mark)
        except IntegrityError:
            mark = db.session.get(BoostMark, user_id)
    checks, quiz_mark = _checks_met(user_id, mark.quiz_mark)
    steps, step_mark = _phase_steps_met(user_id, mark.step_mark)
    if quiz_mark == mark.quiz_mark and step_mark == mark.step_mark:
        return 0
    moved = db.session.execute(
        update(BoostMark)
        .where(
            BoostMark.user_id == user_id,
            BoostMark.quiz_mark == mark.quiz_mark,
            BoostMark.step_mark == mark.step_mark,
        )
        .values(quiz_mark=quiz_mark, step_mark=step_mark)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return 0
    set_committed_value(mark, "quiz_mark", quiz_mark)
    set_committed_value(mark, "step_mark", step_mark)
    met = sorted(checks + steps, key=lambda m: m.when)
    slugs = sorted({m.slug for m in met})
    items = {
        (i.kind, i.slug, i.ref): i
        for i in db.session.scalars(
            select(BoostItem).where(BoostItem.user_id == user_id, BoostItem.slug.in_(slugs))
        )
    }
    for m in met:
        item = items.get((m.kind, m.slug, m.ref))
        if item is None:
            item = BoostItem(
                user_id=user_id,
                kind=m.kind,
                slug=m.slug,
                ref=m.ref,
                answer_key=m.answer_key,
                version_id=m.version_id,
                phase=m.phase,
                state=int(State.Learning),
                step=0,
                due=m.when,
                reviews=0,
                boosts=0,
                created_at=now or utcnow(),
            )
            db.session.add(item)
            items[(m.kind, m.slug, m.ref)] = item
        _meet(item, m.answer_key, m.version_id, m.correct, m.when)
    db.session.flush()
    return len(met)


# --- what a boost shows -------------------------------------------------------------------------


@dataclass
class Shown:
    """An item as a boost asks it, from one content version."""

    item: BoostItem
    version: ContentVersion
    title: str  # the module or role-play it comes from
    question: object = None  # a Question
    number: int = 0  # its number in the module
    order: tuple = ()  # answer numbers in the order shown
    node: object = None  # a phase-reading Node
    situation: str = ""  # Markdown
    phases: tuple = ()  # ((id, title), ...) to choose from
    signals: dict | None = None  # {phase id: (signal, ...)} from the course
    answer_key: str = ""

    @property
    def several(self):
        return self.question is not None and len(recall.right_answers(self.question)) > 1

    def right(self):
        return recall.right_answers(self.question) if self.question is not None else [self.node.phase]


def _version_for(item, version_id=None):
    """The version a boost form showed (when it is one of this item's), else the published one."""
    kind = "module" if item.kind == QUESTION else "scenario"
    if version_id:
        version = db.session.get(ContentVersion, version_id)
        if version is not None and version.kind == kind and version.slug == item.slug:
            return version
    return publishing.published(kind, item.slug)


def show(item, version_id=None, seq=None, language=None):
    """How boost answer `seq` (the next one by default) asks this item, in the reader's
    `language` when the content has it (a translation keeps the source's questions, answers and
    nodes in place: E-SAMEQUIZ, E-SAMENODES), or None when the content no longer has the item.
    Grading always reads the source version."""
    version = _version_for(item, version_id)
    if version is None:
        return None
    kind = "module" if item.kind == QUESTION else "scenario"
    value = publishing.value_of(version)
    read = translations.localized(kind, version, language)[0] if language else value
    if item.kind == QUESTION:
        found = recall.find_question(value, item.ref)
        if found is None:
            return None
        number, question = found
        if len(getattr(read, "quiz", ())) >= number and len(read.quiz[number - 1].answers) == len(
            question.answers
        ):
            question = read.quiz[number - 1]
        # Answers shuffled per boost, the same on a reload: where the right one sits says nothing.
        order = sorted(
            range(1, len(question.answers) + 1),
            key=lambda i: recall.digest(f"{item.id}:{seq or item.boosts + 1}:{i}"),
        )
        return Shown(
            item,
            version,
            read.title,
            question=question,
            number=number,
            order=tuple(order),
            answer_key=recall.question_answer_key(found[1]),
        )
    node = recall.phase_node(value, item.ref)
    if node is None:
        return None
    answer_key = node.phase
    node = recall.phase_node(read, item.ref) or node
    course_id = value.course or publishing.course_id()
    course = (
        translations.localized_course(course_id, language)
        if language
        else publishing.published_course(course_id)
    )
    phases = tuple((p.id, p.title) for p in course.phases) if course else ()
    signals = {p.id: p.signals for p in course.phases} if course else {}
    if answer_key not in dict(phases):
        phases += ((answer_key, answer_key),)
    return Shown(
        item,
        version,
        read.title,
        node=node,
        situation=recall.situation(node),
        phases=phases,
        signals=signals,
        answer_key=answer_key,
    )


# --- today's boost -------------------------------------------------------------------------------


@dataclass
class Today:
    due: int  # items due by the end of today
    done: int  # boost answers given today
    right: int  # of which right
    position: int  # of the next item in this round (1-based)
    size: int  # items in this round

    @property
    def round_done(self):
        return self.position > self.size


def _due_filter(user_id, end):
    return (BoostItem.user_id == user_id, BoostItem.retired_at.is_(None), BoostItem.due < end)


def due_count(user, now=None):
    _start, end = day_bounds(now or utcnow())
    return db.session.scalar(select(func.count()).select_from(BoostItem).where(*_due_filter(user.id, end)))


def today(user, now=None):
    now = now or utcnow()
    start, end = day_bounds(now)
    done, right = db.session.execute(
        select(func.count(), func.coalesce(func.sum(db.case((BoostAnswer.correct, 1), else_=0)), 0)).where(
            BoostAnswer.user_id == user.id, BoostAnswer.created_at >= start, BoostAnswer.created_at < end
        )
    ).one()
    due = due_count(user, now)
    in_round = done % ROUND
    size = min(ROUND, in_round + due)
    if size < ROUND_MIN and (in_round or due):
        size = min(ROUND_MIN, in_round + due + _early_count(user.id, start, end, ROUND_MIN))
    return Today(due, done, int(right or 0), in_round + 1, size)


def _early_query(user_id, start, end):
    """Items not due today and not met today, soonest first: a round of one or two due items
    is topped up with them (answering a little early costs FSRS nothing)."""
    return select(BoostItem).where(
        BoostItem.user_id == user_id,
        BoostItem.retired_at.is_(None),
        BoostItem.due >= end,
        (BoostItem.last_review.is_(None)) | (BoostItem.last_review < start),
    )


def _early_count(user_id, start, end, limit):
    return len(db.session.scalars(_early_query(user_id, start, end).limit(limit)).all())


def next_item(user, now=None, language=None):
    """The next item of today's boost and its Shown, or (None, today) when the round is over.
    Due items first, the longest overdue first (items answered wrong are due soonest); an item
    whose question or node the content dropped is retired on the way."""
    now = now or utcnow()
    start, end = day_bounds(now)
    state = today(user, now)
    if state.round_done:
        return None, state
    queries = [select(BoostItem).where(*_due_filter(user.id, end))]
    if state.due == 0:
        queries.append(_early_query(user.id, start, end))
    for query in queries:
        for item in db.session.scalars(query.order_by(BoostItem.due, BoostItem.id).limit(ROUND * 4)):
            shown = show(item, language=language)
            if shown is not None:
                return shown, state
            item.retired_at = now
    return None, state


# --- answering ------------------------------------------------------------------------------------


def own_item(user, item_id):
    item = db.session.get(BoostItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(item_id)
    return item


def answer_of(item, seq):
    return db.session.scalar(
        select(BoostAnswer).where(BoostAnswer.item_id == item.id, BoostAnswer.seq == seq)
    )


def check_given(shown, given):
    """The answer as the item's numbers ([answer numbers] or [phase id]); Refused when empty or
    not one of the answers shown (nothing is written)."""
    if shown.question is not None:
        numbers = sorted({int(v) for v in given if str(v).isdigit()})
        if not numbers or not set(numbers) <= set(shown.order):
            raise Refused(_("Choose at least one answer.") if shown.several else _("Choose an answer."))
        if not shown.several and len(numbers) > 1:
            raise Refused(_("Choose one answer."))
        return numbers
    phases = [v for v in given if v in dict(shown.phases)]
    if len(phases) != 1:
        raise Refused(_("Choose the phase the prospect is in."))
    return phases


def answer(user, item_id, seq, version_id, given, now=None):
    """Record boost answer `seq` of an item, graded on the version the form showed. Returns
    (answer, created): a replayed or second-tab post of the same `seq` returns the first answer.
    Raises NotFound, StaleAnswer (another answer came first: show the next item), Refused."""
    now = now or utcnow()
    item = own_item(user, item_id)
    if seq <= item.boosts:
        existing = answer_of(item, seq)
        if existing is None:
            raise StaleAnswer(item_id)
        return existing, False
    if seq != item.boosts + 1:
        raise StaleAnswer(item_id)
    shown = show(item, version_id)
    if shown is None:
        raise Refused(_("This question is no longer part of the course, so it is not asked any more."))
    numbers = check_given(shown, given)
    correct = sorted(numbers) == sorted(shown.right())
    moved = db.session.execute(
        update(BoostItem)
        .where(BoostItem.id == item.id, BoostItem.boosts == seq - 1)
        .values(boosts=seq)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # another tab's answer got there first
        db.session.expire(item)
        existing = answer_of(item, seq)
        if existing is None:
            raise StaleAnswer(item_id)
        return existing, False
    set_committed_value(item, "boosts", seq)
    _meet(item, shown.answer_key, shown.version.id, correct, now)
    record = BoostAnswer(
        user_id=user.id,
        item_id=item.id,
        seq=seq,
        version_id=shown.version.id,
        kind=item.kind,
        phase=item.phase if item.kind == PHASE else None,
        given=numbers,
        correct=correct,
        rating=item.last_rating,
        due_after=item.due,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record, True


def own_answer(user, answer_id):
    record = db.session.get(BoostAnswer, answer_id)
    if record is None or record.user_id != user.id:
        raise NotFound(answer_id)
    return record


def shown_for(record, language=None):
    """The item as the answer's version showed it (pinned), for its feedback page."""
    return show(record.item, record.version_id, record.seq, language)
