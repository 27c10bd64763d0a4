"""Request bodies and query strings as Toggl spells them, built from Python values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

CREATED_WITH = "trackgate"


def instant(value: datetime | str) -> str:
    """An aware datetime as Toggl's UTC seconds with ``Z``; strings pass through."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("datetimes sent to Toggl must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value: date | str) -> str:
    """A date as ``YYYY-MM-DD``."""
    return value if isinstance(value, str) else value.isoformat()


def unix(value: datetime | int) -> int:
    """``since`` and ``before`` are unix seconds."""
    return value if isinstance(value, int) else int(value.timestamp())


def query(**params: Any) -> dict[str, Any]:
    """Query parameters without the ones left at None; booleans spelled true/false."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, datetime):
            value = instant(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        out[name] = value
    return out


def _spell(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: instant(value) if isinstance(value, datetime) else value
        for name, value in fields.items()
    }


def new_time_entry(workspace_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A create body: running when neither stop nor duration is given (``duration: -1``)."""
    body: dict[str, Any] = {"workspace_id": workspace_id, "created_with": CREATED_WITH}
    body.update(_spell(fields))
    if body.get("start") is None:
        body["start"] = instant(datetime.now(UTC))
    if "stop" not in body and "duration" not in body:
        body["duration"] = -1
    return body


def changes(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An update body: only the fields given (None clears), instants spelled as Toggl does."""
    return _spell(fields)


def json_patch(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A bulk edit: one ``replace`` operation per field (None removes it)."""
    patch: list[dict[str, Any]] = []
    for name, value in _spell(fields).items():
        if value is None:
            patch.append({"op": "remove", "path": f"/{name}"})
        else:
            patch.append({"op": "replace", "path": f"/{name}", "value": value})
    return patch


def id_list(ids: Iterable[int]) -> str:
    """Ids as the comma-joined path segment of a bulk edit (at most 100)."""
    joined = [str(int(i)) for i in ids]
    if not joined or len(joined) > 100:
        raise ValueError("a bulk edit takes between 1 and 100 ids")
    return ",".join(joined)


def report_filters(start_date: date | str, end_date: date | str, **filters: Any) -> dict[str, Any]:
    """A Reports API v3 body: inclusive dates and the filters given."""
    body: dict[str, Any] = {"start_date": day(start_date), "end_date": day(end_date)}
    body.update({k: v for k, v in filters.items() if v is not None})
    return body


#: Longer than this, an entry needs ``allow_long=True``: a day is the longest a person works.
LONGEST_ENTRY = 24 * 3600


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None  # the server says what is wrong with it
    return None


def check_length(start: Any, stop: Any, duration: Any) -> None:
    """Refuse an entry over 24 hours (``LongEntryError``): given as a duration or as a start
    and stop."""
    from trackgate.client.errors import LongEntryError

    seconds: float | None = None
    if isinstance(duration, int | float) and not isinstance(duration, bool) and duration > 0:
        seconds = float(duration)
    began, ended = _when(start), _when(stop)
    if began is not None and ended is not None:
        seconds = (ended - began).total_seconds()
    if seconds is not None and seconds > LONGEST_ENTRY:
        hours = seconds / 3600
        raise LongEntryError(
            f"the entry is {hours:.1f} hours long (over 24 h); pass allow_long=True to keep it"
        )
