"""Time entry routes: read under `/me/time_entries`, write under `/workspaces/{wid}`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import ValidationError
from starlette.responses import Response

from trackgate.service import time_entries as domain
from trackgate.service import wire
from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.entry_views import (
    EntryFilter,
    default_window,
    list_entries,
    meta_for,
    render_entry,
    render_records,
    running_record,
)
from trackgate.service.errors import BadRequest, TogglError
from trackgate.service.params import INT64_MAX, PathId, flag, instant, unix_since
from trackgate.service.payloads import PatchOp, TimeEntryPayload
from trackgate.service.responses import TogglJSON, empty_ok
from trackgate.service.tagging import live_tags

router = APIRouter(tags=["time entries"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
MAX_BULK = 100


def listing(
    caller: Caller,
    since: str | None = None,
    before: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    meta: str | None = None,
) -> list[wire.Json]:
    """``GET /me/time_entries`` (also answered by ``hot_reads`` past the framework)."""
    f = EntryFilter(
        since=unix_since(since),
        before=instant(before, "before"),
        start_date=instant(start_date, "start_date"),
        end_date=instant(end_date, "end_date"),
    )
    if f == EntryFilter():
        f = default_window()
    db = caller.runtime.db
    entries = list_entries(db, caller.user_id, f)
    return render_records(db, entries, caller.user, meta=bool(flag(meta, "meta")))


def running(caller: Caller) -> wire.Json | None:
    """``GET /me/time_entries/current`` (also answered by ``hot_reads``)."""
    db = caller.runtime.db
    entry = running_record(db, caller.user_id)
    return render_records(db, [entry], caller.user)[0] if entry else None


@router.get("/me/time_entries")
async def list_time_entries(
    caller: CallerDep,
    since: str | None = None,
    before: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    meta: str | None = None,
) -> Response:
    return TogglJSON(listing(caller, since, before, start_date, end_date, meta))


@router.get("/me/time_entries/current")
async def current_time_entry(caller: CallerDep) -> Response:
    return TogglJSON(running(caller))


def one(caller: Caller, time_entry_id: int, meta: str | None = None) -> wire.Json:
    """``GET /me/time_entries/{id}`` (also answered by ``hot_reads``)."""
    with caller.runtime.db.read() as session:
        entry = domain.get_own(session, caller.user_id, time_entry_id)
        return render_entry(session, entry, caller.user, meta=bool(flag(meta, "meta")))


@router.get("/me/time_entries/{time_entry_id}")
async def get_time_entry(
    caller: CallerDep, time_entry_id: PathId, meta: str | None = None
) -> Response:
    return TogglJSON(one(caller, time_entry_id, meta))


@router.post("/workspaces/{workspace_id}/time_entries")
def create_time_entry(
    caller: CallerDep,
    workspace_id: PathId,
    payload: Annotated[TimeEntryPayload, Body()],
    meta: str | None = None,
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        entry = domain.create(session, caller.user, workspace_id, payload)
        tags = live_tags(session, [workspace_id])
        names = meta_for(session, [entry], caller.user) if flag(meta, "meta") else {}
        body = wire.time_entry(
            entry,
            tags,
            style="write",
            created=True,
            sent_tags=payload.tags is not None or payload.tag_ids is not None,
            sent_duration=payload.duration,
            sent_stop=bool(payload.stop),
            meta=names.get(entry.id),
        )
    return TogglJSON(body)


@router.put("/workspaces/{workspace_id}/time_entries/{time_entry_id}")
def update_time_entry(
    caller: CallerDep,
    workspace_id: PathId,
    time_entry_id: PathId,
    payload: Annotated[TimeEntryPayload, Body()],
    meta: str | None = None,
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        entry = domain.get_own(session, caller.user_id, time_entry_id, workspace_id)
        domain.update(session, caller.user, entry, payload)
        body = render_entry(
            session, entry, caller.user, meta=bool(flag(meta, "meta")), style="write"
        )
    return TogglJSON(body)


@router.patch("/workspaces/{workspace_id}/time_entries/{time_entry_id}/stop")
def stop_time_entry(caller: CallerDep, workspace_id: PathId, time_entry_id: PathId) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        entry = domain.get_own(session, caller.user_id, time_entry_id, workspace_id)
        domain.stop(session, caller.user, entry)
        body = render_entry(session, entry, caller.user, style="write")
    return TogglJSON(body)


@router.delete("/workspaces/{workspace_id}/time_entries/{time_entry_id}")
def delete_time_entry(caller: CallerDep, workspace_id: PathId, time_entry_id: PathId) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        entry = domain.get_own(session, caller.user_id, time_entry_id, workspace_id)
        domain.delete(session, entry)
    return empty_ok()


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise BadRequest("Invalid time entry ids") from exc
    if not ids:
        raise BadRequest("No time entry ids given")
    if any(abs(i) > INT64_MAX for i in ids):
        raise BadRequest("Invalid time entry ids")
    if len(ids) > MAX_BULK:
        raise BadRequest(f"Too many time entry ids: at most {MAX_BULK} per request")
    return list(dict.fromkeys(ids))


_PATCH_FIELDS = {
    "/description": "description",
    "/project_id": "project_id",
    "/task_id": "task_id",
    "/billable": "billable",
    "/start": "start",
    "/stop": "stop",
    "/duration": "duration",
    "/tags": "tags",
    "/tag_ids": "tag_ids",
    "/pid": "project_id",
    "/tid": "task_id",
}


def _payloads_for(ops: list[PatchOp]) -> list[TimeEntryPayload]:
    """Each JSON-patch operation as one partial update, applied in order."""
    payloads = []
    for op in ops:
        field = _PATCH_FIELDS.get(op.path)
        if field is None:
            raise BadRequest(f"Unsupported patch path: {op.path}")
        data: dict[str, Any] = {field: None if op.op == "remove" else op.value}
        if field in ("tags", "tag_ids"):
            data[field] = op.value if op.value is not None else []
            if op.op == "add":
                data["tag_action"] = "add"
            elif op.op == "remove":
                data["tag_action"] = "delete" if op.value else None
        if field == "billable" and op.op == "remove":
            data[field] = False
        try:
            payloads.append(TimeEntryPayload.model_validate(data))
        except ValidationError as exc:
            raise BadRequest(f"Invalid value for {op.path}") from exc
    return payloads


@router.patch("/workspaces/{workspace_id}/time_entries/{time_entry_ids}")
def bulk_edit_time_entries(
    caller: CallerDep,
    workspace_id: PathId,
    time_entry_ids: str,
    ops: Annotated[list[PatchOp], Body()],
) -> Response:
    ids = _ids(time_entry_ids)
    payloads = _payloads_for(ops)
    success: list[int] = []
    failure: list[dict[str, Any]] = []
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        for entry_id in ids:
            try:
                with session.begin_nested():
                    entry = domain.get_own(session, caller.user_id, entry_id, workspace_id)
                    for payload in payloads:
                        domain.update(session, caller.user, entry, payload)
                success.append(entry_id)
            except TogglError as exc:
                failure.append({"id": entry_id, "message": exc.message})
    return TogglJSON({"success": success, "failure": failure})
