"""``/workspaces/{wid}/workspace_users``: members list them; admins change and remove them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from trackgate.service import workspace_users as domain
from trackgate.service.access import is_admin, require_admin, workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.params import PathId
from trackgate.service.responses import TogglJSON, empty_ok
from trackgate.service.teams import leave_workspace

router = APIRouter(tags=["workspace users"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/workspaces/{workspace_id}/workspace_users"
ADMINS_ONLY = "Only workspace admins may change its users"


@router.get(BASE)
def list_workspace_users(caller: CallerDep, workspace_id: PathId) -> Response:
    with caller.runtime.db.read() as session:
        ws = workspace_for(session, caller.user_id, workspace_id)
        admin = is_admin(session, caller.user_id, workspace_id)
        return TogglJSON(domain.listed(session, ws, show_rates=admin))


@router.put(BASE + "/{workspace_user_id}")
def update_workspace_user(
    caller: CallerDep,
    workspace_id: PathId,
    workspace_user_id: PathId,
    payload: Annotated[domain.WorkspaceUserPayload, Body()],
) -> Response:
    """Answers the changed workspace user (the spec says a string; the object is more use)."""
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        require_admin(session, caller.user_id, workspace_id, ADMINS_ONLY)
        member = domain.update(
            session, domain.get(session, workspace_id, workspace_user_id), payload
        )
        return TogglJSON(domain.render(session, member))


@router.delete(BASE + "/{workspace_user_id}")
def delete_workspace_user(
    caller: CallerDep, workspace_id: PathId, workspace_user_id: PathId
) -> Response:
    """Removes the user from the workspace; their time entries stay."""
    with caller.runtime.db.write() as session:
        workspace_for(session, caller.user_id, workspace_id)
        require_admin(session, caller.user_id, workspace_id, ADMINS_ONLY)
        leave_workspace(session, domain.get(session, workspace_id, workspace_user_id))
    return empty_ok()
