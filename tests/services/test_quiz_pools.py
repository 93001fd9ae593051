"""Knowledge checks drawn from a pool: the draw is recorded with the order shown, a replayed
submission writes nothing, and two failed tries in a row pause the next one until the trainee
re-reads a page the missed questions are about, or waits."""

from datetime import timedelta

from sqlalchemy import func, select

from app.content import quiz
from app.extensions import db
from app.models import QuizAttempt
from app.models.base import utcnow
from app.services.learning import knowledge_checks, lessons, published, refusals
from tests.helpers import correct_answers, user_row

SLUG = "crm-data-that-matters"


def _wrong(module):
    return {k: [1] if v != [1] else [2] for k, v in correct_answers(module).items()}


def _attempts():
    return db.session.scalar(select(func.count()).select_from(QuizAttempt))


def test_the_attempt_records_the_questions_drawn_and_the_order_shown(app, course, factory, ctx):
    user = user_row(factory.user())
    version, module = published.published_module(SLUG)
    token = knowledge_checks.new_submission_token()
    asked = knowledge_checks.drawn(module, token)
    assert len(asked) == quiz.draw_count(module) < len(module.quiz)  # a pool, not the whole list
    assert knowledge_checks.drawn(module, token) == asked  # same token, same draw
    attempt, created = knowledge_checks.submit_quiz(user, SLUG, version, token, correct_answers(module))
    db.session.commit()
    assert created and attempt.passed and attempt.percent == 100
    assert attempt.shown == [[a.number, list(a.order)] for a in asked]
    assert set(attempt.answers) == {str(a.number) for a in asked}  # only what was asked is kept
    # a double submit finds the first record, whatever it carries
    again, created = knowledge_checks.submit_quiz(user, SLUG, version, token, _wrong(module))
    assert not created and again.id == attempt.id and _attempts() == 1
    _p, _ok, results = knowledge_checks.grade(module, attempt.answers, attempt.shown)
    assert [r.order for r in results] == [a.order for a in asked]


def test_answers_are_shuffled_across_attempts(app, course, ctx):
    _version, module = published.published_module(SLUG)
    orders = {
        a.order
        for _ in range(40)
        for a in knowledge_checks.drawn(module, knowledge_checks.new_submission_token())
    }
    assert any(order != tuple(sorted(order)) for order in orders)
    firsts = {
        a.order[0]
        for _ in range(40)
        for a in knowledge_checks.drawn(module, knowledge_checks.new_submission_token())
    }
    assert len(firsts) >= 3


def test_two_failed_tries_pause_the_next_until_a_reread_or_a_wait(app, course, factory, ctx):
    user = user_row(factory.user())
    version, module = published.published_module(SLUG)
    for _ in range(2):
        knowledge_checks.submit_quiz(
            user, SLUG, version, knowledge_checks.new_submission_token(), _wrong(module)
        )
        db.session.commit()
    pause = knowledge_checks.retry_pause(user, SLUG, module)
    assert pause is not None and pause.pages
    message = knowledge_checks.pause_message(pause)
    assert "re-read" in message and pause.pages[0][1] in message and "minutes" in message
    try:
        knowledge_checks.submit_quiz(
            user, SLUG, version, knowledge_checks.new_submission_token(), correct_answers(module)
        )
        raise AssertionError("a third try went through during the pause")
    except refusals.Refused as refusal:
        assert "re-read" in str(refusal)
    db.session.rollback()
    assert _attempts() == 2
    # the wait is over: the next try is open again
    assert (
        knowledge_checks.retry_pause(
            user, SLUG, module, now=utcnow() + knowledge_checks.RETRY_WAIT + timedelta(seconds=1)
        )
        is None
    )
    # or, now: re-reading a page the missed questions are about opens it
    lessons.record_page_view(user, version, pause.pages[0][0])
    db.session.commit()
    assert knowledge_checks.retry_pause(user, SLUG, module) is None
    attempt, created = knowledge_checks.submit_quiz(
        user, SLUG, version, knowledge_checks.new_submission_token(), correct_answers(module)
    )
    db.session.commit()
    assert created and attempt.passed


def test_one_failed_try_does_not_pause(app, course, factory, ctx):
    user = user_row(factory.user())
    version, module = published.published_module(SLUG)
    knowledge_checks.submit_quiz(user, SLUG, version, knowledge_checks.new_submission_token(), _wrong(module))
    db.session.commit()
    assert knowledge_checks.retry_pause(user, SLUG, module) is None


def test_the_pages_to_reread_are_those_the_missed_questions_name(app, course, factory, ctx):
    user = user_row(factory.user())
    version, module = published.published_module(SLUG)
    token = knowledge_checks.new_submission_token()
    asked = knowledge_checks.drawn(module, token)
    answers = correct_answers(module)
    missed = asked[0].number
    answers[str(missed)] = [i for i in range(1, 5) if i not in answers[str(missed)]][:1]
    attempt, _ = knowledge_checks.submit_quiz(user, SLUG, version, token, answers)
    db.session.commit()
    page = module.quiz[missed - 1].page
    assert page and knowledge_checks.pages_to_reread(module, attempt) == [
        (page, module.pages[page - 1].title)
    ]
