"""Knowledge checks: the questions drawn for a submission, grading, the pause after two failed
tries, and the record of each check (once per submission token, whatever the double clicks)."""

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from app.content import quiz
from app.content.model import Answer, Module, Question
from app.extensions import db
from app.models import ContentVersion, PageView, QuizAttempt, User
from app.models.base import utcnow
from app.services import publishing, translations
from app.services.learning.published import published_module
from app.services.learning.refusals import NotFound, NotYours, Refused

# After two failed tries in a row, the next one waits this long, unless the trainee re-reads a
# page the missed questions are about: a third guess straight away teaches nothing.
RETRY_WAIT = timedelta(minutes=10)
FAILS_BEFORE_PAUSE = 2


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def drawn(module: Module, submission: str | None) -> list[quiz.Asked]:
    """The questions (and answer order) of the check carrying this submission token. The seed is
    keyed with the app's secret, so a trainee cannot pick a token for a draw they prefer."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), (submission or "").encode(), hashlib.sha256)
    return quiz.draw(module, int.from_bytes(digest.digest()[:8], "big"))


@dataclass
class QuestionResult:
    number: int  # position in the attempt, as shown (1-based)
    question: Question
    chosen: list[int]  # answer numbers of the module
    correct: bool
    order: tuple[int, ...] = ()  # the module's answer numbers in the order shown

    @property
    def answers_shown(self) -> list[tuple[int, Answer]]:
        """(answer number in the module, answer) in the order the trainee saw them."""
        return [(i, self.question.answers[i - 1]) for i in self.order]

    @property
    def missed_some(self) -> bool:
        """Every answer chosen is right but a right one is missing (a "select all" question)."""
        right = {i for i, a in enumerate(self.question.answers, 1) if a.correct}
        return not self.correct and bool(self.chosen) and set(self.chosen) < right


def grade(
    module: Module, answers: Mapping[Any, Any], shown: list[list[Any]] | None = None
) -> tuple[int, bool, list[QuestionResult]]:
    """answers {question number: [answer numbers]} (numbers of the module, 1-based) over the
    questions the attempt asked (`shown`, as recorded; every question when None) ->
    (percent, passed, [QuestionResult] in the order asked)."""
    results: list[QuestionResult] = []
    for position, asked in enumerate(quiz.from_record(module, shown), 1):
        question = module.quiz[asked.number - 1]
        given = answers.get(str(asked.number), answers.get(asked.number, [])) or []
        chosen = sorted({int(v) for v in given if str(v).isdigit()})
        right = [i for i, a in enumerate(question.answers, 1) if a.correct]
        results.append(QuestionResult(position, question, chosen, chosen == right, asked.order))
    total = len(results)
    percent = round(100 * sum(r.correct for r in results) / total) if total else 100
    return percent, percent >= module.pass_percent, results


def module_version(slug: str, version_id: int, language: str | None = None) -> tuple[ContentVersion, Module]:
    """The module version a quiz form was rendered from (or the published one), in `language`."""
    if version_id:
        version = db.session.get(ContentVersion, version_id)
        if version is not None and version.kind == "module" and version.slug == slug:
            return version, translations.localized("module", version, language)[0]
    return published_module(slug, language)


@dataclass
class RetryPause:
    """Why the next try must wait: two failed tries in a row. It opens at `until`, or as soon
    as the trainee opens one of `pages` again ([(number, title)])."""

    until: datetime
    pages: list[tuple[int, str]]

    def minutes_left(self, now: datetime | None = None) -> int:
        left = (self.until - (now or utcnow())).total_seconds()
        return max(1, -(-int(left) // 60))


# The trainee's pages run these on every view: built once (building and keying a statement
# costs more than running it).
_MINE = (QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.module_slug == bindparam("slug"))
_RECENT_TRIES = select(QuizAttempt).where(*_MINE).order_by(QuizAttempt.id.desc()).limit(FAILS_BEFORE_PAUSE)
_A_PASS = select(QuizAttempt.id).where(*_MINE, QuizAttempt.passed).limit(1)
_A_REREAD = (
    select(PageView.id)
    .where(
        PageView.user_id == bindparam("user_id"),
        PageView.module_slug == bindparam("slug"),
        PageView.page.in_(bindparam("pages", expanding=True)),
        PageView.viewed_at > bindparam("since"),
    )
    .limit(1)
)
_HISTORY = (
    select(QuizAttempt)
    .where(*_MINE)
    .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    .limit(bindparam("limit"))
)


_LIGHT_VERSION = (defer(ContentVersion.compiled), defer(ContentVersion.source))


def retry_pause(
    user: User, module_slug: str, module: Module, now: datetime | None = None
) -> RetryPause | None:
    """The pause before the next try, or None when the trainee may try now."""
    now = now or utcnow()
    mine = {"user_id": user.id, "slug": module_slug}
    recent = db.session.scalars(_RECENT_TRIES, mine).all()
    if len(recent) < FAILS_BEFORE_PAUSE or any(a.passed for a in recent):
        return None
    last = recent[0]
    if now >= last.created_at + RETRY_WAIT:
        return None
    if db.session.scalar(_A_PASS, mine):
        return None  # passed before: further tries are practice
    pages = pages_to_reread(module, last)
    reread = db.session.scalar(_A_REREAD, {**mine, "pages": [n for n, _t in pages], "since": last.created_at})
    if reread is not None:
        return None
    return RetryPause(last.created_at + RETRY_WAIT, pages)


def pages_to_reread(
    module: Module, attempt: QuizAttempt, asked: Module | None = None
) -> list[tuple[int, str]]:
    """The lesson pages the questions missed in the attempt are about (`page:` of each
    question), or every page when they name none. `asked`: the module as the attempt was
    asked (quiz_module), when the caller has it already."""
    try:
        asked_module = asked or quiz_module(attempt)
        _p, _ok, results = grade(asked_module, attempt.answers or {}, attempt.shown)
        numbers = sorted({r.question.page for r in results if not r.correct and r.question.page})
    except (LookupError, ValueError, TypeError, AttributeError):
        numbers = []
    numbers = [n for n in numbers if 1 <= n <= len(module.pages)] or list(range(1, len(module.pages) + 1))
    return [(n, module.pages[n - 1].title) for n in numbers]


def submit_quiz(
    user: User,
    module_slug: str,
    version: ContentVersion,
    submission: str,
    answers: Mapping[Any, Any],
    now: datetime | None = None,
    language: str | None = None,
) -> tuple[QuizAttempt, bool]:
    """Record a knowledge check once per submission token. Returns (attempt, created): a
    replayed token gives back the first result, whatever answers came with it. Refused (nothing
    written) while a pause after two failed tries is running."""
    existing = db.session.scalar(select(QuizAttempt).where(QuizAttempt.submission == submission))
    if existing is not None:
        if existing.user_id != user.id:
            raise NotFound(submission)
        return existing, False
    module = publishing.value_of(version)
    pause = retry_pause(user, module_slug, module, now)
    if pause is not None:
        raise Refused(pause_message(pause, now))
    shown = quiz.to_record(drawn(module, submission))
    asked = {str(n) for n, _order in shown}
    answers = {
        str(k): sorted({int(v) for v in (answers.get(k) or []) if str(v).isdigit()})
        for k in map(str, answers)
        if k in asked
    }
    percent, passed, _wrong = grade(module, answers, shown)
    attempt = QuizAttempt(
        user_id=user.id,
        module_slug=module_slug,
        version_id=version.id,
        submission=submission,
        answers=answers,
        shown=shown,
        percent=percent,
        passed=passed,
        language=translations.localized("module", version, language)[1],
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another request with the same token got there first (a double click).
        existing = db.session.scalar(select(QuizAttempt).where(QuizAttempt.submission == submission))
        if existing is None or existing.user_id != user.id:
            raise NotFound(submission) from None
        return existing, False
    return attempt, True


def pause_message(pause: RetryPause, now: datetime | None = None) -> str:
    titles = _(" or ").join(_("“%(title)s”", title=title) for _n, title in pause.pages[:3])
    minutes = pause.minutes_left(now)
    reread = ngettext(
        "re-read %(titles)s (the page your missed questions are about)",
        "re-read %(titles)s (the pages your missed questions are about)",
        len(pause.pages),
        titles=titles,
    )
    later = ngettext("come back in %(num)d minute", "come back in %(num)d minutes", minutes)
    message: str = _(
        "Two tries in a row missed the pass mark, so take a moment before the next one: %(reread)s, "
        "or %(later)s.",
        reread=reread,
        later=later,
    )
    return message


def own_quiz_attempt(user: User, attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise NotFound(attempt_id)
    if attempt.user_id != user.id:
        raise NotYours(attempt_id)
    return attempt


def quiz_module(attempt: QuizAttempt) -> Module:
    """The module as it was when this knowledge check was taken, in the language it was taken in."""
    # without its Markdown and compiled JSON: the value comes from the per-process cache by id
    version = db.session.get_one(ContentVersion, attempt.version_id, options=_LIGHT_VERSION)
    module: Module = translations.localized("module", version, attempt.language)[0]
    return module


def quiz_passed(user: User, module_slug: str) -> bool:
    """Has the trainee passed this module's check (any version)? Until then a result page
    shows what was wrong and why, not which answers are right."""
    return db.session.scalar(_A_PASS, {"user_id": user.id, "slug": module_slug}) is not None


def quiz_history(user: User, module_slug: str, limit: int = 5) -> Sequence[QuizAttempt]:
    """The trainee's latest tries of the module's check, newest first (the module page shows
    five: no more are read, however many were taken)."""
    return db.session.scalars(_HISTORY, {"user_id": user.id, "slug": module_slug, "limit": limit}).all()
