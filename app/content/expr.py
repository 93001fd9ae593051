"""The expression language of `if`, `goto ... if` and `pass` (content-format rule 5).

A tokenizer and a recursive-descent parser build a small tree of tuples; `evaluate` walks
it. There is no eval, no attribute access, no call and no indexing: the grammar has no
syntax for them, so they cannot be smuggled in.

    expr   := and_ ("or" and_)*
    and_   := not_ ("and" not_)*
    not_   := "not" not_ | compare
    compare:= atom (("=="|"!="|"<"|"<="|">"|">=") atom)?
    atom   := NUMBER | STRING | "true" | "false" | NAME | "(" expr ")" | "-" NUMBER
            | ("shrinking" | "growing") "(" NAME ")"

Trees: ("num", v) ("str", v) ("bool", v) ("name", n) ("not", e) ("and", a, b)
("or", a, b) ("cmp", op, a, b). A move function reads as the name `shrinking(discount)`,
whose value the engine supplies with the other names (`move_values`): still no calls.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any, cast

from .model import said

Tree = tuple[Any, ...]  # a parsed expression: (kind, ...) nested

MAX_LENGTH = 500
MAX_DEPTH = 32

KEYWORDS = {"and", "or", "not", "true", "false"}
# Read the sizes of the moves made on a concession, round after round (content-format,
# "Negotiation rounds"): the only things that look like calls.
MOVE_FUNCTIONS = ("shrinking", "growing")
NAME_RE = re.compile(r"[a-z][a-z0-9_]*\Z")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+(?:\.\d+)?)
      | (?P<str>"[^"\\]*"|'[^'\\]*')
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|-)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


class ExprError(ValueError):
    """An expression that does not parse, or that cannot be evaluated."""


def tokenize(source: str) -> list[tuple[str, str]]:
    if len(source) > MAX_LENGTH:
        raise ExprError(
            said(
                "expression longer than %(MAX_LENGTH)s characters",
                MAX_LENGTH=MAX_LENGTH,
            )
        )
    tokens: list[tuple[str, str]] = []
    pos = 0
    source = source.rstrip()
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:  # only trailing whitespace can fail to match
            break
        pos = m.end()
        kind = cast(str, m.lastgroup)  # every alternative of _TOKEN is a named group
        text = m.group(kind)
        if kind == "bad":
            if text == ".":
                raise ExprError(said("attribute access (`.`) is not allowed"))
            if text in "[]":
                raise ExprError(said("indexing (`[...]`) is not allowed"))
            if text == "=":
                raise ExprError(said("`=` is not a comparison; write `==`"))
            if text in "\"'":
                raise ExprError(said("unterminated string"))
            raise ExprError(said("unexpected character `%(text)s`", text=text))
        if kind == "name":
            if text not in KEYWORDS and not NAME_RE.match(text):
                raise ExprError(
                    said(
                        "`%(text)s` is not a valid name (lowercase letters, digits, _)",
                        text=text,
                    )
                )
        tokens.append((kind, text))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ExprError(said("expression ends too early"))
        self.pos += 1
        return tok

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] == text and tok[0] in ("op", "name")

    def descend(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                said(
                    "expression nested deeper than %(MAX_DEPTH)s levels",
                    MAX_DEPTH=MAX_DEPTH,
                )
            )

    def expr(self) -> Tree:
        self.descend()
        left = self.and_()
        while self.at("or"):
            self.take()
            left = ("or", left, self.and_())
        self.depth -= 1
        return left

    def and_(self) -> Tree:
        left = self.not_()
        while self.at("and"):
            self.take()
            left = ("and", left, self.not_())
        return left

    def not_(self) -> Tree:
        if self.at("not"):
            self.take()
            self.descend()
            inner = self.not_()
            self.depth -= 1
            return ("not", inner)
        return self.compare()

    def compare(self) -> Tree:
        left = self.atom()
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.atom()
            nxt = self.peek()
            if nxt and nxt[0] == "op" and nxt[1] in ("==", "!=", "<", "<=", ">", ">="):
                raise ExprError(
                    said(
                        "chained comparisons are not allowed; join them with `and`",
                    )
                )
            return ("cmp", tok[1], left, right)
        return left

    def atom(self) -> Tree:
        kind, text = self.take()
        if kind == "num":
            return ("num", number(text))
        if kind == "str":
            return ("str", text[1:-1])
        if kind == "op" and text == "-":
            k2, t2 = self.take()
            if k2 != "num":
                raise ExprError(said("`-` must be followed by a number"))
            return ("num", -number(t2))
        if kind == "op" and text == "(":
            inner = self.expr()
            if not self.at(")"):
                raise ExprError(said("missing `)`"))
            self.take()
            return inner
        if kind == "name":
            if text in ("true", "false"):
                return ("bool", text == "true")
            if text in KEYWORDS:
                raise ExprError(said("`%(text)s` cannot stand here", text=text))
            nxt = self.peek()
            if nxt and nxt == ("op", "(") and text in MOVE_FUNCTIONS:
                self.take()
                arg = self.take()
                if arg[0] != "name" or arg[1] in KEYWORDS or not self.at(")"):
                    raise ExprError(
                        said(
                            "`%(text)s(...)` takes the name of a concession, like `%(text)s(discount)`",
                            text=text,
                        )
                    )
                self.take()
                return ("name", f"{text}({arg[1]})")
            if nxt and nxt == ("op", "("):
                raise ExprError(
                    said(
                        "calls (`%(text)s(...)`) are not allowed; only %(names)s",
                        text=text,
                        names=" and ".join(f"`{f}(NAME)`" for f in MOVE_FUNCTIONS),
                    )
                )
            return ("name", text)
        raise ExprError(said("unexpected `%(text)s`", text=text))


# The one range every number of a scenario lives in (literals, scores, effects, state): far past
# any score or amount a role-play counts, and well inside what a float, JSON and PostgreSQL keep
# exactly. Infinity, NaN and 400-digit numbers pass YAML and Python but break JSON and pages.
MAX_NUMBER = 1_000_000_000_000


def in_range(value: object) -> bool:
    """A finite number of at most MAX_NUMBER either way (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and -MAX_NUMBER <= value <= MAX_NUMBER


def out_of_range_message(value: object) -> str:
    shown = str(value)
    shown = shown if len(shown) <= 24 else shown[:20] + "..."
    return said(
        "the number %(shown)s is out of range (numbers must be finite, at most %(limit)s either way)",
        shown=shown,
        limit=format(MAX_NUMBER, ","),
    )


def number(text: str) -> int | float:
    """The value of a number's digits (an optional leading minus); ExprError when out of range."""
    value = float(text) if "." in text else int(text) if len(text) <= 40 else math.inf
    if not in_range(value):
        raise ExprError(out_of_range_message(text))
    return value


# Bounded by count, not through memo.text_memo: a source longer than MAX_LENGTH is refused
# before anything is kept (4,096 hold at most 2 MB of text), and lru_cache costs a fifth as much
# on the play path, which parses at every condition.
@lru_cache(maxsize=4096)
def parse(source: str) -> Tree:
    """Parse an expression into a tree; raise ExprError with a readable message."""
    if not isinstance(source, str) or not source.strip():
        raise ExprError(said("empty expression"))
    parser = _Parser(tokenize(source))
    tree = parser.expr()
    extra = parser.peek()
    if extra is not None:
        raise ExprError(said("unexpected `%(extra)s`", extra=extra[1]))
    return tree


def names(tree: Tree) -> Iterator[str]:
    """Every name the tree reads."""
    kind = tree[0]
    if kind == "name":
        yield tree[1]
    elif kind == "not":
        yield from names(tree[1])
    elif kind in ("and", "or"):
        yield from names(tree[1])
        yield from names(tree[2])
    elif kind == "cmp":
        yield from names(tree[2])
        yield from names(tree[3])


def type_of(tree: Tree, name_type: Callable[[str], str | None]) -> str | None:
    """'number', 'string' or 'bool' (None when a name is unknown); raise on a type clash."""
    kind = tree[0]
    if kind == "num":
        return "number"
    if kind == "str":
        return "string"
    if kind == "bool":
        return "bool"
    if kind == "name":
        return name_type(tree[1])
    if kind == "not":
        type_of(tree[1], name_type)
        return "bool"
    if kind in ("and", "or"):
        type_of(tree[1], name_type)
        type_of(tree[2], name_type)
        return "bool"
    op, left, right = tree[1], type_of(tree[2], name_type), type_of(tree[3], name_type)
    if left and right and left != right:
        raise ExprError(
            said(
                "compares a %(left)s with a %(right)s",
                left=left,
                right=right,
            )
        )
    if op in ("<", "<=", ">", ">=") and (left or right) not in (None, "number"):
        raise ExprError(said("`%(op)s` needs numbers", op=op))
    return "bool"


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def evaluate(tree: Tree, lookup: Callable[[str], Any]) -> Any:
    """Evaluate a tree; `lookup(name)` gives a name's value or raises KeyError."""
    kind = tree[0]
    if kind in ("num", "str", "bool"):
        return tree[1]
    if kind == "name":
        try:
            return lookup(tree[1])
        except KeyError:
            raise ExprError(said("unknown name `%(tree)s`", tree=tree[1])) from None
    if kind == "not":
        return not evaluate(tree[1], lookup)
    if kind == "and":
        return bool(evaluate(tree[1], lookup)) and bool(evaluate(tree[2], lookup))
    if kind == "or":
        return bool(evaluate(tree[1], lookup)) or bool(evaluate(tree[2], lookup))
    left, right = evaluate(tree[2], lookup), evaluate(tree[3], lookup)
    if isinstance(left, bool) != isinstance(right, bool) and tree[1] not in ("==", "!="):
        raise ExprError(said("cannot order a boolean"))
    try:
        return _COMPARE[tree[1]](left, right)
    except TypeError:
        raise ExprError(
            said(
                "cannot compare %(left)s with %(right)s",
                left=repr(left),
                right=repr(right),
            )
        ) from None


def move_values(concession: str, moves: Iterable[float]) -> dict[str, bool]:
    """`shrinking(NAME)`: two moves or more, each smaller than the one before (a limit coming
    closer). `growing(NAME)`: a move larger than the one before it (more where that came from).
    Equal moves are neither."""
    moves = list(moves)
    pairs = list(pairwise(moves))
    return {
        f"shrinking({concession})": bool(pairs) and all(b < a for a, b in pairs),
        f"growing({concession})": any(b > a for a, b in pairs),
    }


def check(source: str) -> str | None:
    """None when the expression parses, else the reason."""
    try:
        parse(source)
        return None
    except ExprError as exc:
        return str(exc)
