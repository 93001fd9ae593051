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
