"""IANA time zones by name: the one test of a zone name, for every place that takes one."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone called ``name``; None for an empty or unknown name.

    zoneinfo reads the tz database's files by name, so besides its own errors a name too long
    for a file name raises OSError: that name is unknown too, not a server error."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
