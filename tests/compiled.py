"""What every test's fresh app compiled again, kept once per test process.

Each test builds its own app from the factory, and with it a new Jinja environment (which
compiled every template the test rendered again, about a tenth of a second a test) and a new URL
map (whose rules compiled their URL builders again, 35 ms an app). Both compilations are pure
functions of what they read, so the test process keeps their results; the apps, their
configuration, their database and every template's rendering stay each test's own."""

import inspect

from jinja2 import BytecodeCache
from werkzeug.routing import Rule


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
