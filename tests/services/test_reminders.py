"""Events and reminders reach people: a notification in the site and a mail (unless turned off)
for new work, a coaching comment, work due soon or late, a stage completed, a manager's notice
and weekly digest; `flask reminders send` is idempotent, also when two run at once."""

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from app import jobs
from app.extensions import db
from app.models import OutboxMessage, User
from app.services import comments, notifications, progress, publishing
from app.services.assignments import assigning
from tests.helpers import at, complete_module, play, run_reminders, told, worst

DUE = date(2026, 12, 10)
MODULE = "maturation-phases"


def _assign(app, manager, team_id, due=DUE, target=("module", MODULE)):
    with app.app_context():
        assigning.assign(db.session.get(User, manager.id), *target, team_id=team_id, due_date=due)
        db.session.commit()


def test_new_work_tells_each_trainee_once_with_the_due_date(mail_app, team, smtp_server):
    manager, team_id, (tom, ines) = team
    _assign(mail_app, manager, team_id)
    _assign(mail_app, manager, team_id, due=DUE + timedelta(days=3))  # a changed date: no new message
    notes, mails = told(mail_app, "assignment")
    assert sorted(u for u, _, _ in notes) == sorted(u for u, _, _ in mails) == sorted([tom.id, ines.id])
    with mail_app.app_context():
        assert db.session.get(User, tom.id).unread_notifications == 1
        jobs.send_mail()
    message = smtp_server.to(tom.email)[0]
    text = smtp_server.text(message)
    assert (
        f"Hello {tom.name}," in text and "10 Dec 2026" in text and "/learn/modules/maturation-phases" in text
    )
    assert "/mail/unsubscribe/" in text and message["List-Unsubscribe"]


def test_a_coaching_comment_tells_the_trainee_with_a_link_to_the_debrief(mail_app, team, smtp_server):
    manager, _, (tom, _) = team
    attempt_id = play(mail_app, tom.id, "claire-wants-fifteen-percent")
    with mail_app.app_context():
        comments.add(db.session.get(User, manager.id), attempt_id, "Good <b>reading</b> of the signals.")
        comments.add(
            db.session.get(User, manager.id), attempt_id, "Good <b>reading</b> of the signals."
        )  # twice
        db.session.commit()
        jobs.send_mail()
    [note], [_] = told(mail_app, "comment")
    [message] = smtp_server.to(tom.email)
    assert f"/learn/attempts/{attempt_id}" in smtp_server.text(message)
    assert "Good &lt;b&gt;reading&lt;/b&gt;" in smtp_server.html(message)
    assert "Good <b>reading</b> of the signals." in smtp_server.text(message)


def test_due_soon_then_late_weekly_three_times_and_the_managers_notices(mail_app, team):
    manager, team_id, (tom, ines) = team
    _assign(mail_app, manager, team_id)
    complete_module(mail_app, ines.id, MODULE)  # Ines is done: never reminded
    for day in (
        DUE - timedelta(days=3),
        DUE - timedelta(days=2),
        DUE - timedelta(days=1),
        DUE + timedelta(days=1),
        DUE + timedelta(days=3),
        DUE + timedelta(days=8),
        DUE + timedelta(days=15),
        DUE + timedelta(days=22),
        DUE + timedelta(days=29),
    ):
        run_reminders(mail_app, day)
        run_reminders(mail_app, day)  # twice: nothing twice
    soon, soon_mails = told(mail_app, "due-soon")
    late, late_mails = told(mail_app, "overdue")
    assert [u for u, _, _ in soon] == [tom.id] and len(soon_mails) == 1
    assert [k.rsplit(":", 1)[1] for u, _, k in late] == ["1", "2", "3"] and {u for u, _, _ in late} == {
        tom.id
    }
    fell, _ = told(mail_app, "fell-due")
    assert [u for u, _, _ in fell] == [manager.id]
    digests, digest_mails = told(mail_app, "team-digest")
    weeks = {k for _, _, k in digests}
    assert len(digests) == len(weeks) == len(digest_mails) >= 5 and {u for u, _, _ in digests} == {manager.id}


def test_a_kind_turned_off_still_shows_in_the_site(mail_app, team):
    manager, team_id, (tom, _) = team
    with mail_app.app_context():
        notifications.set_mail(db.session.get(User, tom.id), "due-soon", False)
        db.session.commit()
    _assign(mail_app, manager, team_id)
    run_reminders(mail_app, DUE - timedelta(days=1))
    notes, mails = told(mail_app, "due-soon")
    assert tom.id in [u for u, _, _ in notes] and tom.id not in [u for u, _, _ in mails]


def test_two_reminder_runs_at_once_tell_everyone_once(mail_app, team):
    manager, team_id, _ = team
    _assign(mail_app, manager, team_id)
    barrier, errors = threading.Barrier(2), []

    def run():
        with mail_app.app_context():
            barrier.wait()
            try:
                jobs.send_reminders(now=at(DUE + timedelta(days=1)))
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    notes, mails = told(mail_app)
    assert len(notes) == len(set(notes)) and len(mails) == len(set(mails))
    assert len(told(mail_app, "overdue")[0]) == 2 and len(told(mail_app, "fell-due")[0]) == 1


