"""numbers.parse_figure: the one reading of a typed figure (French decimal comma, spaces for
thousands, a unit after the figure), with property tests over what people type."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.content.numbers import FigureError, parse_figure, show_figure


@pytest.mark.parametrize(
    "text, unit, value",
    [
        ("12", None, 12),
        ("12 %", "percent", 12),
        ("12%", "percent", 12),
        ("12,5", None, 12.5),
        ("12.5", None, 12.5),
        ("-3", None, -3),
        ("+3", None, 3),
        ("\u22123", None, -3),
        ("1 200", "euros", 1200),
        ("1\u202f200\u00a0€", "euros", 1200),
        ("12 000 000", None, 12_000_000),
        ("  7  ", None, 7),
        ("12,0", None, 12),
        ("0,25", None, 0.25),
        ("30 jours", "days", 30),
        ("36 mois", "months", 36),
        ("12,5 %", "percent", 12.5),
    ],
)
def test_what_people_type_is_read(text, unit, value):
    got = parse_figure(text, unit)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "text, unit, code",
    [
        ("", None, "empty"),
        ("   ", None, "empty"),
        (None, None, "empty"),
        ("douze", None, "not-a-number"),
        ("12,5,3", None, "not-a-number"),
        ("1.200,5", None, "not-a-number"),
        ("1 20", None, "not-a-number"),
        ("12 5", None, "not-a-number"),
        ("--3", None, "not-a-number"),
        ("1e5", None, "unit"),
        ("inf", None, "not-a-number"),
        ("nan", None, "not-a-number"),
        ("12 %", None, "unit"),
        ("12 %", "days", "unit"),
        ("12 €", "percent", "unit"),
        ("9" * 16, None, "too-large"),
        ("1" * 13, None, "too-large"),
        ("½", None, "not-a-number"),
    ],
)
def test_anything_else_is_refused_with_a_reason(text, unit, code):
    with pytest.raises(FigureError) as caught:
        parse_figure(text, unit)
    assert caught.value.code == code and str(caught.value)


@given(st.integers(-(10**12), 10**12))
def test_whole_numbers_read_back(n):
    assert parse_figure(str(n)) == n


@given(st.integers(0, 10**9))
def test_thousands_with_spaces_read_as_without(n):
    grouped = f"{n:,}".replace(",", " ")
    assert parse_figure(grouped) == n
    assert parse_figure(f"{n:,}".replace(",", "\u202f")) == n


@given(st.integers(-(10**6), 10**6), st.integers(1, 999))
def test_a_comma_and_a_point_are_both_the_decimal_mark(whole, cents):
    frac = f"{cents:03d}".rstrip("0")
    text = f"{whole}.{frac}"
    assert parse_figure(text) == parse_figure(text.replace(".", ",")) == pytest.approx(float(text))


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False))
def test_show_figure_reads_back(d):
    value = parse_figure(str(d))
    assert parse_figure(show_figure(value)) == pytest.approx(value)


@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        value = parse_figure(text, "percent")
    except FigureError as exc:
        assert exc.code in ("empty", "not-a-number", "unit", "too-large")
        return
    assert isinstance(value, (int, float)) and not isinstance(value, bool)
    assert abs(value) <= 10**12


def test_only_ascii_digits():
    for text in ("\uff11\uff12", "\u0663"):
        with pytest.raises(FigureError):
            parse_figure(text)
