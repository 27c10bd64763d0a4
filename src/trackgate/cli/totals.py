"""Report arithmetic, apart from I/O: group entries, round durations, price billable time."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from trackgate.client import TimeEntry
from trackgate.money import as_amount, entry_cents, rate_cents

GROUPINGS = ("project", "client", "tag", "description", "day")
#: the periods a report spans
SPANS = ("day", "week", "month")


@dataclass
class Line:
    """One group: its label, tracked and billable seconds, amounts by currency."""

    label: str
    seconds: int = 0
    billable_seconds: int = 0
    cents: dict[str, int] = field(default_factory=dict)

    @property
    def amounts(self) -> dict[str, float]:
        """Amounts by currency: each entry's cents rounded on its own, then added."""
        return {currency: as_amount(c) for currency, c in self.cents.items()}


def period(kind: str, reference: date, week_starts: int = 0) -> tuple[date, date]:
    """The day, week (``week_starts`` 0 = Monday) or month around ``reference``, inclusive."""
    if kind == "day":
        return reference, reference
    if kind == "week":
        first = reference - timedelta(days=(reference.weekday() - week_starts) % 7)
        return first, first + timedelta(days=6)
    if kind == "month":
        first = reference.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    raise ValueError("period is day, week or month")


def rounded(seconds: int, step: int) -> int:
    """Each entry rounded up to a multiple of ``step`` seconds (0: exact)."""
    if step <= 0 or seconds <= 0:
        return max(0, seconds)
    return math.ceil(seconds / step) * step


def _seconds(entry: TimeEntry, now: datetime) -> int:
    if entry.running and entry.start is not None:
        return int((now - entry.start).total_seconds())
    return int(entry.duration or 0)


def keys_for(by: str, entry: TimeEntry, tz: tzinfo) -> list[str]:
    raw = entry.raw
    if by == "project":
        return [
            str(
                raw.get("project_name")
                or ("(no project)" if not entry.project_id else f"project {entry.project_id}")
            )
        ]
    if by == "client":
        return [str(raw.get("client_name") or "(no client)")]
    if by == "tag":
        return list(entry.tags or []) or ["(no tag)"]
    if by == "description":
        return [entry.description or "(no description)"]
    if by == "day":
        start = entry.start or datetime.now(UTC)
        return [start.astimezone(tz).strftime("%Y-%m-%d %a")]
    raise ValueError(f"group by one of {', '.join(GROUPINGS)}")


def total(
    entries: Iterable[TimeEntry],
    by: str,
    tz: tzinfo,
    *,
    step: int = 0,
    rate_of: Callable[[TimeEntry], tuple[float, str] | None] = lambda e: None,
    now: datetime | None = None,
) -> list[Line]:
    """Lines sorted by time, largest first (by day: in date order)."""
    now = now or datetime.now(UTC)
    lines: dict[str, Line] = {}
    for entry in entries:
        seconds = rounded(_seconds(entry, now), step)
        for key in keys_for(by, entry, tz):
            line = lines.setdefault(key, Line(key))
            line.seconds += seconds
            if entry.billable:
                line.billable_seconds += seconds
                priced = rate_of(entry)
                if priced is not None:
                    rate, currency = priced
                    cents = entry_cents(seconds, rate_cents(rate))
                    line.cents[currency] = line.cents.get(currency, 0) + cents
    ordered = sorted(lines.values(), key=lambda line: (-line.seconds, line.label))
    return sorted(ordered, key=lambda line: line.label) if by == "day" else ordered


def bar(seconds: int, largest: int, width: int = 24) -> str:
    if largest <= 0:
        return ""
    return "█" * max(1 if seconds else 0, round(width * seconds / largest))


def as_json(lines: list[Line], first: date, last: date, by: str) -> dict[str, Any]:
    return {
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "grouping": by,
        "total_seconds": sum(line.seconds for line in lines),
        "groups": [
            {
                "title": line.label,
                "seconds": line.seconds,
                "billable_seconds": line.billable_seconds,
                "amounts": line.amounts,
            }
            for line in lines
        ],
    }
