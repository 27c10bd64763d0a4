"""``/workspaces/{wid}/project_users``: list, add, change and remove project members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from trackgate.service import project_users as domain
from trackgate.service import team_wire
from trackgate.service.access import workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.errors import BadRequest
from trackgate.service.params import PathId, flag, id_list
from trackgate.service.responses import TogglJSON

router = APIRouter(tags=["project users"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/workspaces/{workspace_id}/project_users"


@router.get(BASE)
def list_project_users(
    caller: CallerDep,
    workspace_id: PathId,
    project_ids: str | None = None,
    user_id: str | None = None,
    with_group_members: str | None = None,
) -> Response:
    projects = id_list(project_ids, "project_ids")
    users = id_list(user_id, "user_id")
    if users is not None and len(users) != 1:
        raise BadRequest("Invalid value for user_id: expected one id")
    flag(with_group_members, "with_group_members")
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.listed(
            session, caller.user_id, workspace_id, projects, users[0] if users else None
        )
        return TogglJSON([team_wire.project_user(pu) for pu in found])


@router.post(BASE)
def create_project_user(
    caller: CallerDep,
    workspace_id: PathId,
    payload: Annotated[domain.ProjectUserPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        made = domain.create(session, caller.user_id, workspace_id, payload)
        return TogglJSON(team_wire.project_user(made))


@router.put(BASE + "/{project_user_id}")
def update_project_user(
    caller: CallerDep,
    workspace_id: PathId,
    project_user_id: PathId,
    payload: Annotated[domain.ProjectUserPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        found = domain.get(session, workspace_id, project_user_id)
        return TogglJSON(
            team_wire.project_user(domain.update(session, caller.user_id, found, payload))
        )


@router.delete(BASE + "/{project_user_id}")
def delete_project_user(
    caller: CallerDep, workspace_id: PathId, project_user_id: PathId
) -> Response:
    """Answers the removed project user's id (the spec's ``integer``)."""
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        domain.delete(session, caller.user_id, domain.get(session, workspace_id, project_user_id))
    return TogglJSON(project_user_id)
