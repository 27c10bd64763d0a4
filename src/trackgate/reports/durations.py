"""Durations and amounts as people read them in exports (Toggl's ``duration_format``)."""

from __future__ import annotations

from typing import Literal

DurationFormat = Literal["classic", "decimal", "improved"]


def duration(seconds: int, style: DurationFormat = "classic") -> str:
    """classic ``01:05:09``, improved ``1:05:09``, decimal hours ``1.09``."""
    if style == "decimal":
        return f"{seconds / 3600:.2f}"
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if style == "improved":
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def money(cents: int) -> str:
    """Cents as a decimal amount: ``1234`` -> ``12.34``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"
