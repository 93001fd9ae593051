"""What every test's fresh app compiled again, kept once per test process.

Each test builds its own app from the factory, and with it a new Jinja environment (which
compiled every template the test rendered again, about a tenth of a second a test), a new URL
map (whose rules compiled their URL builders again, 35 ms an app) and a new SQLAlchemy engine
(whose cache of compiled SQL statements started empty, a third of what was left). The test
process keeps the compiled templates and URL builders, and one engine per database and engine
settings; the apps, their configuration, their sessions and the database's rows stay each
test's own (conftest.py empties the tables and disposes of the engine's connections after each
test)."""

import inspect

from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from app.extensions import db


class TemplateCode(BytecodeCache):
    """Jinja's compiled templates, by template, source checksum (an edited template compiles
    anew) and the environment settings its compiler reads."""

    def __init__(self):
        self.code = {}

    @staticmethod
    def _key(bucket):
        env = bucket.environment
        return bucket.key, tuple(sorted(env.extensions)), getattr(env, "newstyle_gettext", None)

    def load_bytecode(self, bucket):
        checksum, code = self.code.get(self._key(bucket), (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.code[self._key(bucket)] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = TemplateCode()


def keep_templates(app):
    """The app's environment reads and writes the process's compiled templates."""
    app.jinja_env.bytecode_cache = TEMPLATE_CODE


# Werkzeug 3.1's Rule._compile_builder(append_unknown) writes a function from the rule's string,
# its trace (its static and dynamic parts), the names of its defaults and append_unknown; the
# function reads the converters through its `self` argument, so the same inputs give a function
# any rule can use. A default for a dynamic part is converted while writing: not kept.
_compile_builder = Rule._compile_builder
_builders: dict = {}


def _kept_builder(self, append_unknown=True):
    defaults = self.defaults or {}
    if any(dynamic and part in defaults for dynamic, part in self._trace):
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), tuple(str(k) for k in defaults), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def keep_url_builders():
    """Install the kept builders, where Werkzeug's method is still the one described above."""
    if list(inspect.signature(_compile_builder).parameters) == ["self", "append_unknown"]:
        Rule._compile_builder = _kept_builder


# database URL, engine options and the factory's settings for the engine -> the engine
_engines: dict = {}


def share_engine(app):
    """The app uses the process's engine for its database and engine settings, made by the first
    app that asked (with the factory's connect hook for SQLite's pragmas); the engine that
    create_app made is dropped unused (it never connected). Flask-SQLAlchemy 3.1 keeps an app's
    engines in db._app_engines."""
    engines = db._app_engines[app]
    config = app.config
    key = (
        str(engines[None].url.render_as_string(hide_password=False)),
        repr(sorted(config["SQLALCHEMY_ENGINE_OPTIONS"].items())),
        config["SQLITE_SYNCHRONOUS"],
        config["SQLALCHEMY_ECHO"],
        config["SQLALCHEMY_RECORD_QUERIES"],
    )
    engines[None] = _engines.setdefault(key, engines[None])
