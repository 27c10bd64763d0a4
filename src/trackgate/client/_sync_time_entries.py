# Generated from the _async_ twin by `python -m trackgate.client._unasync`: do not edit.
# ruff: noqa: UP028
"""Time entries: the timer (start, stop, current) and the log (list, create, edit, bulk)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from trackgate.client import payloads
from trackgate.client._sync_resource import _Resource
from trackgate.client._types import NOT_GIVEN, NotGiven, given
from trackgate.client.models import BulkEditResult, TimeEntry, parse_list, parse_one

Maybe = Any | NotGiven


class TimeEntries(_Resource):
    """Time entries: the timer (start, stop, current) and the log (list, create, edit)."""

    def list(
        self,
        *,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        since: datetime | int | None = None,
        before: date | datetime | str | None = None,
        meta: bool = False,
    ) -> builtins.list[TimeEntry]:
        """``GET /me/time_entries``; dates filter on start, ``since`` on modification."""
        params = payloads.query(
            start_date=start_date,
            end_date=end_date,
            since=payloads.unix(since) if since is not None else None,
            before=before,
            meta=meta or None,
        )
        body = self._client.call("GET", "/me/time_entries", params=params)
        return parse_list(TimeEntry, body)

    def iterate(
        self, since: date, until: date, *, window_days: int = 30, meta: bool = False
    ) -> Iterator[TimeEntry]:
        """Entries started between two dates (inclusive), newest first, one window at a time
        (Toggl caps one listing, so long ranges are walked in date windows)."""
        end = until + timedelta(days=1)
        while end > since:
            start = max(since, end - timedelta(days=window_days))
            for entry in self.list(start_date=start, end_date=end, meta=meta):
                yield entry
            end = start

    def current(self) -> TimeEntry | None:
        """The running entry, or None."""
        return parse_one(TimeEntry, self._client.call("GET", "/me/time_entries/current"))

    def get(self, time_entry_id: int, *, meta: bool = False) -> TimeEntry:
        body = self._client.call(
            "GET", f"/me/time_entries/{time_entry_id}", params=payloads.query(meta=meta or None)
        )
        return TimeEntry.from_raw(body)

    def create(
        self,
        workspace_id: int,
        *,
        start: datetime | str | None = None,
        stop: Maybe = NOT_GIVEN,
        duration: Maybe = NOT_GIVEN,
        description: Maybe = NOT_GIVEN,
        project_id: Maybe = NOT_GIVEN,
        task_id: Maybe = NOT_GIVEN,
        tags: Maybe = NOT_GIVEN,
        tag_ids: Maybe = NOT_GIVEN,
        billable: Maybe = NOT_GIVEN,
        allow_long: bool = False,
        **extra: Any,
    ) -> TimeEntry:
        """A new entry; running when neither ``stop`` nor ``duration`` is given. One over
        24 hours raises :class:`LongEntryError` unless ``allow_long``."""
        if not allow_long:
            payloads.check_length(start, stop, duration)
        fields = given(
            start=start,
            stop=stop,
            duration=duration,
            description=description,
            project_id=project_id,
            task_id=task_id,
            tags=tags,
            tag_ids=tag_ids,
            billable=billable,
        )
        body = payloads.new_time_entry(workspace_id, {**fields, **extra})
        return TimeEntry.from_raw(
            self._client.call("POST", f"/workspaces/{workspace_id}/time_entries", json=body)
        )

    def start(
        self,
        workspace_id: int,
        description: str | None = None,
        *,
        start: datetime | str | None = None,
        project_id: int | None = None,
        task_id: int | None = None,
        tags: Iterable[str] | None = None,
        billable: bool | None = None,
    ) -> TimeEntry:
        """Start a timer (a running entry started now or at ``start``); Toggl stops the one
        that was running."""
        extra: dict[str, Any] = {}
        for name, value in (
            ("description", description),
            ("project_id", project_id),
            ("task_id", task_id),
            ("billable", billable),
        ):
            if value is not None:
                extra[name] = value
        if tags is not None:
            extra["tags"] = list(tags)
        return self.create(workspace_id, start=start, duration=-1, **extra)

    def stop(self, workspace_id: int, time_entry_id: int) -> TimeEntry:
        """Stop a running entry now (409 ``ConflictError`` when already stopped)."""
        path = f"/workspaces/{workspace_id}/time_entries/{time_entry_id}/stop"
        return TimeEntry.from_raw(self._client.call("PATCH", path))

    def update(
        self, workspace_id: int, time_entry_id: int, *, allow_long: bool = False, **fields: Any
    ) -> TimeEntry:
        """Change the fields given (PUT is partial); None clears a field. A new length over 24
        hours (a duration, or a start and a stop) raises :class:`LongEntryError` unless
        ``allow_long``."""
        if not allow_long:
            payloads.check_length(fields.get("start"), fields.get("stop"), fields.get("duration"))
        path = f"/workspaces/{workspace_id}/time_entries/{time_entry_id}"
        body = self._client.call("PUT", path, json=payloads.changes(given(**fields)))
        return TimeEntry.from_raw(body)

    def delete(self, workspace_id: int, time_entry_id: int) -> None:
        path = f"/workspaces/{workspace_id}/time_entries/{time_entry_id}"
        self._client.call("DELETE", path)

    def bulk_edit(
        self, workspace_id: int, time_entry_ids: Iterable[int], **fields: Any
    ) -> BulkEditResult:
        """One JSON-patch for up to 100 entries; per-entry success and failure."""
        path = f"/workspaces/{workspace_id}/time_entries/{payloads.id_list(time_entry_ids)}"
        body = self._client.call("PATCH", path, json=payloads.json_patch(given(**fields)))
        return BulkEditResult.from_raw(body)
