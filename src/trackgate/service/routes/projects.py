"""Project routes under ``/workspaces/{wid}/projects``: list, read, write, delete, pin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, StrictBool
from starlette.responses import Response

from trackgate.service import bulk_patch, project_removal, wire
from trackgate.service import projects as domain
from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.errors import TogglError
from trackgate.service.paging import descending, page_from
from trackgate.service.params import PathId, flag, id_list, unix_since
from trackgate.service.payloads import PatchOp
from trackgate.service.project_views import (
    ProjectFilter,
    list_projects,
    render_project,
    render_projects,
    sort_field,
)
from trackgate.service.responses import TogglJSON, empty_ok

router = APIRouter(tags=["projects"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/workspaces/{workspace_id}/projects"
DEFAULT_PER_PAGE = 151
MAX_PER_PAGE = 200
PATCH_FIELDS = frozenset(domain.ProjectPayload.model_fields) - {
    "workspace_id",
    "name",
    "client_name",
}
PATCH_FLAGS = frozenset({"active", "is_private", "billable", "auto_estimates", "template"})


class PinPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    pin: StrictBool


def _active(value: str | None) -> bool | None:
    """``true``, ``false`` or ``both``; both when absent, so archived projects are listed."""
    if value is not None and value.lower() == "both":
        return None
    return flag(value, "active")


def listing(
    caller: Caller,
    workspace_id: int,
    active: str | None = None,
    since: str | None = None,
    billable: str | None = None,
    client_ids: str | None = None,
    name: str | None = None,
    page: str | None = None,
    per_page: str | None = None,
    sort_field_: str | None = None,
    sort_order: str | None = None,
    sort_pinned: str | None = None,
) -> list[wire.Json]:
    """``GET /workspaces/{wid}/projects`` (also answered by ``hot_reads``), every filter."""
    f = ProjectFilter(
        active=_active(active),
        since=unix_since(since),
        billable=flag(billable, "billable"),
        client_ids=id_list(client_ids, "client_ids"),
        name=name,
        sort_field=sort_field(sort_field_),
        descending=descending(sort_order),
        sort_pinned=bool(flag(sort_pinned, "sort_pinned")),
        page=page_from(page, per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
    )
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = list_projects(session, caller.user_id, [workspace_id], f)
        return render_projects(session, caller.user_id, found)


@router.get(BASE)
def list_workspace_projects(
    caller: CallerDep,
    workspace_id: PathId,
    active: str | None = None,
    since: str | None = None,
    billable: str | None = None,
    client_ids: Annotated[str | None, Query()] = None,
    name: str | None = None,
    page: str | None = None,
    per_page: str | None = None,
    sort_field_: Annotated[str | None, Query(alias="sort_field")] = None,
    sort_order: str | None = None,
    sort_pinned: str | None = None,
) -> Response:
    return TogglJSON(
        listing(
            caller, workspace_id, active, since, billable, client_ids, name, page, per_page,
            sort_field_, sort_order, sort_pinned,
        )
    )  # fmt: skip


@router.post(BASE)
def create_project(
    caller: CallerDep, workspace_id: PathId, payload: Annotated[domain.ProjectPayload, Body()]
) -> Response:
    with caller.runtime.db.write() as session:
        workspace = workspace_for(session, caller.user_id, workspace_id)
        made = domain.create(session, workspace, caller.user_id, payload)
        return TogglJSON(render_project(session, caller.user_id, made))


def one(caller: Caller, workspace_id: int, project_id: int) -> wire.Json:
    """``GET /workspaces/{wid}/projects/{pid}`` (also answered by ``hot_reads``)."""
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, project_id, caller.user_id)
        return render_project(session, caller.user_id, found)


@router.get(BASE + "/{project_id}")
def get_project(caller: CallerDep, workspace_id: PathId, project_id: PathId) -> Response:
    return TogglJSON(one(caller, workspace_id, project_id))


@router.put(BASE + "/{project_id}")
def update_project(
    caller: CallerDep,
    workspace_id: PathId,
    project_id: PathId,
    payload: Annotated[domain.ProjectPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, project_id, caller.user_id)
        domain.require_manager(session, caller.user_id, found)
        domain.update(session, found, caller.user_id, payload)
        return TogglJSON(render_project(session, caller.user_id, found))


@router.delete(BASE + "/{project_id}")
def delete_project(
    caller: CallerDep,
    workspace_id: PathId,
    project_id: PathId,
    te_deletion_mode: Annotated[str | None, Query(alias="teDeletionMode")] = None,
) -> Response:
    """Answers the deleted project's id (the spec's ``integer``)."""
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, project_id, caller.user_id)
        domain.require_manager(session, caller.user_id, found)
        project_removal.delete(session, found, te_deletion_mode)
    return TogglJSON(project_id)


@router.post(BASE + "/{project_id}/pin")
def pin_project(
    caller: CallerDep,
    workspace_id: PathId,
    project_id: PathId,
    payload: Annotated[PinPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, project_id, caller.user_id)
        project_removal.pin(session, caller.user_id, found, payload.pin)
    return empty_ok()


@router.patch(BASE + "/{project_ids}")
def bulk_edit_projects(
    caller: CallerDep,
    workspace_id: PathId,
    project_ids: str,
    ops: Annotated[list[PatchOp], Body()],
) -> Response:
    """Each project changes on its own: ``{"success": [ids], "failure": [{id, message}]}``."""
    ids = bulk_patch.ids_from(project_ids, "project")
    payloads = bulk_patch.payloads_for(
        ops, domain.ProjectPayload, PATCH_FIELDS, PATCH_FLAGS, {"cid": "client_id"}
    )
    success: list[int] = []
    failure: list[dict[str, Any]] = []
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        for project_id in ids:
            try:
                with session.begin_nested():
                    found = domain.get(session, workspace_id, project_id, caller.user_id)
                    domain.require_manager(session, caller.user_id, found)
                    for payload in payloads:
                        domain.update(session, found, caller.user_id, payload)
                success.append(project_id)
            except TogglError as exc:
                failure.append({"id": project_id, "message": exc.message})
    return TogglJSON({"success": success, "failure": failure})
