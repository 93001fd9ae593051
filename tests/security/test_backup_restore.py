"""An operator can back up the database and restore it: what was there comes back."""

import shutil

import pytest

from app.extensions import db
from app.models import User


def test_backup_then_restore_brings_records_back(app, runner, factory, tmp_path):
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    kept = factory.user(email="kept@example.com")
    target = tmp_path / "petitspas.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    factory.user(email="after-backup@example.com")
    with app.app_context():
        db.session.query(User).filter_by(email="kept@example.com").delete()
        db.session.commit()
        db.engine.dispose()

    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        emails = {u.email for u in db.session.query(User)}
    assert kept.email in emails
    assert "after-backup@example.com" not in emails


def _database_file_of(app):
    from sqlalchemy.engine import make_url

    with app.app_context():
        return make_url(app.config["SQLALCHEMY_DATABASE_URI"]), db.engine.dialect.name


@pytest.mark.parametrize(
    "content", [b"", b"not a backup at all\n" * 50, b"SQLite format 3\x00" + b"\x00" * 100, b"PGDMP garbage"]
)
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(app, runner, factory, tmp_path, content):
    """`flask restore --yes empty.db` reported success and left a database with no tables."""
    kept = factory.user(email="kept@example.com")
    bogus = tmp_path / "empty.db"
    bogus.write_bytes(content)
    result = runner.invoke(args=["restore", "--yes", str(bogus)])
    assert result.exit_code == 1, result.output
    assert "Nothing was changed" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with app.app_context():
        db.engine.dispose()
        assert {u.email for u in db.session.query(User)} == {kept.email}


def test_an_empty_database_of_the_right_kind_is_not_a_backup(app, runner, factory, tmp_path):
    url, dialect = _database_file_of(app)
    if dialect != "sqlite":
        pytest.skip("an empty SQLite file is the SQLite case; PostgreSQL's is the garbage dump above")
    import sqlite3

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE users (id INTEGER)").connection.commit()
    factory.user(email="kept@example.com")
    result = runner.invoke(args=["restore", "--yes", str(empty)])
    assert result.exit_code == 1 and "not a backup of Petits Pas" in result.output, result.output


def test_a_backup_from_an_unknown_migration_is_refused(app, runner, factory, tmp_path):
    url, dialect = _database_file_of(app)
    if dialect != "sqlite":
        pytest.skip("the version row is edited in a SQLite copy")
    import sqlite3

    factory.user(email="kept@example.com")
    target = tmp_path / "future.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    conn = sqlite3.connect(target)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 1 and "does not know" in result.output, result.output


def test_a_backup_into_a_missing_folder_is_a_clear_error(app, runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "x.backup")])
    assert result.exit_code == 1 and "does not exist" in result.output, result.output
    assert "Traceback" not in result.output


def test_postgresql_tools_get_the_password_from_the_environment(monkeypatch, tmp_path):
    """Never on the command line, where `ps` shows it to every user of the host."""
    import subprocess

    from app.services import backups

    seen = []

    def fake_run(cmd, **kwargs):
        seen.append((cmd, kwargs.get("env") or {}))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    monkeypatch.setattr(backups.shutil, "which", lambda name: "/usr/bin/" + name)
    backups.backup(
        "postgresql+psycopg://ops:s3cr%40t@db.internal:5433/petitspas?sslmode=require", tmp_path / "x.dump"
    )
    ((cmd, env),) = seen
    assert not any("s3cr" in part for part in map(str, cmd)), cmd
    assert env["PGPASSWORD"] == "s3cr@t"
    assert "postgresql://ops@db.internal:5433/petitspas?sslmode=require" in cmd
