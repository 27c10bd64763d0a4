"""Ranges of days as agents name them, in the Toggl profile's time zone and week.

``today``, ``yesterday``, ``this week``, ``last week``, ``this month``, ``last month``, one
``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD`` (both days included). Weeks begin on the
profile's ``beginning_of_week`` (Toggl: 0 = Sunday, 1 = Monday, ... 6 = Saturday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

RANGE_WORDS = ("today", "yesterday", "this week", "last week", "this month", "last month")


class RangeError(ValueError):
    """Not a range this server understands; the message says what is."""


@dataclass(frozen=True)
class DayRange:
    """Inclusive local days ``first``..``last`` and the instants that bound them."""

    first: date
    last: date
    start: datetime
    end: datetime  # exclusive: local midnight after ``last``

    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def week_start(day: date, beginning_of_week: int) -> date:
    """The first day of ``day``'s week, for Toggl's 0 = Sunday numbering."""
    python_weekday = (beginning_of_week - 1) % 7  # Python: 0 = Monday
    return day - timedelta(days=(day.weekday() - python_weekday) % 7)


def _days(text: str, today: date, beginning_of_week: int) -> tuple[date, date]:
    value = " ".join(text.strip().lower().split())
    if value in ("", "today"):
        return today, today
    if value == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if value in ("this week", "last week"):
        first = week_start(today, beginning_of_week)
        if value == "last week":
            first -= timedelta(days=7)
        return first, first + timedelta(days=6)
    if value in ("this month", "last month"):
        first = today.replace(day=1)
        if value == "last month":
            first = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    parts = value.split("..")
    try:
        days = [date.fromisoformat(part.strip()) for part in parts]
    except ValueError:
        days = []
    if len(days) == 1:
        return days[0], days[0]
    if len(days) == 2 and days[0] <= days[1]:
        return days[0], days[1]
    raise RangeError(
        f"not a range: {text!r}; use one of {', '.join(RANGE_WORDS)}, "
        "YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"
    )


def parse_range(text: str, now: datetime, tz: tzinfo, beginning_of_week: int = 1) -> DayRange:
    """The local days ``text`` names, relative to ``now``, with their bounding instants."""
    first, last = _days(text, now.astimezone(tz).date(), beginning_of_week)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return DayRange(first, last, start, end)
