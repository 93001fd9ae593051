"""How dates, times, durations, numbers, percentages and money read, for every role and in the
page's language: the one home of their format (Jinja filters registered by the factory, and the
functions behind them for code that writes text), with Babel's rules for each locale.

Stored times are UTC; people read them in the organisation's time zone (the TIMEZONE setting).
Dates read "1 Dec 2026" / "1 déc. 2026", times "1 Dec 2026, 14:05" / "1 déc. 2026 à 14:05";
due dates in words ("Due in 5 days", "Due tomorrow", "2 days late"); numbers "1,234.5" /
"1 234,5", percentages "45%" / "45 %", money "€1,234.50" / "1 234,50 €". CSV exports carry
ISO 8601 with the offset, and the separator the reader's spreadsheet expects (csv_separator)."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import numbers as babel_numbers
from babel.dates import format_date
from flask import Flask, current_app, has_app_context
from flask_babel import get_locale

from app.i18n import gettext as _
from app.i18n import ngettext, page_language


def _zone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", "UTC") if has_app_context() else "UTC"
    return ZoneInfo(name or "UTC")


def zone() -> ZoneInfo:
    """The organisation's time zone, for code that reads many times at once (local's `zone`)."""
    return _zone()


def today() -> date:
    """The organisation's today: the date in its time zone, not the server's."""
    return datetime.now(_zone()).date()


def local(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored time (naive UTC, or aware) in the organisation's time zone (`zone`, when the
    caller has read it once for many times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or _zone())


def locale() -> Locale | str:
    """The page's locale (app/i18n.py chooses it); English outside a request."""
    return get_locale() or "en"


def language() -> str:
    """str(locale()), without asking Flask-Babel and naming the Locale on every figure (team
    analytics formats 750 percentages a page): app/i18n.py keeps it with the page's catalog."""
    return page_language()


def day(value: date | None) -> str:
    """'1 Dec 2026' ('1 déc. 2026') for a date, or for a time's day in the organisation's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return _day(value, language())


# Babel's formatting reads its patterns anew on every call (6-10 µs): a dashboard asks for the
# same due dates and percentages dozens of times. Each result depends only on the value, its
# type (True and 1 are one key to a dict, yet Babel refuses True) and the language.


@lru_cache(maxsize=1024)
def _day(value: date, language: str) -> str:
    return format_date(value, "d MMM y", locale=language)


@lru_cache(maxsize=1024)
def _decimal(value: float | Decimal, _type: str, language: str) -> str:
    return babel_numbers.format_decimal(value, locale=language, decimal_quantization=False)


@lru_cache(maxsize=1024)
def _percent(value: float | Decimal, _type: str, language: str) -> str:
    return babel_numbers.format_percent(value / 100, locale=language, decimal_quantization=False)


def when(value: datetime | None) -> str:
    """'1 Dec 2026, 14:05' ('1 déc. 2026 à 14:05') in the organisation's time zone."""
    if value is None:
        return ""
    moment = local(value)
    return _("%(day)s, %(time)s", day=day(moment), time=moment.strftime("%H:%M"))


def clock(value: datetime | None) -> str:
    """'14:05', for a time whose day is already on the page."""
    return "" if value is None else f"{local(value):%H:%M}"


def iso(value: date | None) -> str:
    """ISO 8601: a date as YYYY-MM-DD, a time with its offset (2026-12-01T14:05:00+01:00), for
    machine-readable attributes and CSV files."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).replace(microsecond=0).isoformat()
    return value.isoformat()


def days(n: int | None) -> str:
    return "" if n is None else ngettext("%(num)d day", "%(num)d days", n)


def due(due_date: date | None, today: date) -> str:
    """A due date against today, in words: 'Due today', 'Due tomorrow', 'Due in 5 days',
    '1 day late', 'Due 3 Jan 2027' (beyond two weeks)."""
    if due_date is None:
        return _("No due date")
    left = (due_date - today).days
    if left < 0:
        return ngettext("%(num)d day late", "%(num)d days late", -left)
    if left == 0:
        return _("Due today")
    if left == 1:
        return _("Due tomorrow")
    if left <= 14:
        return ngettext("Due in %(num)d day", "Due in %(num)d days", left)
    return _("Due %(day)s", day=day(due_date))


def ago(moment: date | None, today: date) -> str:
    """How long ago a time was, in whole days of the organisation's calendar: 'Today',
    'Yesterday', '12 days ago'."""
    if moment is None:
        return _("Never")
    passed = (today - local(moment).date()).days if isinstance(moment, datetime) else (today - moment).days
    if passed <= 0:
        return _("Today")
    if passed == 1:
        return _("Yesterday")
    return ngettext("%(num)d day ago", "%(num)d days ago", passed)


def minutes(seconds: float | None) -> str:
    """A duration: '45 s', '3 min', '1 h 20 min'."""
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    total = round(seconds / 60)
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h" + (f" {total % 60} min" if total % 60 else "")


def number(value: float | Decimal | None) -> str:
    """'1,234.5' / '1 234,5': a figure as the reader writes it (as many decimals as it has)."""
    if value is None:
        return ""
    return _decimal(value, type(value).__name__, language())


def percent(value: float | Decimal | None) -> str:
    """A percentage given out of 100: '45%' / '45 %', '12.5%' / '12,5 %'."""
    if value is None:
        return ""
    return _percent(value, type(value).__name__, language())


def money(value: float | Decimal | None, currency: str = "EUR") -> str:
    """'€1,234.50' / '1 234,50 €', '€1,234' / '1 234 €': an amount with its currency where the
    reader expects it; cents only when there are some."""
    if value is None:
        return ""
    pattern = None
    if float(value).is_integer():
        pattern = (
            babel_numbers.Locale.parse(language()).currency_formats["standard"].pattern.replace(".00", "")
        )
    return babel_numbers.format_currency(
        value, currency, format=pattern, locale=locale(), currency_digits=pattern is None
    )


def decimal_mark() -> str:
    """'.' or ',': how the reader writes the decimals of a number."""
    return babel_numbers.get_decimal_symbol(locale())


def csv_separator() -> str:
    """The field separator of the reader's spreadsheet: ';' where the decimal mark is a comma
    (French Excel and LibreOffice split on it), ',' otherwise."""
    return ";" if decimal_mark() == "," else ","


FILTERS: dict[str, Callable[..., str]] = {
    "day": day,
    "when": when,
    "clock": clock,
    "iso": iso,
    "days": days,
    "due": due,
    "ago": ago,
    "duration": minutes,
    "number": number,
    "percent": percent,
    "money": money,
}


def register(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
