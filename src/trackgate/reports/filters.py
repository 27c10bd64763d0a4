"""What a report asks for, apart from how it was spelled: dates, id filters, rounding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class IdFilter:
    """Rows whose field is one of ``ids``, or empty when ``include_none`` (Toggl's ``[null]``)."""

    ids: frozenset[int]
    include_none: bool = False


@dataclass(frozen=True)
class Rounding:
    """Each entry's duration rounded to ``minutes``: -1 down, 0 to the nearest, 1 up."""

    direction: int
    minutes: int


@dataclass(frozen=True)
class Filters:
    first_day: date
    last_day: date
    users: IdFilter | None = None
    projects: IdFilter | None = None
    clients: IdFilter | None = None
    tags: IdFilter | None = None
    tasks: IdFilter | None = None
    entry_ids: frozenset[int] | None = None
    billable: bool | None = None
    description: str | None = None
    min_seconds: int | None = None
    max_seconds: int | None = None
    rounding: Rounding | None = None
