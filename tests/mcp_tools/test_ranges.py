"""Ranges of days in the profile's zone and week (Toggl numbers weekdays from Sunday = 0)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from trackgate.mcp.ranges import RangeError, parse_range

# A Wednesday, late evening in UTC: already Thursday in Tokyo.
NOW = datetime(2026, 3, 25, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("today", date(2026, 3, 25), date(2026, 3, 25)),
        ("yesterday", date(2026, 3, 24), date(2026, 3, 24)),
        ("this week", date(2026, 3, 23), date(2026, 3, 29)),
        ("last week", date(2026, 3, 16), date(2026, 3, 22)),
        ("this month", date(2026, 3, 1), date(2026, 3, 31)),
        ("last month", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-01-05", date(2026, 1, 5), date(2026, 1, 5)),
        ("2026-01-05..2026-01-09", date(2026, 1, 5), date(2026, 1, 9)),
        ("  This   Week ", date(2026, 3, 23), date(2026, 3, 29)),
    ],
)
def test_words_and_dates_in_utc_with_monday_weeks(text: str, first: date, last: date) -> None:
    days = parse_range(text, NOW, UTC, beginning_of_week=1)
    assert (days.first, days.last) == (first, last)
    assert days.start == datetime(first.year, first.month, first.day, tzinfo=UTC)


def test_weeks_follow_the_profile_start_day() -> None:
    sunday = parse_range("this week", NOW, UTC, beginning_of_week=0)
    saturday = parse_range("last week", NOW, UTC, beginning_of_week=6)
    assert (sunday.first, sunday.last) == (date(2026, 3, 22), date(2026, 3, 28))
    assert (saturday.first, saturday.last) == (date(2026, 3, 14), date(2026, 3, 20))


def test_today_is_the_profile_zone_today() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    days = parse_range("today", NOW, tokyo)
    assert days.first == date(2026, 3, 26)
    assert days.start.utcoffset() is not None and days.start.isoformat().endswith("+09:00")


def test_a_day_with_a_daylight_saving_change_is_23_hours_long() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    days = parse_range("2026-03-29", NOW, berlin)
    assert (days.end.astimezone(UTC) - days.start.astimezone(UTC)).total_seconds() == 23 * 3600


@pytest.mark.parametrize("text", ["soon", "2026-02-30", "2026-01-09..2026-01-05", "a..b..c"])
def test_other_text_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(RangeError, match="YYYY-MM-DD..YYYY-MM-DD"):
        parse_range(text, NOW, UTC)
