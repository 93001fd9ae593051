"""Database backups an operator can run while the site serves: SQLite through its online
backup API (consistent under WAL), PostgreSQL through pg_dump's custom format."""
import shutil
import sqlite3
import subprocess

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _pg_url(url):
    # pg_dump speaks libpq URLs, without SQLAlchemy's driver suffix.
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(database_uri, target):
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise BackupError("An in-memory database cannot be backed up.")
        source = sqlite3.connect(url.database)
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("pg_dump is not installed (Debian package postgresql-client).")
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _pg_url(url)],
                                capture_output=True, text=True)
        if result.returncode:
            raise BackupError(result.stderr.strip() or "pg_dump failed")
        return target
    raise BackupError(f"No backup method for {url.get_backend_name()}.")


def restore(database_uri, source_file):
    """Replace the database's content with a backup. Stop the app servers first."""
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(source_file)
        try:
            dest = sqlite3.connect(url.database)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
        return
    if url.get_backend_name() == "postgresql":
        if not shutil.which("pg_restore"):
            raise BackupError("pg_restore is not installed (Debian package postgresql-client).")
        result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                 "--dbname", _pg_url(url), str(source_file)], capture_output=True, text=True)
        if result.returncode:
            raise BackupError(result.stderr.strip() or "pg_restore failed")
        return
    raise BackupError(f"No restore method for {url.get_backend_name()}.")
