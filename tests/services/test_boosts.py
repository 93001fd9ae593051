"""Boosts: the FSRS memory of each item with fixed dates (no sleeping: every call takes `now`),
the fold of checks and role-play steps into items, idempotent boost answers, version pinning."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.content import recall
from app.extensions import db
from app.models import BoostAnswer, BoostItem, QuizAttempt, User
from app.services import boosts, boosts_memory, boosts_met, boosts_shown, publishing
from app.services.learning import knowledge_checks, published, refusals, role_play_steps, role_plays
from tests.helpers import correct_answers, take_steps

T0 = datetime(2026, 12, 1, 9, 0)  # naive UTC, as stored
MODULE = "maturation-phases"


def fresh_item(**kw):
    return BoostItem(
        user_id=1,
        kind="question",
        slug="m",
        ref="r",
        answer_key="k",
        version_id=1,
        state=1,
        step=0,
        due=T0,
        reviews=0,
        boosts=0,
        **kw,
    )


def test_state_transitions_with_fixed_dates():
    item = fresh_item()
    boosts_memory.review(item, recall.GOOD, T0)
    assert (item.state, item.due, item.last_review, item.reviews) == (2, T0 + timedelta(days=2), T0, 1)
    boosts_memory.review(item, recall.GOOD, T0 + timedelta(days=2))
    assert item.due == T0 + timedelta(days=2 + 11)
    stable = item.stability
    # a lapse: wrong comes back within two days instead of in 46, with a much lower stability
    boosts_memory.review(item, recall.grade(False, item.last_rating), T0 + timedelta(days=13))
    assert (
        item.last_rating == recall.AGAIN
        and item.due == T0 + timedelta(days=15)
        and item.stability < stable / 4
    )
    # right straight after a wrong answer is Hard, and comes back sooner than a sure answer would
    assert recall.grade(True, item.last_rating) == recall.HARD
    hard, good = fresh_item(), fresh_item()
    for it in (hard, good):
        boosts_memory.review(it, recall.AGAIN, T0)
    boosts_memory.review(hard, recall.HARD, T0 + timedelta(days=1))
    boosts_memory.review(good, recall.GOOD, T0 + timedelta(days=1))
    assert hard.due < good.due
    # wrong the first time comes back sooner than right the first time
    wrong, right = fresh_item(), fresh_item()
    boosts_memory.review(wrong, recall.AGAIN, T0)
    boosts_memory.review(right, recall.GOOD, T0)
    assert wrong.due == T0 + timedelta(days=1) < right.due


def test_an_answer_folded_late_never_goes_back_in_time():
    item = fresh_item()
    boosts_memory.review(item, recall.GOOD, T0)
    boosts_memory.review(item, recall.GOOD, T0 - timedelta(hours=1))
    assert item.last_review == T0


def _check(person, wrong_positions=(), when=T0):
    """Submit the module's check with every drawn question right except those at
    `wrong_positions` (0-based, in the order asked), dated `when`."""
    user = db.session.get(User, person.id)
    version, module = published.published_module(MODULE)
    answers = correct_answers(module)
    token = knowledge_checks.new_submission_token()
    asked = knowledge_checks.drawn(module, token)
    for position in wrong_positions:
        n = asked[position].number
        answers[str(n)] = [i for i, a in enumerate(module.quiz[n - 1].answers, 1) if not a.correct][:1]
    attempt, _ = knowledge_checks.submit_quiz(user, MODULE, version, token, answers)
    db.session.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(created_at=when))
    db.session.commit()
    return user, module, attempt


def _items(person):
    return db.session.scalars(
        select(BoostItem).where(BoostItem.user_id == person.id).order_by(BoostItem.id)
    ).all()


def test_a_check_becomes_items_and_what_was_missed_comes_back_first(course, factory, ctx):
    person = factory.user()
    user, module, first = _check(person)
    # a second try the next day misses the first question asked
    user, module, second = _check(person, wrong_positions=[0], when=T0 + timedelta(days=1))
    asked = [n for n, _order in second.shown]
    assert boosts_met.refresh(user, T0 + timedelta(days=1)) > 0
    db.session.commit()
    assert boosts_met.refresh(user, T0 + timedelta(days=1)) == 0  # nothing new: nothing folded twice
    items = {i.ref: i for i in _items(person)}
    missed = items[recall.question_ref(module.quiz[asked[0] - 1])]
    assert missed.last_rating == recall.AGAIN and missed.due == T0 + timedelta(days=2)
    assert missed.reviews == 1 + (asked[0] in [n for n, _o in first.shown])
    others = [i for i in items.values() if i is not missed and i.last_review == T0 + timedelta(days=1)]
    assert others and all(i.last_rating == recall.GOOD and i.due > missed.due for i in others)
    # due counts follow the organisation's day: the missed one is due on day 2 from midnight
    assert boosts.due_count(user, T0 + timedelta(days=1, hours=2)) == 0
    only_first = [i for i in items.values() if i.last_review == T0]  # right on day 0: due day 2 too
    assert boosts.due_count(user, T0 + timedelta(days=2) - timedelta(hours=8)) == 1 + len(only_first)
    assert boosts.due_count(user, T0 + timedelta(days=1, hours=14)) == 0


def test_phase_reading_steps_become_items(course, factory, ctx):
    person = factory.user()
    user = db.session.get(User, person.id)
    attempt, _ = role_plays.start_attempt(user, "signals-at-the-trade-fair")
    db.session.commit()
    take_steps(user, attempt.id, [3, 3, 3])  # misreads Marc's phase (claims discovery)
    boosts_met.refresh(user, T0)
    phase_items = [i for i in _items(person) if i.kind == boosts_memory.PHASE]
    marc = next(i for i in phase_items if i.ref == "booth-marc")
    assert marc.phase == "latent" and marc.last_rating == recall.AGAIN
    shown = boosts_shown.show(marc)
    assert "Marc Dubreuil" in shown.situation and "Which phase" not in shown.situation
    assert ("latent", "Latent") in [
        (i, t.split()[0].rstrip(":")) for i, t in shown.phases
    ] or "latent" in dict(shown.phases)


def _due_item(person, now):
    user = db.session.get(User, person.id)
    boosts_met.refresh(user, now)
    shown, state = boosts.next_item(user, now)
    assert shown is not None
    return user, shown, state


def test_boost_answers_are_idempotent_and_empty_ones_write_nothing(course, factory, ctx):
    person = factory.user()
    _check(person)
    now = T0 + timedelta(days=3)
    user, shown, state = _due_item(person, now)
    assert state.position == 1 and ROUND_SIZE_OK(state)
    item = shown.item
    with pytest.raises(refusals.Refused):
        boosts.answer(user, item.id, 1, shown.version.id, [], now)
    with pytest.raises(refusals.Refused):
        boosts.answer(user, item.id, 1, shown.version.id, ["99"], now)
    assert db.session.scalar(select(func.count()).select_from(BoostAnswer)) == 0
    right = [str(n) for n in shown.right()]
    first, created = boosts.answer(user, item.id, 1, shown.version.id, right, now)
    db.session.commit()
    assert created and first.correct and first.rating == recall.GOOD
    again, created = boosts.answer(user, item.id, 1, shown.version.id, ["1"], now)  # replay, other answer
    assert not created and again.id == first.id and again.correct
    with pytest.raises(boosts.StaleAnswer):
        boosts.answer(user, item.id, 3, shown.version.id, right, now)
    assert db.session.scalar(select(func.count()).select_from(BoostAnswer)) == 1
    assert db.session.get(BoostItem, item.id).boosts == 1
    # another trainee cannot answer it
    other = db.session.get(User, factory.user().id)
    with pytest.raises(refusals.NotFound):
        boosts.answer(other, item.id, 2, shown.version.id, right, now)


def ROUND_SIZE_OK(state):
    return boosts.ROUND_MIN <= state.size <= boosts.ROUND


def test_a_wrong_boost_comes_back_tomorrow_and_the_round_ends(course, factory, ctx):
    person = factory.user()
    _check(person)
    now = T0 + timedelta(days=3)
    user = db.session.get(User, person.id)
    boosts_met.refresh(user, now)
    _shown, first = boosts.next_item(user, now)
    assert boosts.ROUND_MIN <= first.size <= boosts.ROUND
    for answered in range(1, first.size + 1):
        shown, state = boosts.next_item(user, now)
        assert (state.position, state.size) == (answered, first.size)
        wrong = [str(n) for n in shown.order if n not in shown.right()][:1]
        record, _ = boosts.answer(user, shown.item.id, shown.item.boosts + 1, shown.version.id, wrong, now)
        assert not record.correct and record.due_after == now + timedelta(days=1)
    after = boosts.today(user, now)
    assert after.done == answered and (after.done % boosts.ROUND == 0 or after.round_done)
    # tomorrow, what was missed is due again
    assert boosts.due_count(user, now + timedelta(days=1)) >= answered


def _republish_module(transform):
    version = publishing.published("module", MODULE)
    text = transform(version.source)
    assert text != version.source
    publishing.publish_text("module", text, version.path)
    db.session.commit()
    return publishing.published("module", MODULE)


def test_a_new_version_keeps_the_memory_unless_the_answer_changed(course, factory, ctx):
    person = factory.user()
    user, module, attempt = _check(person)
    boosts_met.refresh(user, T0)
    first_number = attempt.shown[0][0]
    question = module.quiz[first_number - 1]
    item = next(i for i in _items(person) if i.ref == recall.question_ref(question))
    old_version, stability = item.version_id, item.stability
    # new version 1: only a feedback sentence changes; the memory is kept
    feedback = question.answers[0].feedback.strip().splitlines()[0]
    v2 = _republish_module(lambda s: s.replace(feedback, feedback + " (Reworded.)", 1))
    shown = boosts_shown.show(item)
    assert shown.version.id == v2.id != old_version
    now = T0 + timedelta(days=3)
    boosts.answer(user, item.id, 1, v2.id, [str(n) for n in shown.right()], now)
    assert item.reviews == 2 and item.stability > stability and item.version_id == v2.id
    answer = db.session.scalar(select(BoostAnswer).where(BoostAnswer.item_id == item.id))
    assert answer.version_id == v2.id  # pinned to the version shown

    # new version 2: the right answer moves to another text; the memory starts again
    right = [a for a in question.answers if a.correct][0].text
    wrong = [a for a in question.answers if not a.correct][0].text

    def swap(source):
        lines = source.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("- [x] ") and line[6:].strip() == right.strip():
                lines[i] = "- [ ] " + line[6:]
            elif line.startswith("- [ ] ") and line[6:].strip() == wrong.strip():
                lines[i] = "- [x] " + line[6:]
        return "\n".join(lines) + "\n"

    v3 = _republish_module(swap)
    shown = boosts_shown.show(item)
    assert shown.version.id == v3.id and shown.answer_key != item.answer_key
    later = now + timedelta(days=11)
    boosts.answer(user, item.id, 2, v3.id, [str(n) for n in shown.right()], later)
    assert item.reviews == 1 and item.answer_key == shown.answer_key  # a fresh memory
    assert item.due == later + timedelta(days=2)
    # the form of an older version is still graded on that version (pinned)
    db.session.commit()


def test_the_fold_and_the_round_read_few_statements(course, factory, ctx, app):
    from sqlalchemy import event

    person = factory.user()
    for day in range(6):
        _check(person, when=T0 + timedelta(days=day))
    user = db.session.get(User, person.id)
    boosts_met.refresh(user, T0 + timedelta(days=6))
    db.session.commit()
    db.session.refresh(user)
    statements = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        boosts_met.refresh(user, T0 + timedelta(days=9))
        boosts.today(user, T0 + timedelta(days=9))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # the marks, the checks and steps since them, today's answers, the due count, items due soon
    assert len(statements) <= 6, statements


# --- signal-picking steps -------------------------------------------------------------------------

TRADE_FAIR = "signals-at-the-trade-fair"
TO_THE_PICK = [1, 2, 1, 2, 3, 2, 2]  # the scripted test's way to the discovery signals


def _pick_in_role_play(person, picks):
    """Play the trade fair to its signal-picking node and tick `picks` (1-based, source order)."""
    from app.content import engine
    from app.models import ScenarioAttempt

    user = db.session.get(User, person.id)
    attempt, _ = role_plays.start_attempt(user, TRADE_FAIR)
    db.session.commit()
    take_steps(user, attempt.id, TO_THE_PICK)
    attempt = db.session.get(ScenarioAttempt, attempt.id)
    scenario = role_plays.scenario_of(attempt)
    while engine.needs_continue(scenario, attempt.state):
        role_play_steps.take_step(user, attempt.id, attempt.step_count + 1, None)
        db.session.commit()
    assert attempt.current_node == "discovery-signals"
    role_play_steps.take_step(user, attempt.id, attempt.step_count + 1, items=[n - 1 for n in picks])
    db.session.commit()
    return user


def _signal_item(person):
    return next(i for i in _items(person) if i.kind == boosts_memory.SIGNALS)


def test_a_signal_pick_becomes_an_item_graded_as_the_role_play_grades_it(course, factory, ctx):
    person = factory.user()
    user = _pick_in_role_play(person, [1, 5])  # one signal of four, and a distractor: misread
    boosts_met.refresh(user, T0)
    item = _signal_item(person)
    assert (item.ref, item.phase, item.last_rating, item.reviews) == (
        "discovery-signals",
        "discovery",
        recall.AGAIN,
        1,
    )
    shown = boosts_shown.show(item)
    assert "Two months after the fair" in shown.situation and len(shown.picking) == 7
    assert sorted(i for i, _s in shown.picking) == list(range(7)) and shown.reading_title
    assert shown.right() == [0, 1, 2, 3]
    now = T0 + timedelta(days=1, hours=1)
    for empty in ([], ["99"], ["x"]):
        with pytest.raises(refusals.Refused):
            boosts.answer(user, item.id, 1, shown.version.id, empty, now)
    assert db.session.scalar(select(func.count()).select_from(BoostAnswer)) == 0
    # three signals of four and no distractor: the role-play rates it `good`, a right reading
    record, created = boosts.answer(user, item.id, 1, shown.version.id, ["0", "1", "2"], now)
    db.session.commit()
    assert created and record.correct and record.rating == recall.HARD  # right after wrong
    assert record.kind == "signals" and record.phase == "discovery" and record.given == [0, 1, 2]
    again, created = boosts.answer(user, item.id, 1, shown.version.id, ["4"], now)  # replay
    assert not created and again.id == record.id
    feedback = boosts_shown.signal_feedback(boosts.shown_for(record), record.given)
    assert [g.verdict for g in feedback.graded].count("missed") == 1
    assert feedback.reading.effects.rating == "good" and feedback.best.effects.rating == "best"
    # a distractor ticked is wrong again: Again, back tomorrow
    later = record.due_after + timedelta(hours=1)
    shown = boosts_shown.show(item)
    wrong, _ = boosts.answer(user, item.id, 2, shown.version.id, ["0", "1", "2", "3", "4"], later)
    assert not wrong.correct and wrong.rating == recall.AGAIN
    assert wrong.due_after == later + timedelta(days=1)


def test_a_new_scenario_version_keeps_a_signal_item_unless_its_right_signals_change(course, factory, ctx):
    person = factory.user()
    user = _pick_in_role_play(person, [1, 2, 3, 4])
    boosts_met.refresh(user, T0)
    item = _signal_item(person)
    assert item.last_rating == recall.GOOD
    key, stability = item.answer_key, item.stability

    def republish(transform):
        version = publishing.published("scenario", TRADE_FAIR)
        text = transform(version.source)
        assert text != version.source
        publishing.publish_text("scenario", text, version.path)
        db.session.commit()
        return publishing.published("scenario", TRADE_FAIR)

    # a distractor's feedback reworded: the same right signals, the memory is kept
    v2 = republish(lambda s: s.replace("Warm words, and welcome ones", "Warm words, welcome ones", 1))
    shown = boosts_shown.show(item)
    assert shown.version.id == v2.id and shown.answer_key == key
    now = T0 + timedelta(days=3)
    boosts.answer(user, item.id, 1, v2.id, [str(n) for n in shown.right()], now)
    assert item.reviews == 2 and item.stability > stability and item.version_id == v2.id
    # a distractor becomes a right signal: the memory starts again
    v3 = republish(
        lambda s: s.replace("in every meeting `signal: distractor`", "in every meeting `signal: right`", 1)
    )
    shown = boosts_shown.show(item)
    assert shown.version.id == v3.id and shown.answer_key != key and len(shown.right()) == 5
    later = now + timedelta(days=11)
    boosts.answer(user, item.id, 2, v3.id, [str(n) for n in shown.right()], later)
    assert item.reviews == 1 and item.answer_key == shown.answer_key


def test_signal_items_speak_french(course, factory, ctx):
    person = factory.user()
    user = _pick_in_role_play(person, [1, 5])
    boosts_met.refresh(user, T0)
    item = _signal_item(person)
    english, french = boosts_shown.show(item), boosts_shown.show(item, language="fr")
    assert french is not None and french.situation != english.situation
    assert [i for i, _s in french.picking] == [i for i, _s in english.picking]
    assert french.picking[0][1].text != english.picking[0][1].text
    assert french.answer_key == english.answer_key  # graded on the source


def test_signal_picks_recorded_before_are_folded_once(course, factory, ctx):
    """A rep whose phase-reading mark moved past their picks (folded before picks became items)
    still gets them, once."""
    from app.models import BoostMark

    person = factory.user()
    user = _pick_in_role_play(person, [1, 5])
    boosts_met.refresh(user, T0)
    db.session.execute(update(BoostMark).where(BoostMark.user_id == person.id).values(signal_mark=0))
    db.session.execute(delete_signal_items(person.id))
    db.session.commit()
    assert boosts_met.refresh_stale([person.id], T0) == 1
    assert _signal_item(person).reviews == 1
    assert boosts_met.refresh(user, T0) == 0


def delete_signal_items(user_id):
    from sqlalchemy import delete

    return delete(BoostItem).where(BoostItem.user_id == user_id, BoostItem.kind == "signals")
