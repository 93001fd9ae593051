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
    assert {"users", "teams", "content_versions", "scenario_attempts", "attempt_steps", "alembic_version"} <= tables


def test_constraint_names_follow_the_naming_convention(app):
    with app.app_context():
        with db.engine.connect() as conn:
            uniques = inspect(conn).get_unique_constraints("attempt_steps")
    assert any(u["name"] == "uq_attempt_steps_attempt_id_seq" for u in uniques) or db.engine.dialect.name == "sqlite"
