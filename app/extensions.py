"""Extensions, created unbound and attached to an app by the factory."""

from typing import TYPE_CHECKING, Any

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# The models' base class. db.Model is made at run time, which a type checker cannot follow;
# it is a subclass of Base with the same columns' typing.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


class Migrations:
    """Flask-Migrate, imported on first use: importing it loads Alembic, 11 MB in each web worker,
    which never migrates. init_app leaves `flask db` and app.extensions["migrate"] as stand-ins
    that register the real extension (Migrate(app, db, ...)) when a command or a migration
    (flask_migrate.upgrade(), migrations/env.py) first reads them."""

    def init_app(self, app, db, **options):
        app.extensions["migrate"] = _MigrateOnFirstUse(app, db, options)
        app.cli.add_command(_DbCommandsOnFirstUse())


class _MigrateOnFirstUse:
    def __init__(self, app, db, options):
        self.app, self.db_extension, self.options = app, db, options

    def __getattr__(self, name):
        from flask_migrate import Migrate

        Migrate(self.app, self.db_extension, **self.options)  # replaces this entry and `flask db`
        return getattr(self.app.extensions["migrate"], name)


class _DbCommandsOnFirstUse(click.Group):
    def __init__(self):
        super().__init__("db", help="Perform database migrations.")

    def make_context(self, info_name, args, parent=None, **extra: Any) -> click.Context:
        from flask_migrate.cli import db as db_commands

        return db_commands.make_context(info_name, args, parent=parent, **extra)


migrate = Migrations()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
