"""Report time in the requesting user's zone: local days, weeks and the UTC instants behind them.

SQLite has no time-zone functions, so the zone's behaviour is computed here: the UTC instants
of local midnights, and the few spans of constant UTC offset a report's range crosses. The
database only adds an offset chosen from those spans to a start and divides by a day, which
reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from trackgate.zones import zone_named

#: ``date.toordinal()`` of 1970-01-01: local day numbers count days since then.
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86400


@dataclass(frozen=True)
class OffsetSpan:
    """From ``since`` (UTC, inclusive) until the next span, local time is UTC + ``offset``."""

    since: datetime
    offset: int


def zone_of(name: str | None) -> ZoneInfo:
    """The user's zone; an unknown or empty name reads as UTC rather than failing a report."""
    return zone_named(name) or ZoneInfo("UTC")


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def day_of(number: int) -> date:
    return date.fromordinal(number + EPOCH_ORDINAL)


@dataclass(frozen=True)
class LocalCalendar:
    """Days and weeks as the user sees them: their zone, their first day of the week."""

    zone: ZoneInfo
    #: 0 = Sunday ... 6 = Saturday, as Toggl spells ``beginning_of_week``
    beginning_of_week: int = 1

    def midnight(self, day: date) -> datetime:
        """The UTC instant the local day begins (a skipped midnight moves to the first hour)."""
        local = datetime.combine(day, time(), tzinfo=self.zone)
        return local.astimezone(UTC)

    def bounds(self, first: date, last: date) -> tuple[datetime, datetime]:
        """UTC instants ``[from, until)`` of the inclusive local days ``first``..``last``."""
        return self.midnight(first), self.midnight(last + timedelta(days=1))

    def offset_at(self, instant: datetime) -> int:
        offset = instant.astimezone(self.zone).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def spans(self, start: datetime, end: datetime) -> list[OffsetSpan]:
        """The spans of constant offset covering ``[start, end)``; a transition is found to the
        second by bisection between two hourly samples that disagree."""
        spans = [OffsetSpan(start, self.offset_at(start))]
        probe = start
        while probe < end:
            step = min(probe + timedelta(hours=6), end)
            if self.offset_at(step) != spans[-1].offset:
                low, high = probe, step
                while (high - low) > timedelta(seconds=1):
                    middle = low + (high - low) / 2
                    if self.offset_at(middle) == spans[-1].offset:
                        low = middle
                    else:
                        high = middle
                since = high.replace(microsecond=0)
                spans.append(OffsetSpan(since, self.offset_at(since)))
            probe = step
        return spans

    def week_start(self, day: date) -> date:
        """The first day of the user's week holding ``day``."""
        sunday_based = (day.weekday() + 1) % 7  # Monday 1 ... Sunday 0
        back = (sunday_based - self.beginning_of_week) % 7
        return day - timedelta(days=back)

    def local_stamp(self, instant: datetime | None) -> str | None:
        """An instant in the user's offset: ``2024-03-31T03:00:00+02:00``."""
        if instant is None:
            return None
        return instant.astimezone(self.zone).isoformat(timespec="seconds")


def calendar_for(timezone: str | None, beginning_of_week: int | None) -> LocalCalendar:
    week = beginning_of_week if beginning_of_week is not None and 0 <= beginning_of_week <= 6 else 1
    return LocalCalendar(zone_of(timezone), week)
