"""Task routes: under a project (``/workspaces/{wid}/projects/{pid}/tasks``), and the
workspace-wide listing ``/workspaces/{wid}/tasks``, which answers a page envelope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from trackgate.service import bulk_patch, projects
from trackgate.service import tasks as domain
from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.errors import BadRequest, TogglError
from trackgate.service.paging import descending, page_from
from trackgate.service.params import PathId, flag, id_list, unix_since
from trackgate.service.payloads import PatchOp
from trackgate.service.responses import TogglJSON, empty_ok
from trackgate.service.task_views import (
    TaskFilter,
    list_tasks,
    render_task,
    render_tasks,
    sort_field,
)
from trackgate.storage.models import Project

router = APIRouter(tags=["tasks"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/workspaces/{workspace_id}/projects/{project_id}/tasks"
DEFAULT_PER_PAGE = 50  # the workspace listing's page, as Toggl's spec says
MAX_PER_PAGE = 200
PATCH_FIELDS = frozenset({"name", "active", "estimated_seconds", "user_id"})


def active_filter(value: str | None) -> bool | None:
    """``true`` only active tasks; ``false``, ``both`` or nothing: all of them (as Toggl's
    spec says, ``false`` is not "only inactive")."""
    if value is not None and value.lower() == "both":
        return None
    return True if flag(value, "active") else None


def workspace_active_filter(value: str | None) -> bool | None:
    """The workspace listing: ``true``, ``false`` (only inactive), ``both``; all when absent."""
    if value is not None and value.lower() == "both":
        return None
    return flag(value, "active")


def _one_id(value: str | None, name: str) -> int | None:
    ids = id_list(value, name)
    if ids is not None and len(ids) != 1:
        raise BadRequest(f"Invalid value for {name}: expected one id")
    return ids[0] if ids else None


def _project(
    session: Session, caller: Caller, workspace_id: int, project_id: int, *, edit: bool = False
) -> Project:
    """The project, if the caller may see it (and change it, for ``edit``)."""
    workspace_for(session, caller.user_id, workspace_id)
    project = projects.get(session, workspace_id, project_id, caller.user_id)
    if edit:
        projects.require_manager(session, caller.user_id, project)
    return project


@router.get(BASE)
def list_project_tasks(
    caller: CallerDep, workspace_id: PathId, project_id: PathId, active: str | None = None
) -> Response:
    f = TaskFilter(active=active_filter(active), project_id=project_id, viewer=caller.user_id)
    with caller.runtime.db.read() as session:
        _project(session, caller, workspace_id, project_id)
        return TogglJSON(render_tasks(session, list_tasks(session, [workspace_id], f)))


@router.post(BASE)
def create_task(
    caller: CallerDep,
    workspace_id: PathId,
    project_id: PathId,
    payload: Annotated[domain.TaskPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        project = _project(session, caller, workspace_id, project_id, edit=True)
        return TogglJSON(render_task(session, domain.create(session, project, payload)))


@router.get(BASE + "/{task_id}")
def get_task(
    caller: CallerDep, workspace_id: PathId, project_id: PathId, task_id: PathId
) -> Response:
    with caller.runtime.db.read() as session:
        project = _project(session, caller, workspace_id, project_id)
        return TogglJSON(render_task(session, domain.get(session, project, task_id)))


@router.put(BASE + "/{task_id}")
def update_task(
    caller: CallerDep,
    workspace_id: PathId,
    project_id: PathId,
    task_id: PathId,
    payload: Annotated[domain.TaskPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        project = _project(session, caller, workspace_id, project_id, edit=True)
        found = domain.update(session, project, domain.get(session, project, task_id), payload)
        return TogglJSON(render_task(session, found))


@router.delete(BASE + "/{task_id}")
def delete_task(
    caller: CallerDep, workspace_id: PathId, project_id: PathId, task_id: PathId
) -> Response:
    with caller.runtime.db.write() as session:
        project = _project(session, caller, workspace_id, project_id, edit=True)
        domain.delete(session, domain.get(session, project, task_id))
    return empty_ok()


@router.get("/workspaces/{workspace_id}/tasks")
def list_workspace_tasks(
    caller: CallerDep,
    workspace_id: PathId,
    active: str | None = None,
    pid: str | None = None,
    since: str | None = None,
    page: str | None = None,
    per_page: str | None = None,
    sort_field_: Annotated[str | None, Query(alias="sort_field")] = None,
    sort_order: str | None = None,
) -> Response:
    paging = page_from(page, per_page, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    f = TaskFilter(
        active=workspace_active_filter(active),
        since=unix_since(since),
        viewer=caller.user_id,
        project_id=_one_id(pid, "pid"),
        sort_field=sort_field(sort_field_),
        descending=descending(sort_order),
    )
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = list_tasks(session, [workspace_id], f)
        data = render_tasks(session, paging.of(found))
    return TogglJSON(
        {
            "data": data,
            "page": paging.number,
            "per_page": paging.size,
            "sort_field": f.sort_field,
            "sort_order": "DESC" if f.descending else "ASC",
            "total_count": len(found),
        }
    )


@router.patch(BASE + "/{task_ids}")
def bulk_edit_tasks(
    caller: CallerDep,
    workspace_id: PathId,
    project_id: PathId,
    task_ids: str,
    ops: Annotated[list[PatchOp], Body()],
) -> Response:
    """Each task changes on its own: ``{"success": [ids], "failure": [{id, message}]}``."""
    ids = bulk_patch.ids_from(task_ids, "task")
    payloads = bulk_patch.payloads_for(ops, domain.TaskPayload, PATCH_FIELDS, {"active"})
    success: list[int] = []
    failure: list[dict[str, Any]] = []
    with caller.runtime.db.write() as session:
        project = _project(session, caller, workspace_id, project_id, edit=True)
        for task_id in ids:
            try:
                with session.begin_nested():
                    found = domain.get(session, project, task_id)
                    for payload in payloads:
                        domain.update(session, project, found, payload)
                success.append(task_id)
            except TogglError as exc:
                failure.append({"id": task_id, "message": exc.message})
    return TogglJSON({"success": success, "failure": failure})