def test_a_completed_stage_is_told_once(mail_app, team):
    manager, team_id, (tom, _) = team
    with mail_app.app_context():
        stage = min(
            (s for s in progress.progress_of(tom.id, publishing.course_id()).stages if s.modules),
            key=lambda s: len(s.modules),
        )
        modules = [m.id for m in stage.modules]
    for module in modules:
        complete_module(mail_app, tom.id, module)
    run_reminders(mail_app, DUE)
    run_reminders(mail_app, DUE + timedelta(days=1))
    notes, mails = told(mail_app, "stage-completed")
    assert [(u, k.rsplit(":", 1)[1]) for u, _, k in notes] == [(tom.id, stage.id)] and len(mails) == 1


def test_every_kind_arrives_by_smtp_with_the_name_a_link_and_a_way_out(mail_app, team, smtp_server):
    manager, team_id, (tom, _) = team
    _assign(mail_app, manager, team_id)
    attempt_id = play(mail_app, tom.id, "claire-wants-fifteen-percent")
    with mail_app.app_context():
        comments.add(db.session.get(User, manager.id), attempt_id, "Well read.")
        db.session.commit()
    for day in (DUE - timedelta(days=1), DUE + timedelta(days=1)):
        run_reminders(mail_app, day)
    with mail_app.app_context():
        jobs.send_mail()
        kinds = set(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.status == "sent")))
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
            )
            == 0
        )
    assert {"assignment", "comment", "due-soon", "overdue", "fell-due", "team-digest"} <= kinds
    for message in smtp_server.messages:
        text, html = smtp_server.text(message), smtp_server.html(message)
        name = message["To"].addresses[0].display_name
        assert f"Hello {name}," in text and f"Hello {name}," in html
        assert "http://petitspas.test/" in text and "/mail/unsubscribe/" in html and "<img" not in html


def test_flask_reminders_send_takes_now_and_says_what_it_did(mail_app, team):
    manager, team_id, _ = team
    _assign(mail_app, manager, team_id)
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send", "--now", "2026-12-11T08:00"])
    assert first.exit_code == 0 and "2 overdue" in first.output and "1 fell-due" in first.output
    again = runner.invoke(args=["reminders", "send", "--now", "2026-12-11T09:00"])
    assert again.exit_code == 0 and "Nothing new" in again.output
    bad = runner.invoke(args=["reminders", "send", "--now", "tomorrow"])
    assert bad.exit_code != 0 and "ISO date-time" in bad.output


def test_the_digest_names_late_people_and_the_weeks_wrong_choices(mail_app, team):
    manager, team_id, (tom, ines) = team
    _assign(mail_app, manager, team_id, due=DUE - timedelta(days=3))
    play(mail_app, ines.id, "claire-wants-fifteen-percent", pick=worst, when=at(DUE - timedelta(days=2)))
    run_reminders(mail_app, DUE)
    run_reminders(mail_app, DUE + timedelta(days=14))  # two weeks on: nothing played since
    with mail_app.app_context():
        this_week, later = db.session.scalars(
            select(OutboxMessage.text_body)
            .where(OutboxMessage.kind == "team-digest")
            .order_by(OutboxMessage.id)
        ).all()
    assert f"- {tom.name}: " in this_week.split("Not started")[0]
    assert f"/manage/trainees/{tom.id}" in this_week
    wrong_part = this_week.split("Wrong choices most taken this week:")[1]
    assert "- none this week" not in wrong_part.split("Your team")[0]
    assert later.split("Wrong choices most taken this week:")[1].startswith("\n- none this week")


def test_due_boosts_are_mentioned_at_most_once_a_day_and_can_be_turned_off(mail_app, team, smtp_server):
    from tests.helpers import study

    _manager, _team_id, (tom, ines) = team
    study(mail_app, tom.id, MODULE, quiz_percent=100)  # questions met today: due in a few days
    day = DUE
    run_reminders(mail_app, day)
    run_reminders(mail_app, day)  # twice the same day
    with mail_app.app_context():
        jobs.send_reminders(now=at(day, 17))
    notes, mails = told(mail_app, "boosts-due")
    assert notes == mails == [(tom.id, "boosts-due", f"boosts:{day.isoformat()}")]
    with mail_app.app_context():
        jobs.send_mail()
    [message] = [m for m in smtp_server.to(tom.email) if "boost" in m["Subject"]]
    assert "things you learnt to refresh" in message["Subject"] and "/learn/boost" in smtp_server.text(
        message
    )
    # turned off: the site still tells, no mail
    with mail_app.app_context():
        notifications.set_mail(db.session.get(User, tom.id), "boosts-due", False)
        db.session.commit()
    run_reminders(mail_app, day + timedelta(days=1))
    notes, mails = told(mail_app, "boosts-due")
    assert len(notes) == 2 and len(mails) == 1
    # a day the rep has already done a boost, nothing is said
    from app.services import boosts

    with mail_app.app_context():
        user = db.session.get(User, tom.id)
        later = at(day + timedelta(days=2))
        shown, _state = boosts.next_item(user, later)
        boosts.answer(user, shown.item.id, 1, shown.version.id, [str(v) for v in shown.right()], later)
        db.session.commit()
        jobs.send_reminders(now=later + timedelta(hours=1))
    assert len(told(mail_app, "boosts-due")[0]) == 2
