import pytest

from app.content import expr


@pytest.mark.parametrize(
    "source,value",
    [
        ("1 < 2", True),
        ("2 <= 1", False),
        ("a == 3 and b", True),
        ("not b or a > 5", False),
        ('(a >= 3) and (s == "x")', True),
        ("s != 'y'", True),
        ("-1 < a", True),
        ("true", True),
        ("not not false", False),
        ("a == 3.0", True),
        ("f > 0.5", True),
    ],
)
def test_evaluate(source, value):
    names = {"a": 3, "b": True, "s": "x", "f": 0.75}
    assert expr.evaluate(expr.parse(source), names.__getitem__) is value


@pytest.mark.parametrize(
    "source,reason",
    [
        ("__import__('os')", "not a valid name"),
        ("a.b", "attribute"),
        ("open(1)", "calls"),
        ("a[0]", "indexing"),
        ("a = 1", "=="),
        ("1 < a < 3", "chained"),
        ("", "empty"),
        ("(a", ")"),
        ("a and", "early"),
        ("'x", "unterminated"),
        ("a + 1", "unexpected"),
        ("lambda: 1", "unexpected"),
        ("A == 1", "not a valid name"),
        ("x" * 600, "longer"),
        ("(" * 100 + "a" + ")" * 100, "deeper"),
        ("not " * 100 + "a", "deeper"),
    ],
)
def test_rejects(source, reason):
    with pytest.raises(expr.ExprError) as err:
        expr.parse(source)
    assert reason in str(err.value)


def test_names_and_types():
    tree = expr.parse("margin >= 5 and not known or given_discount > 2")
    assert sorted(set(expr.names(tree))) == ["given_discount", "known", "margin"]
    types = {"margin": "number", "known": "bool", "given_discount": "number", "s": "string"}.get
    assert expr.type_of(tree, types) == "bool"
    with pytest.raises(expr.ExprError):
        expr.type_of(expr.parse("s > 1"), types)
    with pytest.raises(expr.ExprError):
        expr.type_of(expr.parse("known == 1"), types)


def test_unknown_name_at_runtime():
    with pytest.raises(expr.ExprError):
        expr.evaluate(expr.parse("x > 1"), {}.__getitem__)
