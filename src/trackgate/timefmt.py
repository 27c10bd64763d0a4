"""How Toggl spells instants on the wire, and how it reads the ones clients send."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo is UTC else dt.astimezone(UTC)


def read_stamp(dt: datetime | None) -> str | None:
    """Time entry start/stop on reads, and project/client stamps: ``2024-12-16T02:18:20+00:00``.

    A listing spells hundreds of these: ``isoformat()`` of the aware UTC instant (a keyword
    argument such as ``timespec`` alone costs a third more), no strftime."""
    if dt is None:
        return None
    dt = _utc(dt)
    return dt.isoformat()[:19] + "+00:00" if dt.microsecond else dt.isoformat()


def write_stamp(dt: datetime | None) -> str | None:
    """Time entry start/stop in answers to writes: ``2024-12-16T01:55:24Z``."""
    if dt is None:
        return None
    return _utc(dt).isoformat()[:19] + "Z"


def precise_stamp(dt: datetime | None) -> str | None:
    """Modification stamps like Go's RFC3339Nano: ``2024-12-16T02:24:56.5667Z``."""
    if dt is None:
        return None
    dt = _utc(dt)
    text = dt.isoformat()[:-6]  # microseconds only when there are any
    return (text.rstrip("0") if dt.microsecond else text) + "Z"


def parse_instant(value: str) -> datetime:
    """An RFC 3339 instant (any offset, ``Z`` too) as aware UTC; a bare date is midnight UTC.

    Raises ValueError for anything else, including a time without an offset.
    """
    text = value.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone offset")
    return parsed.astimezone(UTC)


def to_seconds(dt: datetime) -> datetime:
    return dt.replace(microsecond=0)


def parse_date(value: str) -> date:
    return date.fromisoformat(value.strip())
