import subprocess
import sys

import pytest

from app import create_app
from config import DevelopmentConfig, ProductionConfig, TestConfig, check_secret_key, config_for_environment


def test_factory_builds_an_app_per_config(app):
    assert app.config["TESTING"] is True
    assert app.config["APP_ENV"] == "test"
    assert {"auth", "learn", "manage", "author", "admin"} <= set(app.blueprints)


def test_config_is_chosen_by_app_env():
    assert config_for_environment({"APP_ENV": "production"}) is ProductionConfig
    assert config_for_environment({}) is DevelopmentConfig
    with pytest.raises(SystemExit):
        config_for_environment({"APP_ENV": "staging"})


def test_every_setting_can_come_from_the_environment():
    settings = TestConfig.from_environment(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "RATELIMIT_STORAGE_URI": "redis://h:6379",
            "MAX_CONTENT_LENGTH": "1000",
            "WTF_CSRF_ENABLED": "true",
        }
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://h:6379"
    assert settings["MAX_CONTENT_LENGTH"] == 1000
    assert settings["WTF_CSRF_ENABLED"] is True


@pytest.mark.parametrize(
    "key,fragment",
    [
        (None, "not set"),
        ("", "not set"),
        (" " * 36, "not set"),
        ("changeme", "known key"),
        ("short-key", "too short"),
        ("a" * 40, "not random"),
        ("ab" * 20, "not random"),
        (TestConfig.SECRET_KEY, "known key"),
        ("bench-" + "k" * 40, "known key"),
        ("dev-insecure-key-change-me", "known key"),
    ],
)
def test_weak_secret_keys_are_named(key, fragment):
    assert fragment in check_secret_key({"SECRET_KEY": key})


def test_a_strong_secret_key_passes():
    assert check_secret_key({"SECRET_KEY": "x" * 16 + "7f3a9c0e1b2d4f6a8c0e"}) is None


@pytest.mark.parametrize("secret", ["", "dev", "too-short-secret", " " * 36, "z" * 64, TestConfig.SECRET_KEY])
def test_production_refuses_to_start_without_a_strong_secret(secret, tmp_path):
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).parent.parent),
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_worker_does_not_import_what_only_a_command_or_a_rare_page_uses(tmp_path):
    """Each gunicorn worker builds its own app: fpdf2 (20 MB, a certificate's PDF), Alembic
    (11 MB, migrations) and the load-testing tools stay out of it until used (the memory bar,
    docs/performance.md)."""
    env = {
        "APP_ENV": "development",
        "SECRET_KEY": "a" * 8 + "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "PATH": "/usr/bin:/bin",
    }
    heavy = ("fpdf", "fontTools", "PIL", "alembic", "flask_migrate", "mako", "locust", "gevent")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; from app import create_app; create_app(); "
            f"print(*[name for name in {heavy!r} if name in sys.modules])",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).parent.parent),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_production_starts_with_a_strong_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a" * 8 + "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("SITE_URL", "https://training.example.com")
    app = create_app(ProductionConfig)
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_development_makes_its_own_random_key_once(tmp_path, monkeypatch):
    """No key in the code: with APP_ENV unset the site ran on a public key, and a cookie signed
    with it opened /admin/. Development now makes a random key into the instance folder, once."""
    from flask import Flask

    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert DevelopmentConfig.SECRET_KEY is None
    first = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    second = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    key = first.config["SECRET_KEY"]
    assert key == second.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert check_secret_key({"SECRET_KEY": key}) is None
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # the owner's only
    assert list(tmp_path.iterdir()) == [tmp_path / "secret_key"]  # no draft left behind


def test_sqlite_durability_is_a_setting_and_applied_to_every_connection(make_app):
    """NORMAL (the default) keeps every commit through a killed process but may lose the last
    ones on a power loss; FULL syncs each commit (docs/security.md says which is which)."""
    from sqlalchemy import text

    from app.extensions import db

    for setting, expected in (("NORMAL", 1), ("FULL", 2)):
        app = make_app(SQLITE_SYNCHRONOUS=setting)
        with app.app_context():
            if db.engine.dialect.name != "sqlite":
                pytest.skip("SQLite only")
            db.engine.dispose()
            assert db.session.execute(text("PRAGMA synchronous")).scalar() == expected
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            db.session.remove()
            db.engine.dispose()
    with pytest.raises(SystemExit, match="SQLITE_SYNCHRONOUS"):
        make_app(SQLITE_SYNCHRONOUS="OFF")
