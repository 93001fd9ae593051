"""Today's boost through the site: the dashboard's card, an answer posted twice (double click,
replay, second tab), an empty answer refused beside the question with nothing written, and
nobody else's items or answers."""

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import BoostAnswer, BoostItem, QuizAttempt, User
from app.models.base import utcnow
from app.services import boosts, boosts_memory, boosts_met, boosts_shown
from app.services.learning import knowledge_checks, published, role_play_steps, role_plays
from tests.helpers import correct_answers, login, publish_course

MODULE = "maturation-phases"


def met_a_check(app, person, days_ago=3):
    """The trainee passed the module's check `days_ago` days ago: its questions are due now."""
    with app.app_context():
        user = db.session.get(User, person.id)
        version, module = published.published_module(MODULE)
        attempt, _ = knowledge_checks.submit_quiz(
            user, MODULE, version, knowledge_checks.new_submission_token(), correct_answers(module)
        )
        db.session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(created_at=utcnow() - timedelta(days=days_ago))
        )
        db.session.commit()


def _form(page):
    item = re.search(r'data-boost-item="(\d+)"', page).group(1)
    seq = re.search(r'name="seq"[^>]*value="(\d+)"', page).group(1)
    version = re.search(r'name="version_id"[^>]*value="([^"]+)"', page).group(1)
    return int(item), seq, version


def _right(app, item_id):
    with app.app_context():
        return [str(v) for v in boosts_shown.show(db.session.get(BoostItem, item_id)).right()]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_dashboard_card_and_an_idempotent_answer(app, client, factory):
    publish_course(app)
    person = factory.user()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    assert "data-boost-due" not in page  # nothing met yet: no boost
    met_a_check(app, person)
    page = client.get("/learn/").get_data(as_text=True)
    due = int(re.search(r'data-boost-due="(\d+)"', page).group(1))
    assert due > 0 and "Start today's boost" in page

    page = client.get("/learn/boost").get_data(as_text=True)
    item, seq, version = _form(page)
    # empty: the message beside the question, nothing written
    empty = client.post(f"/learn/boost/items/{item}", data={"seq": seq, "version_id": version})
    assert empty.status_code == 422
    assert 'class="error" id="boost-error"' in empty.get_data(as_text=True)
    assert _count(app, BoostAnswer) == 0

    data = {"seq": seq, "version_id": version, "answer": _right(app, item)}
    first = client.post(f"/learn/boost/items/{item}", data=data)
    assert first.status_code == 303
    again = client.post(f"/learn/boost/items/{item}", data={**data, "answer": ["1", "2"]})  # double click
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert _count(app, BoostAnswer) == 1
    feedback = client.get(first.headers["Location"]).get_data(as_text=True)
    # right twice, three days apart: the memory holds for longer (FSRS: about eleven days)
    assert 'data-boost-answer="right"' in feedback and re.search(r"again in (9|1\d) days", feedback)
    # a form from two answers ahead (a tampered seq): nothing written, back to the boost
    stale = client.post(f"/learn/boost/items/{item}", data={**data, "seq": "5"})
    assert stale.status_code == 303 and stale.headers["Location"].endswith("/learn/boost")
    assert _count(app, BoostAnswer) == 1

    # the next item is another one, and the dashboard counts one fewer due
    item2, seq2, _v = _form(client.get("/learn/boost").get_data(as_text=True))
    assert item2 != item and seq2 == "1"
    page = client.get("/learn/").get_data(as_text=True)
    assert int(re.search(r'data-boost-due="(\d+)"', page).group(1)) == due - 1


