"""Query-string and path values as Toggl reads them, with Toggl-style 400s for bad ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path

from trackgate.service.errors import BadRequest
from trackgate.timefmt import parse_instant

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1

PathId = Annotated[int, Path(ge=-INT64_MAX, le=INT64_MAX)]
"""An id in the path: any 64-bit integer, so a huge one is a 400 and never reaches the database."""


def flag(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BadRequest(f"Invalid value for {name}: expected true or false")


def unix_since(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        seconds = int(value)
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise BadRequest("Invalid value for since: expected a UNIX timestamp") from exc


def instant(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except (ValueError, OverflowError) as exc:
        raise BadRequest(f"Invalid {name}: expected RFC3339 or YYYY-MM-DD") from exc


def positive_int(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise BadRequest(f"Invalid value for {name}: expected an integer") from exc
    if number < 1:
        raise BadRequest(f"Invalid value for {name}: must be at least 1")
    if number > INT32_MAX:
        raise BadRequest(f"Invalid value for {name}: too large")
    return min(number, maximum) if maximum else number


def id_list(value: str | None, name: str) -> list[int] | None:
    if value is None or value == "":
        return None
    try:
        ids = [int(part) for part in value.replace("[", "").replace("]", "").split(",") if part]
    except ValueError as exc:
        raise BadRequest(f"Invalid value for {name}: expected comma-separated ids") from exc
    if any(abs(i) > INT64_MAX for i in ids):
        raise BadRequest(f"Invalid value for {name}: id out of range")
    return ids
