"""Services never commit: requests commit at the request boundary, jobs at the job boundary
(app/transaction.py), which commits each unit of work a job's service yields. What the units
were for still holds: a claim is committed before its message leaves, and a failure in one
team's reminders keeps the teams told before it."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import app as app_package
from app import jobs
from app.extensions import db
from app.models import Notification, OutboxMessage, User
from app.models.base import utcnow
from app.services import mail, reminders
from app.services.assignments import assigning
from app.transaction import run_job, unit_of_work
from tests.helpers import at, team_with_manager

SERVICES = Path(app_package.__file__).parent / "services"
# What ends a transaction. Savepoints (begin_nested) stay allowed: they undo a refused write
# and commit nothing.
ENDS_A_TRANSACTION = {"commit", "rollback", "begin"}
# Service modules allowed to end a transaction, each with the reason. None today.
EXCEPTIONS: dict[str, str] = {}


def _transaction_calls(source):
    return [
        f"line {node.lineno}: .{node.func.attr}()"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ENDS_A_TRANSACTION
    ]


def test_no_service_commits_or_rolls_back():
    modules = sorted(SERVICES.rglob("*.py"))
    assert len(modules) > 20  # the scan sees the services
    found = {
        str(path.relative_to(SERVICES)): calls
        for path in modules
        if (calls := _transaction_calls(path.read_text(encoding="utf-8")))
    }
    assert {name: calls for name, calls in found.items() if name not in EXCEPTIONS} == {}
    assert set(EXCEPTIONS) <= set(found), "an exception no longer needed: remove it"


def test_the_scan_finds_a_commit_however_it_is_spelt():
    source = "def f(s):\n    s.flush()\n    db.session.commit()\n    with db.engine.begin():\n        pass\n"
    assert _transaction_calls(source) == ["line 3: .commit()", "line 4: .begin()"]
    assert _transaction_calls("# commit() in a comment\nwith db.session.begin_nested():\n    pass\n") == []


def _names(app):
    with app.app_context():
        return db.session.scalars(select(User.name).where(User.name.like("Unit %")).order_by(User.id)).all()


def _add(name):
    db.session.add(User(email=f"{name.replace(' ', '').lower()}@example.com", name=name, password_hash="x"))
    db.session.flush()


def test_a_job_commits_each_unit_and_a_failure_rolls_back_only_its_own(app):
    def job():
        _add("Unit one")
        yield
        _add("Unit two")
        raise RuntimeError("the second unit fails")

    with app.app_context(), pytest.raises(RuntimeError):
        run_job(job())
    assert _names(app) == ["Unit one"]

    def finished():
        _add("Unit three")
        yield
        _add("Unit four")  # the last unit, committed when the job returns
        return "report"

    with app.app_context():
        assert run_job(finished()) == "report"
    assert _names(app) == ["Unit one", "Unit three", "Unit four"]


def test_a_unit_of_work_commits_or_leaves_nothing(app):
    with app.app_context():
        with unit_of_work():
            _add("Unit kept")
        with pytest.raises(ValueError), unit_of_work():
            _add("Unit refused")
            raise ValueError
    assert _names(app) == ["Unit kept"]


class _Crash(BaseException):
    """The sender's process dies (killed, host lost)."""


def test_a_claim_is_committed_before_the_message_leaves(mail_app, smtp_server, monkeypatch, factory):
    person = factory.user(email="cleo@example.com", name="Cleo")
    with mail_app.app_context():
        mail.queue(
            db.session.get(User, person.id), "password-reset", "k", "password_reset", "Reset", link="x"
        )
        db.session.commit()
    seen = []

    def dies_while_sending(postman, email):
        with db.engine.connect() as other:  # what another sender would see
            seen.append(other.execute(select(OutboxMessage.status, OutboxMessage.attempts)).one())
        raise _Crash

    monkeypatch.setattr(mail._Postman, "deliver", dies_while_sending)
    with mail_app.app_context(), pytest.raises(_Crash):
        jobs.send_mail()
    assert seen == [("sending", 1)]
    monkeypatch.undo()
    with mail_app.app_context():
        assert jobs.send_mail().sent == 0  # claimed: not sent again
        report = jobs.send_mail(now=utcnow() + mail.ABANDONED_AFTER + timedelta(minutes=1))
        assert report.sent == 0
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["failed"]
    assert smtp_server.messages == []


def test_a_failure_in_one_teams_reminders_keeps_the_teams_told_before(mail_app, factory, monkeypatch):
    from tests.helpers import publish_course

    publish_course(mail_app)
    teams = [team_with_manager(factory, trainees=1) for _ in range(2)]
    due = utcnow().date() + timedelta(days=1)
    with mail_app.app_context():
        for manager, team_id, _people in teams:
            assigning.assign(
                db.session.get(User, manager.id), "module", "maturation-phases", team_id=team_id, due_date=due
            )
        db.session.commit()
    failing_team = teams[1][1]
    real_digest = reminders._digest

    def digest(manager, team, *args):
        if team.id == failing_team:
            raise RuntimeError("this team's digest fails")
        real_digest(manager, team, *args)

    monkeypatch.setattr(reminders, "_digest", digest)
    with mail_app.app_context(), pytest.raises(RuntimeError):
        jobs.send_reminders(now=at(due))
    with mail_app.app_context():
        told = set(
            db.session.scalars(
                select(Notification.user_id).where(Notification.kind.in_(["due-soon", "team-digest"]))
            )
        )
    (first_manager, _, [first_rep]), (second_manager, _, [second_rep]) = teams
    assert {first_manager.id, first_rep.id} <= told
    assert not {second_manager.id, second_rep.id} & told


def test_a_refused_account_from_the_command_line_leaves_no_team_behind(app, runner, factory):
    from app.models import Team

    factory.user(email="taken@example.com")
    args = ["users", "create", "--email", "taken@example.com", "--name", "Taken", "--team", "Brand new team"]
    result = runner.invoke(args=[*args, "--password", "a long enough pass"])
    assert result.exit_code != 0 and "already exists" in result.output
    with app.app_context():
        assert db.session.scalar(select(Team.id).where(Team.name == "Brand new team")) is None
