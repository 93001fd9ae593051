"""The migrations build the schema from nothing, and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db


def test_upgrade_from_empty_reaches_head_and_matches_the_models(app):
    # The `migrated` fixture upgraded an empty database to head with Flask-Migrate.
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
    assert differences == []
    assert {
        "users",
        "teams",
        "content_versions",
        "scenario_attempts",
        "attempt_steps",
        "alembic_version",
    } <= tables


def test_constraint_names_follow_the_naming_convention(app):
    # Both SQLite and PostgreSQL report unique constraints by the names the migrations gave them;
    # a constraint created without the convention would be unnamed (None) or named otherwise.
    with app.app_context():
        with db.engine.connect() as conn:
            inspector = inspect(conn)
            uniques = {
                table: inspector.get_unique_constraints(table) for table in inspector.get_table_names()
            }
    assert ("uq_attempt_steps_attempt_id_seq", ["attempt_id", "seq"]) in [
        (u["name"], u["column_names"]) for u in uniques["attempt_steps"]
    ]
    for table, constraints in uniques.items():
        for unique in constraints:
            assert unique["name"] == f"uq_{table}_{'_'.join(unique['column_names'])}", (table, unique)


def test_the_migrations_have_one_head(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_flask_db_runs_though_flask_migrate_loads_only_when_used(app):
    # app/extensions.py registers `flask db` and app.extensions["migrate"] as stand-ins; the
    # command reads the migrations through the real ones (Alembic prints to the stdout it found
    # at import, out of the runner's reach).
    assert type(app.extensions["migrate"]).__name__ == "_MigrateOnFirstUse"
    result = app.test_cli_runner().invoke(args=["db", "heads"])
    assert result.exit_code == 0, result.output
    assert type(app.extensions["migrate"]).__name__ == "_MigrateConfig"
    assert "Perform database migrations." in app.test_cli_runner().invoke(args=["db", "--help"]).output
