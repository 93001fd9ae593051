"""Database backups an operator can run while the site serves: SQLite through its online
backup API (consistent under WAL), PostgreSQL through pg_dump's custom format.

A restore first proves that the file is a backup of this application (its tables, and a
migration this code knows) before it touches anything: `restore empty.db` used to report
success and leave a database with no tables. PostgreSQL tools get the password through the
environment (PGPASSWORD), never on a command line that `ps` shows to every user of the host."""

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Collection
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# Tables every backup of Petits Pas has had since its first migration.
REQUIRED_TABLES = frozenset({"alembic_version", "users", "teams", "content_versions"})


class BackupError(RuntimeError):
    pass


def _pg_command_line(url: URL) -> tuple[str, dict[str, str]]:
    """(libpq URL without the password, environment carrying it) for pg_dump and pg_restore."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(hide_password=False), env


def _writable_target(target: str | Path) -> None:
    folder = Path(target).resolve().parent
    if not folder.is_dir():
        raise BackupError(f"The folder {folder} does not exist; create it first or choose another.")
    if Path(target).is_dir():
        raise BackupError(f"{target} is a folder; give the name of the backup file to write.")


def backup(database_uri: str | URL, target: str | Path) -> str | Path:
    url = make_url(database_uri)
    _writable_target(target)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise BackupError("An in-memory database cannot be backed up.")
        source = sqlite3.connect(url.database)
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        except sqlite3.Error as error:
            raise BackupError(f"The backup could not be written to {target}: {error}.") from None
        finally:
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("pg_dump is not installed (Debian package postgresql-client).")
        address, env = _pg_command_line(url)
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), address],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode:
            raise BackupError(result.stderr.strip() or "pg_dump failed")
        return target
    raise BackupError(f"No backup method for {url.get_backend_name()}.")


def check_backup(database_uri: str | URL, source_file: str | Path, known_revisions: Collection[str]) -> str:
    """The migration a backup file was taken at, once it is shown to be a backup of this
    application for this kind of database; BackupError (with what is wrong) otherwise."""
    url = make_url(database_uri)
    path = Path(source_file)
    if not path.is_file():
        raise BackupError(f"{source_file} is not a file.")
    if url.get_backend_name() == "sqlite":
        tables, revisions = _sqlite_contents(path)
    elif url.get_backend_name() == "postgresql":
        tables, revisions = _pg_dump_contents(path)
    else:
        raise BackupError(f"No restore method for {url.get_backend_name()}.")
    missing = REQUIRED_TABLES - tables
    if missing:
        raise BackupError(
            f"{source_file} is not a backup of Petits Pas: it has no {', '.join(sorted(missing))} "
            "table. Nothing was changed."
        )
    if len(revisions) != 1:
        raise BackupError(
            f"{source_file} does not record which migration it was taken at. Nothing was changed."
        )
    (revision,) = revisions
    if revision not in known_revisions:
        raise BackupError(
            f"{source_file} was taken at migration {revision}, which this version of Petits Pas "
            "does not know (a backup from a newer version?). Nothing was changed."
        )
    return revision


def _sqlite_contents(path: Path) -> tuple[set[str], list[str]]:
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not a SQLite backup (this site uses SQLite). Nothing was changed.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revisions = (
                [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables
                else []
            )
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise BackupError(
            f"{path} cannot be read as a SQLite backup ({error}). Nothing was changed."
        ) from None
    return tables, revisions


def _pg_dump_contents(path: Path) -> tuple[set[str], list[str]]:
    with open(path, "rb") as fh:
        if fh.read(5) != b"PGDMP":
            raise BackupError(
                f"{path} is not a pg_dump custom-format backup (this site uses PostgreSQL). "
                "Nothing was changed."
            )
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not installed (Debian package postgresql-client).")
    listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    if listing.returncode:
        raise BackupError(
            f"{path} cannot be read by pg_restore: {listing.stderr.strip()}. Nothing was changed."
        )
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing.stdout, re.M))
    revisions: list[str] = []
    if "alembic_version" in tables:
        data = subprocess.run(
            ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)],
            capture_output=True,
            text=True,
        )
        copy = re.search(r"^COPY \S*alembic_version .*?FROM stdin;\n(.*?)^\\\.$", data.stdout, re.M | re.S)
        revisions = copy.group(1).split() if copy else []
    return tables, revisions


def restore(database_uri: str | URL, source_file: str | Path, known_revisions: Collection[str]) -> str:
    """Replace the database's content with a backup of this application. Stop the app servers
    first. Returns the migration the backup was taken at (run `flask db upgrade` after)."""
    revision = check_backup(database_uri, source_file, known_revisions)
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise BackupError("An in-memory database cannot be restored.")
        source = sqlite3.connect(f"{Path(source_file).resolve().as_uri()}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(url.database)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
        return revision
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not installed (Debian package postgresql-client).")
    address, env = _pg_command_line(url)
    result = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            address,
            str(source_file),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode:
        raise BackupError(result.stderr.strip() or "pg_restore failed")
    return revision
