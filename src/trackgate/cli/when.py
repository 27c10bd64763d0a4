"""Times and durations as people type them, read in their time zone.

Moments: ``now``, ``9:30``, ``5pm``, ``yesterday``, ``yesterday 17:00``, ``monday 9:00`` (the
most recent past Monday), ``-2h``, ``1h30m ago``, ``2026-01-05``, ``2026-01-05 09:00``, and ISO
8601 with an offset. Durations: ``1h30m``, ``90m``, ``1:30``, ``45s``, ``1.5h``. Days (for
``--since``/``--until``, inclusive): ``today``, ``yesterday``, a weekday, ``YYYY-MM-DD``.
A wall time that daylight saving makes ambiguous or skips is an error, not a guess.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm)?$")


class TimeInputError(ValueError):
    """Input that is not a time, or names a wall time that does not exist once."""


def zone(name: str | None) -> tzinfo:
    """The named IANA zone, else ``$TZ``, else the system's, else UTC."""
    candidate = name or os.environ.get("TZ")
    if not candidate:
        try:
            target = str(Path("/etc/localtime").resolve())
            candidate = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else None
        except OSError:
            candidate = None
    if not candidate:
        return UTC
    from trackgate.zones import zone_named  # not needed by every command

    found = zone_named(candidate.lstrip(":"))
    if found is None:
        raise TimeInputError(f"unknown time zone {candidate!r}")
    return found


def duration(text: str) -> int:
    """Seconds in ``1h30m``, ``90m``, ``1:30`` (h:mm), ``45s``, ``1.5h`` or plain minutes."""
    value = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+:\d{2}(:\d{2})?", value):
        parts = [int(p) for p in value.split(":")] + [0]
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    if value.isdigit():
        return int(value) * 60
    match = _DURATION.match(value)
    if not value or not match or not any(match.groups()):
        raise TimeInputError(f"not a duration: {text!r} (try 1h30m, 90m or 1:30)")
    hours, minutes, seconds = match.groups()
    return round(float(hours or 0) * 3600) + int(minutes or 0) * 60 + int(seconds or 0)


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """A wall time in ``tz``; refuses a time that DST makes ambiguous or skips."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != wall:
            raise TimeInputError(f"{wall:%Y-%m-%d %H:%M} does not exist in {tz} (DST)")
        raise TimeInputError(
            f"{wall:%Y-%m-%d %H:%M} happens twice in {tz} (DST): give an offset, e.g. +01:00"
        )
    return first


def _clock(text: str) -> time | None:
    match = _CLOCK.match(text.strip().lower())
    if not match:
        return None
    hour, minute, second, half = match.groups()
    h = int(hour)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half == "pm" else 0)
    elif minute is None:
        return None  # a bare number is not a time of day
    if h > 23 or int(minute or 0) > 59 or int(second or 0) > 59:
        return None
    return time(h, int(minute or 0), int(second or 0))


def day(text: str, today: date) -> date:
    """An inclusive day: today, yesterday, a weekday (the most recent, today included)."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if value == "tomorrow":
        return today + timedelta(days=1)
    for index, name in enumerate(WEEKDAYS):
        if value in (name, name[:3]):
            return today - timedelta(days=(today.weekday() - index) % 7)
    if re.fullmatch(r"-\d+d", value):
        return today - timedelta(days=int(value[1:-1]))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise TimeInputError(f"not a day: {text!r} (try today, monday or 2026-01-05)") from exc


def moment(text: str, now: datetime, tz: tzinfo) -> datetime:
    """An aware instant for what a person typed, relative to ``now`` in ``tz``."""
    value = " ".join(text.strip().lower().split())
    if value in ("", "now"):
        return now
    if value.startswith("-") or value.endswith(" ago"):
        return now - timedelta(seconds=duration(value.removesuffix(" ago").lstrip("-")))
    if value.startswith("+"):
        return now + timedelta(seconds=duration(value[1:]))
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = None
    if parsed is not None:
        return localize(parsed, tz) if parsed.tzinfo is None else parsed
    local_today = now.astimezone(tz).date()
    words = value.split(" ")
    clock = _clock(words[-1]) if len(words) > 1 else _clock(value)
    day_words = " ".join(words[:-1]) if len(words) > 1 and clock else value
    if clock and len(words) == 1:
        return localize(datetime.combine(local_today, clock), tz)
    when = day(day_words, local_today)
    found = localize(datetime.combine(when, clock or time(0)), tz)
    if found > now and day_words in WEEKDAYS + tuple(w[:3] for w in WEEKDAYS):
        found = localize(datetime.combine(when - timedelta(days=7), clock or time(0)), tz)
    return found


_HOUR = r"\d{1,2}(?::\d{2})?(?:am|pm)?"
_RANGE = re.compile(rf"^(?:(.*\S)\s+)?({_HOUR})\s*-\s*({_HOUR})$")


def split_range(text: str) -> tuple[str, str] | None:
    """``yesterday 9-11`` as (``yesterday 9:00``, ``11:00``): a start and a bare stop; None
    when ``text`` is not a range."""
    match = _RANGE.match(" ".join(text.strip().lower().split()))
    if not match:
        return None
    days, first, last = match.groups()
    first, last = (t if ":" in t or t[-2:] in ("am", "pm") else f"{t}:00" for t in (first, last))
    if _clock(first) is None or _clock(last) is None:
        return None
    return (f"{days} {first}" if days else first), last


def ending(text: str, began: datetime, now: datetime, tz: tzinfo) -> datetime:
    """A stop as typed: a bare time of day (``11:00``, ``5pm``) is on the start's day (the day
    after when that is before the start: a night's work); anything else as :func:`moment`."""
    clock = _clock(" ".join(text.strip().lower().split()))
    if clock is None:
        return moment(text, now, tz)
    first = began.astimezone(tz).date()
    ended = localize(datetime.combine(first, clock), tz)
    if ended < began:
        ended = localize(datetime.combine(first + timedelta(days=1), clock), tz)
    return ended


def clock_text(seconds: int) -> str:
    """Seconds as ``h:mm:ss``."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
