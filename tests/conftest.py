"""Shared fixtures: a fresh app per test from the factory, a migrated database (SQLite file by
default, PostgreSQL when TEST_DATABASE_URL is set) emptied between tests, clients and factories."""

import os
from datetime import date

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.extensions import db
from config import TestConfig, normalise_database_url
from tests.compiled import keep_templates, keep_url_builders, share_engine
from tests.helpers import PASSWORD, Person, login, publish_course

pytest_plugins = ["tests.smtp"]  # smtp_server, mail_app

keep_url_builders()  # tests/compiled.py: each test's app reuses the URL builders the process wrote

# Property tests: no deadline (a shared or loaded machine is no reason to fail), and on CI
# (HYPOTHESIS_PROFILE=ci, set by .ci/run) a fixed number of examples where a test sets none;
# HYPOTHESIS_PROFILE=stress for a long hunt (the engines' differential test takes it too).
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, max_examples=100, print_blob=True)
settings.register_profile("stress", deadline=None, max_examples=3000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in the run's temporary folder (one per xdist worker), or TEST_DATABASE_URL's
    PostgreSQL database, with a database of its own per xdist worker beside it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _for_this_worker(normalise_database_url(url))
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "petitspas-test.db")


def _for_this_worker(url):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    named = make_url(url)
    name = f"{named.database}_{worker}"
    admin = create_engine(named.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return named.set(database=name).render_as_string(hide_password=False)


def _drop_everything():
    """Leave an empty database, whatever an earlier run left behind."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def migrated(database_url):
    """Migrate the test database once per run, from empty to head, as production does."""
    from flask_migrate import upgrade

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        _drop_everything()
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_tables():
    from app.services import publishing, translations

    publishing.value_by_id.cache_clear()  # ids restart with the tables
    translations.value_by_id.cache_clear()
    translations.fits_version.cache_clear()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture
def make_app(migrated):
    """Build apps on the migrated database with config overrides, e.g. CSRF or limits on."""
    built = []

    def build(**overrides):
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=migrated, **overrides)
        keep_templates(app)
        share_engine(app)
        built.append(app)
        return app

    yield build
    if built:
        with built[0].app_context():
            db.session.remove()
            _empty_tables()
        for app in built:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def ctx(app):
    """An app context for the test's body (services, sessions, queries)."""
    with app.app_context():
        yield


@pytest.fixture
def course(app):
    """The real course and scenarios, published."""
    return publish_course(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app):
    """Small factories for rows; each commits and returns plain values, not live objects."""

    class Factory:
        counter = 0

        def team(self, name=None, manager=None):
            from app.models import Team

            Factory.counter += 1
            with app.app_context():
                team = Team(
                    name=name or f"Team {Factory.counter}", manager_id=manager.id if manager else None
                )
                db.session.add(team)
                db.session.commit()
                return team.id

        def user(
            self,
            role="trainee",
            email=None,
            name=None,
            team=None,
            password=PASSWORD,
            hire_date=None,
            active=True,
        ):
            from app.services import accounts

            Factory.counter += 1
            email = email or f"{role}{Factory.counter}@example.com"
            with app.app_context():
                from app.models import Team

                user = accounts.create_user(
                    email,
                    name or f"{role.title()} {Factory.counter}",
                    password,
                    role=role,
                    team=db.session.get(Team, team) if team else None,
                    hire_date=hire_date or date(2026, 11, 1),
                    check_password=False,
                )
                user.active = active
                db.session.commit()
                return Person(user.id, user.email, user.name, user.role, user.team_id)

    return Factory()


@pytest.fixture
def login_as(client, factory):
    """Create a user of a role and log them in: `trainee = login_as("trainee")`."""

    def go(role="trainee", **kwargs):
        person = factory.user(role=role, **kwargs)
        response = login(client, person.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return person

    return go
