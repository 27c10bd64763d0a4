"""Time-entry tools: the timer (current, start, stop) and the log (list, add, update, delete).

Each function takes a :class:`Toolkit` and the tool's arguments and returns the result model
and a one-line summary. Times typed in words are read in the Toggl profile's zone.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from trackgate.cli import when
from trackgate.client import NOT_GIVEN, TimeEntry
from trackgate.client.payloads import LONGEST_ENTRY
from trackgate.mcp import observe
from trackgate.mcp.ranges import parse_range
from trackgate.mcp.toolkit import ToolInputError, Toolkit
from trackgate.mcp.views import CurrentEntryResult, EntryListResult, EntryResult, EntryRow, clock

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Keep:
    """An argument that was not given: the entry keeps what it has."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = Keep()


def _describe(row: EntryRow | None) -> str:
    if row is None:
        return "nothing"
    what = row.description or "(no description)"
    where = f" on {row.project}" if row.project else ""
    state = "running for" if row.running else "lasting"
    return f"{what!r}{where}, {state} {clock(row.seconds)} (id {row.id})"


async def _moment(kit: Toolkit, text: str | None) -> datetime | None:
    if text is None or not str(text).strip():
        return None
    profile = await kit.profile()
    return when.moment(str(text), datetime.now(UTC), profile.tz)


def _seconds(duration: str | int | None) -> int | None:
    if duration is None or duration == "":
        return None
    if isinstance(duration, int):
        return duration
    text = str(duration).strip()
    return int(text) if text.isdigit() else when.duration(text)


async def current_entry(
    kit: Toolkit, freshness: observe.Freshness
) -> tuple[CurrentEntryResult, str]:
    row = await kit.row(await kit.toggl.time_entries.current())
    result = CurrentEntryResult(**kit.envelope(freshness), entry=row)
    return result, f"Running: {_describe(row)}." if row else "No timer is running."


async def start_timer(
    kit: Toolkit,
    freshness: observe.Freshness,
    *,
    description: str,
    project: str | int | None,
    tags: list[str] | None,
    billable: bool | None,
    start: str | None,
    workspace: str | int | None,
) -> tuple[EntryResult, str]:
    wid = await kit.workspace_id(workspace)
    project_id = await kit.project_id(project, wid) if project not in (None, "") else None
    key = (wid, description, project_id, tuple(tags or ()), billable, start)
    running = await kit.toggl.time_entries.current()
    repeated = kit.repeated_start(key)
    if repeated is not None and running is not None and running.id == repeated:
        row = await kit.row(running)
        result = EntryResult(**kit.envelope(freshness), entry=row, repeated=True)
        return result, f"Already started a moment ago: {_describe(row)}."
    began = await _moment(kit, start)
    entry = await kit.toggl.time_entries.start(
        wid,
        description,
        start=began,
        project_id=project_id,
        tags=tags,
        billable=billable,
    )
    assert entry.id is not None
    kit.remember_start(key, entry.id)
    stopped = None
    if running is not None and running.id != entry.id and running.id is not None:
        stopped = await kit.row(await kit.toggl.time_entries.get(running.id))
    rows = await kit.rows([entry])
    result = EntryResult(**kit.envelope(freshness), entry=rows[0], stopped=stopped)
    summary = f"Started {_describe(rows[0])}."
    if stopped is not None:
        summary += f" Stopped {_describe(stopped)}."
    return result, summary


