"""``/me/projects``, ``/me/clients``, ``/me/tags``, ``/me/tasks``: the caller's objects
across every workspace they belong to. All take ``since`` (UNIX seconds)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from trackgate.service import related, wire
from trackgate.service.access import workspace_ids
from trackgate.service.auth import Caller, current_caller
from trackgate.service.params import flag, positive_int, unix_since
from trackgate.service.project_views import ProjectFilter, list_projects, render_projects
from trackgate.service.responses import TogglJSON

router = APIRouter(tags=["me"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
PAGINATED_DEFAULT = 151  # as the workspace listing; Toggl's own default is unrecorded
PAGINATED_MAX = 200


def projects_body(
    caller: Caller, include_archived: str | None = None, since: str | None = None
) -> list[wire.Json]:
    """``GET /me/projects`` (also answered by ``hot_reads``): active projects; archived ones
    too with ``include_archived=true``."""
    archived = bool(flag(include_archived, "include_archived"))
    changed = unix_since(since)
    with caller.runtime.db.read() as session:
        wids = workspace_ids(session, caller.user_id)
        return related.projects_json(
            session, caller.user_id, wids, changed, include_archived=archived
        )


@router.get("/me/projects")
def my_projects(
    caller: CallerDep, include_archived: str | None = None, since: str | None = None
) -> Response:
    return TogglJSON(projects_body(caller, include_archived, since))


@router.get("/me/projects/paginated")
def my_projects_paginated(
    caller: CallerDep,
    start_project_id: str | None = None,
    since: str | None = None,
    per_page: str | None = None,
) -> Response:
    """Projects by id from ``start_project_id`` on (archived ones too), ``per_page`` at a
    time; a client asks again from the last id + 1 until a short page."""
    start = positive_int(start_project_id, "start_project_id", 1) if start_project_id else 0
    size = positive_int(per_page, "per_page", PAGINATED_DEFAULT, PAGINATED_MAX)
    changed = unix_since(since)
    with caller.runtime.db.read() as session:
        wids = workspace_ids(session, caller.user_id)
        found = list_projects(session, caller.user_id, wids, ProjectFilter(since=changed))
        page = sorted((p for p in found if p.id >= start), key=lambda p: p.id)[:size]
        body = render_projects(session, caller.user_id, page)
    return TogglJSON(body)


def clients_body(caller: Caller, since: str | None = None) -> list[wire.Json]:
    """``GET /me/clients`` (also answered by ``hot_reads``)."""
    changed = unix_since(since)
    with caller.runtime.db.read() as session:
        return related.clients_json(session, workspace_ids(session, caller.user_id), changed)


@router.get("/me/clients")
def my_clients(caller: CallerDep, since: str | None = None) -> Response:
    return TogglJSON(clients_body(caller, since))


def tags_body(caller: Caller, since: str | None = None) -> list[wire.Json]:
    """``GET /me/tags`` (also answered by ``hot_reads``)."""
    changed = unix_since(since)
    with caller.runtime.db.read() as session:
        return related.tags_json(session, workspace_ids(session, caller.user_id), changed)


@router.get("/me/tags")
def my_tags(caller: CallerDep, since: str | None = None) -> Response:
    return TogglJSON(tags_body(caller, since))


def _offset(value: str | None) -> int:
    if value is None or value == "" or value == "0":
        return 0
    return positive_int(value, "offset", 0)


def tasks_body(
    caller: Caller,
    since: str | None = None,
    include_not_active: str | None = None,
    meta: str | None = None,
    offset: str | None = None,
    per_page: str | None = None,
) -> list[wire.Json]:
    """``GET /me/tasks`` (also answered by ``hot_reads``): active tasks; inactive ones too
    with ``include_not_active=true``. Tasks always carry their project and client names, so
    ``meta`` changes nothing."""
    changed = unix_since(since)
    inactive = bool(flag(include_not_active, "include_not_active"))
    flag(meta, "meta")
    skip = _offset(offset)
    with caller.runtime.db.read() as session:
        wids = workspace_ids(session, caller.user_id)
        body = related.tasks_json(
            session, wids, changed, include_inactive=inactive, viewer=caller.user_id
        )
    body = body[skip:]
    if per_page:
        body = body[: positive_int(per_page, "per_page", len(body))]
    return body


@router.get("/me/tasks")
def my_tasks(
    caller: CallerDep,
    since: str | None = None,
    include_not_active: str | None = None,
    meta: str | None = None,
    offset: str | None = None,
    per_page: str | None = None,
) -> Response:
    return TogglJSON(tasks_body(caller, since, include_not_active, meta, offset, per_page))
