"""Workspaces: read, update, and their users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from trackgate.service import wire
from trackgate.service.access import membership, workspace_for
from trackgate.service.auth import Caller, current_caller
from trackgate.service.errors import BadRequest, Forbidden
from trackgate.service.params import PathId, unix_since
from trackgate.service.payloads import Id
from trackgate.service.responses import TogglJSON
from trackgate.service.routes.me import workspaces_json
from trackgate.service.workspaces import WorkspacePayload, apply_changes
from trackgate.storage.models import User, WorkspaceMember
from trackgate.timefmt import precise_stamp

router = APIRouter(tags=["workspaces"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]


MAX_USER_IDS = 1000


@router.get("/workspaces/{workspace_id}")
def get_workspace(caller: CallerDep, workspace_id: PathId) -> Response:
    with caller.runtime.db.read() as session:
        ws = workspace_for(session, caller.user_id, workspace_id)
        m = membership(session, caller.user_id, workspace_id)
        return TogglJSON(wire.workspace(ws, admin=m.admin, role=m.role))


@router.put("/workspaces/{workspace_id}")
def update_workspace(
    caller: CallerDep, workspace_id: PathId, payload: Annotated[WorkspacePayload, Body()]
) -> Response:
    with caller.runtime.db.write() as session:
        ws = workspace_for(session, caller.user_id, workspace_id)
        m = membership(session, caller.user_id, workspace_id)
        if not m.admin:
            raise Forbidden("Only workspace admins may change the workspace")
        apply_changes(ws, payload.model_dump(exclude_unset=True))
        session.flush()
        return TogglJSON(wire.workspace(ws, admin=m.admin, role=m.role))


@router.get("/workspaces")
def list_workspaces(caller: CallerDep, since: str | None = None) -> Response:
    """Not in Toggl's spec, but clients call it: the same array as ``/me/workspaces``."""
    changed_since = unix_since(since)
    with caller.runtime.db.read() as session:
        return TogglJSON(
            workspaces_json(session, caller.user_id, with_counts=True, since=changed_since)
        )


@router.get("/workspaces/{workspace_id}/statistics")
def workspace_statistics(caller: CallerDep, workspace_id: PathId) -> Response:
    """``{admins: [{user_id, name}], groups_count, members_count}`` (no groups here)."""
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        rows = session.execute(
            select(User, WorkspaceMember)
            .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
            .where(WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.active.is_(True))
            .order_by(User.id)
        ).all()
        admins = [{"user_id": u.id, "name": u.fullname} for u, m in rows if m.admin]
        return TogglJSON({"admins": admins, "groups_count": 0, "members_count": len(rows)})


def _simple_users(
    session: Session, workspace_id: int, user_ids: list[int] | None = None
) -> list[wire.Json]:
    """Toggl's ``SimpleWorkspaceUser`` (with time zone, stamp and image), by user id."""
    query = (
        select(User, WorkspaceMember)
        .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
        .where(WorkspaceMember.workspace_id == workspace_id)
    )
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return [
        {
            "id": user.id,
            "email": user.email,
            "fullname": user.fullname,
            "timezone": user.timezone,
            "is_active": m.active,
            "is_admin": m.admin,
            "inactive": not m.active,
            "role": wire.TOGGL_ROLE.get(m.role, m.role),
            "at": precise_stamp(m.at),
            "image_url": wire.IMAGE_URL,
        }
        for user, m in session.execute(query.order_by(User.id)).all()
    ]


@router.get("/workspaces/{workspace_id}/users")
def workspace_users(caller: CallerDep, workspace_id: PathId) -> Response:
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        return TogglJSON(_simple_users(session, workspace_id))


@router.post("/workspaces/{workspace_id}/users/data")
def workspace_users_data(
    caller: CallerDep, workspace_id: PathId, user_ids: Annotated[list[Id], Body()]
) -> Response:
    """The workspace's users among ``user_ids`` (a JSON array of ids)."""
    if len(user_ids) > MAX_USER_IDS:
        raise BadRequest(f"At most {MAX_USER_IDS} user ids per request")
    with caller.runtime.db.read() as session:
        workspace_for(session, caller.user_id, workspace_id)
        return TogglJSON(_simple_users(session, workspace_id, user_ids))