async def stop_timer(kit: Toolkit, freshness: observe.Freshness) -> tuple[EntryResult, str]:
    running = await kit.toggl.time_entries.current()
    if running is None or running.id is None or running.workspace_id is None:
        return EntryResult(**kit.envelope(freshness), entry=None), "No timer was running."
    stopped = await kit.toggl.time_entries.stop(running.workspace_id, running.id)
    row = await kit.row(stopped)
    return EntryResult(**kit.envelope(freshness), entry=row), f"Stopped {_describe(row)}."


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith("o:") and text[2:].isdigit():
            return int(text[2:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise ToolInputError("cursor is not one this tool gave out; start again without it")


def page_bounds(limit: int | None, cursor: str | None) -> tuple[int, int]:
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        raise ToolInputError(f"limit must be between 1 and {MAX_LIMIT}")
    return _offset(cursor), size


def next_cursor(offset: int, size: int, total: int) -> str | None:
    return _cursor(offset + size) if offset + size < total else None


async def entries_in(kit: Toolkit, range_text: str) -> tuple[str, list[TimeEntry]]:
    """Entries that started in the range (local days), newest first."""
    profile = await kit.profile()
    days = parse_range(range_text, datetime.now(UTC), profile.tz, profile.beginning_of_week)
    listed = await kit.toggl.time_entries.list(start_date=days.start, end_date=days.end)
    inside = [e for e in listed if e.start is not None and days.start <= e.start < days.end]
    inside.sort(key=lambda e: e.start or days.start, reverse=True)
    return days.label(), inside


async def list_entries(
    kit: Toolkit,
    freshness: observe.Freshness,
    *,
    range_text: str,
    project: str | int | None,
    client: str | int | None,
    tags: list[str] | None,
    text: str | None,
    workspace: str | int | None,
    limit: int | None,
    cursor: str | None,
) -> tuple[EntryListResult, str]:
    offset, size = page_bounds(limit, cursor)
    label, entries = await entries_in(kit, range_text)
    if workspace not in (None, ""):
        wid = await kit.workspace_id(workspace)
        entries = [e for e in entries if e.workspace_id == wid]
    if project not in (None, ""):
        pid = await kit.project_id(project, (await kit.workspace_id(workspace)))
        entries = [e for e in entries if e.project_id == pid]
    if client not in (None, ""):
        cid = await kit.client_id(client, (await kit.workspace_id(workspace)))
        projects = await kit.projects()
        of_client = {pid for pid, p in projects.items() if p.client_id == cid}
        entries = [e for e in entries if e.project_id in of_client]
    if tags:
        wanted = {t.casefold() for t in tags}
        entries = [e for e in entries if wanted <= {t.casefold() for t in e.tags or []}]
    if text:
        needle = text.casefold()
        entries = [e for e in entries if needle in (e.description or "").casefold()]
    rows = await kit.rows(entries)
    total_seconds = sum(row.seconds for row in rows)
    page = rows[offset : offset + size]
    result = EntryListResult(
        **kit.envelope(freshness),
        range=label,
        entries=page,
        total_count=len(rows),
        total_seconds=total_seconds,
        next_cursor=next_cursor(offset, size, len(rows)),
    )
    return result, f"{len(rows)} entries in {label}, {clock(total_seconds)} in all."


async def add_entry(
    kit: Toolkit,
    freshness: observe.Freshness,
    *,
    description: str,
    start: str,
    stop: str | None,
    duration: str | int | None,
    project: str | int | None,
    tags: list[str] | None,
    billable: bool | None,
    workspace: str | int | None,
    force: bool = False,
) -> tuple[EntryResult, str]:
    began = await _moment(kit, start)
    if began is None:
        raise ToolInputError("start is required: when the work began")
    ended = await _moment(kit, stop)
    seconds = _seconds(duration)
    if ended is None and seconds is None:
        raise ToolInputError("give stop or duration (to start a running timer use start_timer)")
    if ended is not None and seconds is not None:
        raise ToolInputError("give stop or duration, not both")
    if ended is not None:
        seconds = int((ended - began).total_seconds())
    if seconds is None or seconds <= 0:
        raise ToolInputError("the entry must end after it starts")
    if seconds > LONGEST_ENTRY and not force:
        raise ToolInputError(
            f"the entry would be {clock(seconds)} long (over 24 h): check stop, or pass "
            "force: true to keep it"
        )
    wid = await kit.workspace_id(workspace)
    project_id = await kit.project_id(project, wid) if project not in (None, "") else NOT_GIVEN
    entry = await kit.toggl.time_entries.create(
        wid,
        start=began,
        duration=seconds,
        description=description,
        project_id=project_id,
        tags=list(tags) if tags else NOT_GIVEN,
        billable=billable if billable is not None else NOT_GIVEN,
        allow_long=force,
    )
    row = await kit.row(entry)
    return EntryResult(**kit.envelope(freshness), entry=row), f"Added {_describe(row)}."


async def _entry(kit: Toolkit, entry_id: int) -> TimeEntry:
    entry = await kit.toggl.time_entries.get(entry_id)
    if entry.workspace_id is None or entry.id is None:
        raise ToolInputError(f"time entry {entry_id} has no workspace")
    return entry


def _new_length(
    entry: TimeEntry, began: datetime | None, ended: datetime | None, seconds: int | None
) -> int | None:
    """How long the entry is once changed; None while it runs."""
    if seconds is not None:
        return seconds
    start, stop = began or entry.start, ended or entry.stop
    if start is None or stop is None or (entry.running and ended is None):
        return None
    return int((stop - start).total_seconds())


async def update_entry(
    kit: Toolkit,
    freshness: observe.Freshness,
    *,
    entry_id: int,
    changes: dict[str, Any],
    force: bool = False,
) -> tuple[EntryResult, str]:
    """``changes`` holds only the arguments given (KEEP dropped); None clears a field."""
    entry = await _entry(kit, entry_id)
    assert entry.workspace_id is not None
    fields: dict[str, Any] = {}
    if "description" in changes:
        fields["description"] = changes["description"] or ""
    if "project" in changes:
        ref = changes["project"]
        fields["project_id"] = (
            None if ref in (None, "") else await kit.project_id(ref, entry.workspace_id)
        )
    if "billable" in changes:
        fields["billable"] = bool(changes["billable"])
    tags = list(entry.tags or [])
    if "tags" in changes:
        tags = list(changes["tags"] or [])
    for name in changes.get("add_tags") or []:
        if name.casefold() not in {t.casefold() for t in tags}:
            tags.append(name)
    removed = {t.casefold() for t in changes.get("remove_tags") or []}
    tags = [t for t in tags if t.casefold() not in removed]
    if {"tags", "add_tags", "remove_tags"} & changes.keys():
        fields["tags"] = tags
    began = await _moment(kit, changes.get("start"))
    ended = await _moment(kit, changes.get("stop"))
    seconds = _seconds(changes.get("duration"))
    if began is not None:
        fields["start"] = began.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if ended is not None:
        fields["stop"] = ended.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if seconds is not None:
        fields["duration"] = seconds
    if not fields:
        raise ToolInputError("nothing to change: give at least one field")
    length = _new_length(entry, began, ended, seconds)
    if length is not None and length > LONGEST_ENTRY and not force:
        raise ToolInputError(
            f"the entry would be {clock(length)} long (over 24 h): check start, stop and "
            "duration, or pass force: true to keep it"
        )
    updated = await kit.toggl.time_entries.update(
        entry.workspace_id, entry_id, allow_long=True, **fields
    )
    row = await kit.row(updated)
    return EntryResult(**kit.envelope(freshness), entry=row), f"Updated {_describe(row)}."


async def entry_to_delete(kit: Toolkit, entry_id: int) -> tuple[TimeEntry, EntryRow]:
    entry = await _entry(kit, entry_id)
    row = await kit.row(entry)
    assert row is not None
    return entry, row


async def delete_entry(
    kit: Toolkit, freshness: observe.Freshness, entry: TimeEntry, row: EntryRow
) -> tuple[EntryResult, str]:
    assert entry.workspace_id is not None and entry.id is not None
    await kit.toggl.time_entries.delete(entry.workspace_id, entry.id)
    return EntryResult(**kit.envelope(freshness), entry=row), f"Deleted {_describe(row)}."
