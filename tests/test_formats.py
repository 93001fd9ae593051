"""The one format of dates, times and durations for every role (app/formats.py)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app import formats

TODAY = date(2026, 12, 1)


def test_due_dates_in_words():
    assert formats.due(date(2026, 12, 6), TODAY) == "Due in 5 days"
    assert formats.due(date(2026, 12, 2), TODAY) == "Due tomorrow"
    assert formats.due(TODAY, TODAY) == "Due today"
    assert formats.due(date(2026, 11, 30), TODAY) == "1 day late"
    assert formats.due(date(2026, 11, 29), TODAY) == "2 days late"
    assert formats.due(date(2027, 1, 3), TODAY) == "Due 3 Jan 2027"
    assert formats.due(None, TODAY) == "No due date"


def test_dates_times_and_durations():
    assert formats.day(date(2026, 12, 1)) == "1 Dec 2026"
    assert formats.day(datetime(2026, 12, 1, 23, 59)) == "1 Dec 2026"  # UTC outside an app
    assert formats.when(datetime(2026, 12, 1, 9, 5)) == "1 Dec 2026, 09:05"
    assert formats.iso(datetime(2026, 12, 1, 9, 5, 1, 999)) == "2026-12-01T09:05:01+00:00"
    assert formats.ago(datetime(2026, 11, 30, 8), TODAY) == "Yesterday"
    assert formats.ago(datetime(2026, 11, 21, 8), TODAY) == "10 days ago"
    assert formats.ago(None, TODAY) == "Never"
    assert [formats.minutes(s) for s in (42, 180, 4800)] == ["42 s", "3 min", "1 h 20 min"]


def test_today_is_the_organisations_and_a_wrong_zone_stops_the_start(make_app):
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: never the same day
        with make_app(TIMEZONE=zone).app_context():
            assert formats.today() == datetime.now(ZoneInfo(zone)).date()
    with pytest.raises(SystemExit, match="not a time zone"):
        make_app(TIMEZONE="Europe/Lile")
