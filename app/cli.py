"""Command line: flask users ..., flask demo, flask content lint|test|sync|graph, flask mail send,
flask reminders send. Commands commit through the job boundary (app/transaction.py): a
`unit_of_work()` around their writes, or app/jobs.py for the jobs committed step by step."""

import sys
from datetime import UTC, date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from app.transaction import unit_of_work

users_cli = AppGroup("users", help="Create and manage accounts.")
content_cli = AppGroup("content", help="Lint, play-test, graph and publish courses and scenarios.")
mail_cli = AppGroup("mail", help="Send the mails waiting in the outbox.")
reminders_cli = AppGroup("reminders", help="Due-date reminders and managers' digests.")


def register(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target):
    """Back up the database to a file (safe while the site runs)."""
    from app.services.backups import BackupError, backup

    try:
        backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {target}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source, yes):
    """Replace the database's content with a backup. Stop the app servers first."""
    from app.services.backups import BackupError, check_backup, restore

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    known = _known_migrations()
    try:
        revision = check_backup(uri, source, known)  # before any question or change
        if not yes:
            click.confirm("This replaces everything in the database with the backup. Continue?", abort=True)
        db.engine.dispose()
        restore(uri, source, known)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {source} (taken at migration {revision}). Run `flask db upgrade` next.")


def _known_migrations():
    from alembic.script import ScriptDirectory

    folder = Path(current_app.root_path).parent / "migrations"
    return {script.revision for script in ScriptDirectory(str(folder)).walk_revisions()}


def _moment(value):
    """--now: an ISO date-time (UTC when it names no zone) as the naive UTC the tables store."""
    from datetime import datetime

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            "use an ISO date-time, e.g. 2026-12-01T08:00 or 2026-12-01T08:00+01:00"
        ) from error
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@mail_cli.command("send")
@click.option("--now", default=None, help="ISO date-time to act as now (tests, catching up).")
def mail_send(now):
    """Send the queued mails that are due (safe to run on several hosts at once)."""
    from app import jobs
    from app.services import mail

    try:
        report = jobs.send_mail(now=_moment(now))
    except mail.MailNotConfigured as error:
        raise click.ClickException(f"{error} Set MAIL_SERVER (and MAIL_PORT...) to send them.") from error
    click.echo(str(report))
    for problem in report.errors[:5]:
        click.echo(f"  {problem}", err=True)


@reminders_cli.command("send")
@click.option("--now", default=None, help="ISO date-time to act as now (tests, catching up after an outage).")
def reminders_send(now):
    """Queue due-soon, overdue and digest messages (idempotent: run it every hour)."""
    from app import jobs

    report = jobs.send_reminders(now=_moment(now))
    click.echo(str(report))


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option(
    "--role",
    type=click.Choice(["trainee", "manager", "trainer", "admin"]),
    default="trainee",
    show_default=True,
)
@click.option("--team", "team_name", default=None, help="Team name (created if missing).")
@click.option("--hire-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.password_option()
def create_user(email, name, role, team_name, hire_date, password):
    """Create an account."""
    from app.services import accounts

    try:
        with unit_of_work():  # the team too, or neither
            team = _team_named(team_name) if team_name else None
            user = accounts.create_user(
                email, name, password, role=role, team=team, hire_date=hire_date.date() if hire_date else None
            )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} {user.email}.")


def _team_named(name, manager=None):
    from sqlalchemy import select

    from app.models import Team

    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name, manager=manager)
        db.session.add(team)
        db.session.flush()
    return team


DEMO_ACCOUNTS = [
    ("admin@example.com", "Alex Admin", "admin"),
    ("trainer@example.com", "Théo Trainer", "trainer"),
    ("manager@example.com", "Maya Manager", "manager"),
    ("trainee@example.com", "Tina Trainee", "trainee"),
    ("trainee2@example.com", "Tom Rookie", "trainee"),
    ("trainee3@example.com", "Inès Newhire", "trainee"),
]


@click.command("demo")
@click.option(
    "--activity",
    is_flag=True,
    help="Also record made-up learning (DEMO DATA: attempts played through the engine, a team assignment) "
    "for the demo trainees, so the manager's pages have something to show. Needs `flask content sync` first.",
)
@with_appcontext
def demo(activity=False):
    """Seed the demo accounts (development only). Running it twice is harmless."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Demo accounts are never created in production.")
    from app.services import accounts

    password = current_app.config["DEMO_PASSWORD"]
    created = []
    manager = None
    with unit_of_work():
        for email, name, role in DEMO_ACCOUNTS:
            user = accounts.find_user_by_email(email)
            if user is None:
                team = None
                if role == "trainee":
                    team = _team_named("Demo team", manager)
                user = accounts.create_user(
                    email,
                    name,
                    password,
                    role=role,
                    team=team,
                    hire_date=date.today() - timedelta(days=7) if role == "trainee" else None,
                    check_password=False,
                )
                created.append(email)
            if role == "manager":
                manager = user
                _team_named("Demo team", manager).manager = manager
    click.echo(f"Demo accounts (password: {password}){'' if created else ', already there'}:")
    for email, _name, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:8} {email}")
    if activity:
        from app.services.demo_activity import seed_demo_activity

        with unit_of_work():
            seed_demo_activity([e for e, _, r in DEMO_ACCOUNTS if r == "trainee"], echo=click.echo)


def _content_root(root):
    return root or current_app.config["CONTENT_ROOT"]


@content_cli.command("lint")
@click.option("--root", default=None, help="Content root holding courses/ and scenarios/.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.argument("paths", nargs=-1)
def content_lint(root, strict, paths):
    """Check courses and scenarios; PATH:LINE: CODE message per finding."""
    from app.content.commands import run_lint

    sys.exit(run_lint(_content_root(root), list(paths), strict=strict, out=sys.stdout))


@content_cli.command("test")
@click.option("--root", default=None)
@click.option("--random", "random_games", type=int, default=0, help="Also play N seeded random games.")
@click.option("--seed", type=int, default=1)
@click.argument("paths", nargs=-1)
def content_test(root, random_games, seed, paths):
    """Play every scenario: quicktest, randomtest, scripted tests and invariants."""
    from app.content.commands import run_test

    sys.exit(run_test(_content_root(root), list(paths), games=random_games, seed=seed, out=sys.stdout))


@content_cli.command("graph")
@click.option("--root", default=None)
@click.argument("scenario_id")
def content_graph(root, scenario_id):
    """Print a scenario's graph as Mermaid text."""
    from app.content.commands import run_graph

    sys.exit(run_graph(_content_root(root), scenario_id, out=sys.stdout))


@content_cli.command("sync")
@click.option("--root", default=None)
@click.option(
    "--force",
    is_flag=True,
    help="Publish the files even over versions published in the studio (they stay in the history).",
)
@click.argument("paths", nargs=-1)
def content_sync(root, paths, force):
    """Publish changed files as new versions; unchanged files are skipped, files with errors refused,
    and a file is not published over a studio version unless it changed since its last sync."""
    from app.services.publishing import sync_files

    with unit_of_work():
        report = sync_files(_content_root(root), list(paths), echo=click.echo, force=force)
    kept = f", {len(report.kept)} kept from the studio" if report.kept else ""
    click.echo(f"{report.published} published, {report.unchanged} unchanged{kept}, {report.refused} refused.")
    sys.exit(1 if report.refused else 0)
