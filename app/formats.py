"""How dates, times and durations read, for every role: the one home of their format (Jinja
filters registered by the factory, and the functions behind them for code that writes text).

Stored times are UTC; people read them in the organisation's time zone (the TIMEZONE setting).
Dates read "1 Dec 2026", times "1 Dec 2026, 14:05"; due dates in words ("Due in 5 days",
"Due tomorrow", "2 days late"); CSV exports carry ISO 8601 with the offset."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def _zone():
    name = current_app.config.get("TIMEZONE", "UTC") if has_app_context() else "UTC"
    return ZoneInfo(name or "UTC")


def today() -> date:
    """The organisation's today: the date in its time zone, not the server's."""
    return datetime.now(_zone()).date()


def local(moment):
    """A stored time (naive UTC, or aware) in the organisation's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(_zone())


def day(value):
    """'1 Dec 2026' for a date, or for a time's day in the organisation's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return f"{value.day} {value:%b %Y}"


def when(value):
    """'1 Dec 2026, 14:05' in the organisation's time zone."""
    if value is None:
        return ""
    moment = local(value)
    return f"{day(moment)}, {moment:%H:%M}"


def clock(value):
    """'14:05', for a time whose day is already on the page."""
    return "" if value is None else f"{local(value):%H:%M}"


def iso(value):
    """ISO 8601: a date as YYYY-MM-DD, a time with its offset (2026-12-01T14:05:00+01:00), for
    machine-readable attributes and CSV files."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).replace(microsecond=0).isoformat()
    return value.isoformat()


def days(n):
    return f"{n} day" if n == 1 else f"{n} days"


def due(due_date, today):
    """A due date against today, in words: 'Due today', 'Due tomorrow', 'Due in 5 days',
    '1 day late', 'Due 3 Jan 2027' (beyond two weeks)."""
    if due_date is None:
        return "No due date"
    left = (due_date - today).days
    if left < 0:
        return f"{days(-left)} late"
    if left == 0:
        return "Due today"
    if left == 1:
        return "Due tomorrow"
    if left <= 14:
        return f"Due in {days(left)}"
    return f"Due {day(due_date)}"


def ago(moment, today):
    """How long ago a time was, in whole days of the organisation's calendar: 'Today',
    'Yesterday', '12 days ago'."""
    if moment is None:
        return "Never"
    passed = (today - local(moment).date()).days if isinstance(moment, datetime) else (today - moment).days
    if passed <= 0:
        return "Today"
    if passed == 1:
        return "Yesterday"
    return f"{passed} days ago"


def minutes(seconds):
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


FILTERS = {"day": day, "when": when, "clock": clock, "iso": iso, "days": days, "due": due, "ago": ago,
           "duration": minutes}


def register(app):
    app.jinja_env.filters.update(FILTERS)