def test_a_wrong_answer_and_a_forged_version(app, client, factory):
    publish_course(app)
    person = factory.user()
    met_a_check(app, person)
    login(client, person.email)
    item, seq, _version = _form(client.get("/learn/boost").get_data(as_text=True))
    right = _right(app, item)
    with app.app_context():
        shown = boosts_shown.show(db.session.get(BoostItem, item))
        wrong = [str(n) for n in shown.order if str(n) not in right][:1]
    # a version id not sealed for this form is not believed: graded on the published version
    response = client.post(
        f"/learn/boost/items/{item}", data={"seq": seq, "version_id": "1.forged", "answer": wrong}
    )
    assert response.status_code == 303
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-boost-answer="wrong"' in feedback and "comes back tomorrow" in feedback
    with app.app_context():
        record = db.session.scalar(select(BoostAnswer))
        assert not record.correct and record.version_id == shown.version.id


def test_nobody_elses_items_or_answers(app, client, factory):
    publish_course(app)
    owner = factory.user()
    met_a_check(app, owner)
    login(client, owner.email)
    item, seq, version = _form(client.get("/learn/boost").get_data(as_text=True))
    done = client.post(
        f"/learn/boost/items/{item}", data={"seq": seq, "version_id": version, "answer": _right(app, item)}
    )
    client.post("/logout", data={})
    other = factory.user()
    login(client, other.email)
    assert client.post(f"/learn/boost/items/{item}", data={"seq": "2", "answer": ["1"]}).status_code == 404
    assert client.get(done.headers["Location"]).status_code == 404
    assert client.get("/learn/boost").status_code == 200  # "Nothing to boost today"
    assert _count(app, BoostAnswer) == 1


def test_a_french_reader_gets_the_item_in_french(app, client, factory):
    publish_course(app)
    person = factory.user()
    met_a_check(app, person)
    with app.app_context():
        db.session.get(User, person.id).language = "fr"
        db.session.commit()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    assert "Le rappel du jour" in page and "data-boost-due" in page
    page = client.get("/learn/boost").get_data(as_text=True)
    item, seq, version = _form(page)
    with app.app_context():
        from app.services import translations

        shown = boosts_shown.show(db.session.get(BoostItem, item))
        french, language = translations.localized("module", shown.version, "fr")
    assert language == "fr"
    question = french.quiz[shown.number - 1]
    from app.content.render import render_inline

    assert render_inline(question.text) in page and question.text != shown.question.text
    # graded on the source's numbers: the same right answer whatever the language
    answered = client.post(
        f"/learn/boost/items/{item}", data={"seq": seq, "version_id": version, "answer": _right(app, item)}
    )
    assert 'data-boost-answer="right"' in client.get(answered.headers["Location"]).get_data(as_text=True)


def test_the_manager_sees_who_keeps_boosts_up_and_the_phases_kept(app, client, factory):
    from app.services import demo_activity

    publish_course(app)
    manager = factory.user(role="manager")
    team = factory.team(manager=manager)
    keen, idle = factory.user(team=team, name="Keen Rep"), factory.user(team=team, name="Idle Rep")
    for person in (keen, idle):
        met_a_check(app, person)
    with app.app_context():
        # the keen rep read the trade fair's phases a week ago, and answers every due boost now
        demo_activity.record_play(keen.id, "signals-at-the-trade-fair", when=utcnow() - timedelta(days=7))
        db.session.commit()
        user = db.session.get(User, keen.id)
        boosts_met.refresh(user)
        phases = 0
        while True:
            shown, _state = boosts.next_item(user)
            if shown is None:
                break
            boosts.answer(
                user, shown.item.id, shown.item.boosts + 1, shown.version.id, [str(v) for v in shown.right()]
            )
            phases += shown.item.kind == boosts_memory.PHASE
        boosts_met.refresh(db.session.get(User, idle.id))
        db.session.commit()
    assert phases, "the round had no phase-reading item"
    login(client, manager.email)
    page = client.get("/manage/").get_data(as_text=True)
    keen_row = re.search(
        rf'data-boost-trainee="{keen.id}" data-boost-due="(\d+)" data-boost-week="(\d+)"', page
    )
    idle_row = re.search(
        rf'data-boost-trainee="{idle.id}" data-boost-due="(\d+)" data-boost-week="(\d+)"', page
    )
    assert int(keen_row.group(2)) >= 3 and int(idle_row.group(1)) > 0 and idle_row.group(2) == "0"
    assert "Falling behind" in page and "Up to date" in page  # the keen rep answered every due item
    trainee_page = client.get(f"/manage/trainees/{idle.id}").get_data(as_text=True)
    assert re.search(r'data-boost-due="[1-9]\d*" data-boost-week="0"', trainee_page)
    analytics = client.get("/manage/analytics").get_data(as_text=True)
    assert 'aria-labelledby="retention-h"' in analytics and "<svg" in analytics
    assert "Phases read right in boosts, week by week" in analytics


