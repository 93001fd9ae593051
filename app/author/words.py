"""Lint's findings in the trainer's language. The content core writes them in English (what
`flask content lint` prints) and marks each with its template and values (app/content/model.Said);
the studio translates the template here and fills in the same values, so codes, names and
line numbers read the same in every language."""

from typing import Any

from flask_babel import gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l

from app.content.model import Said

# A node's kind (app/content/model.Node.kind) on the graph, the preview and the play-test.
NODE_KINDS = {
    "choice": _l("choice"),
    "phase": _l("phase reading"),
    "signals": _l("signal picking"),
    "goto": _l("routing"),
    "sheet": _l("preparation sheet"),
    "ending": _l("ending"),
}

# A value's type as lint names it (content/expr.type_of, content/lint.value_type), and the
# message values that hold one: "compares a number with a string".
TYPE_WORDS = {
    "number": lazy_pgettext("value type", "number"),
    "string": lazy_pgettext("value type", "string"),
    "bool": lazy_pgettext("value type", "bool"),
}
TYPE_VALUES = ("left", "right", "value_type", "value_type2")


def _said_value(name: str, value: Any) -> Any:
    if name in TYPE_VALUES and isinstance(value, str) and value in TYPE_WORDS:
        return str(TYPE_WORDS[value])
    return say(value)


def say(text: Any) -> Any:
    """A content-core message in the page's language (a value that is itself a message, or an
    error raised with one, is said too); any other text as it is."""
    if isinstance(text, BaseException) and text.args and isinstance(text.args[0], Said):
        text = text.args[0]
    if not isinstance(text, Said):
        return text
    return gettext(text.template) % {name: _said_value(name, value) for name, value in text.params.items()}


def finding_json(findings) -> list[dict[str, Any]]:
    """The findings as the editor's live lint reads them, said in the page's language."""
    return [
        {"line": f.line, "code": f.code, "message": str(say(f.message)), "severity": f.severity}
        for f in findings
    ]