def test_boost_mails_can_be_turned_off_from_the_account_page(app, client, factory):
    person = factory.user()
    login(client, person.email)
    account = client.get("/account").get_data(as_text=True)
    assert "data-mail-preferences" in account and 'href="/notifications/preferences"' in account
    preferences = client.get("/notifications/preferences").get_data(as_text=True)
    assert (
        'data-kind="boosts-due"' in preferences and "Today&#39;s boost, when things I learnt" in preferences
    )


def _picked_in_role_play(app, person, picks):
    """The trainee played the trade fair to its signal-picking node and ticked `picks` (0-based);
    it is due now and every other item a month away, so the signal item is today's."""
    from app.content import engine
    from app.models import ScenarioAttempt
    from tests.helpers import take_steps

    with app.app_context():
        user = db.session.get(User, person.id)
        attempt, _ = role_plays.start_attempt(user, "signals-at-the-trade-fair")
        db.session.commit()
        take_steps(user, attempt.id, [1, 2, 1, 2, 3, 2, 2])
        attempt = db.session.get(ScenarioAttempt, attempt.id)
        while engine.needs_continue(role_plays.scenario_of(attempt), attempt.state):
            role_play_steps.take_step(user, attempt.id, attempt.step_count + 1, None)
        role_play_steps.take_step(user, attempt.id, attempt.step_count + 1, items=picks)
        db.session.commit()
        boosts_met.refresh(user)
        db.session.execute(
            update(BoostItem)
            .where(BoostItem.user_id == person.id, BoostItem.kind != boosts_memory.SIGNALS)
            .values(due=utcnow() + timedelta(days=30))
        )
        db.session.execute(
            update(BoostItem)
            .where(BoostItem.user_id == person.id, BoostItem.kind == boosts_memory.SIGNALS)
            .values(due=utcnow() - timedelta(hours=1))
        )
        db.session.commit()


def test_a_signal_item_through_the_site_in_french(app, client, factory):
    publish_course(app)
    person = factory.user()
    _picked_in_role_play(app, person, [0, 4])
    with app.app_context():
        db.session.get(User, person.id).language = "fr"
        db.session.commit()
    login(client, person.email)
    page = client.get("/learn/boost").get_data(as_text=True)
    assert 'data-boost-kind="signals"' in page and "Lesquelles de ces observations" in page
    assert page.count('name="answer"') == 7
    item, seq, version = _form(page)
    empty = client.post(f"/learn/boost/items/{item}", data={"seq": seq, "version_id": version})
    assert empty.status_code == 422 and "Cochez au moins une observation" in empty.get_data(as_text=True)
    assert _count(app, BoostAnswer) == 0
    data = {"seq": seq, "version_id": version, "answer": ["0", "4"]}
    first = client.post(f"/learn/boost/items/{item}", data=data)
    again = client.post(f"/learn/boost/items/{item}", data={**data, "answer": _right(app, item)})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] and _count(app, BoostAnswer) == 1
    feedback = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'data-boost-answer="wrong"' in feedback and "data-signal-verdicts" in feedback
    assert feedback.count('data-verdict="missed"') == 3 and feedback.count('data-verdict="mistaken"') == 1
    assert "data-best-reading" in feedback and "observation par observation" in feedback
