"""Which workspaces a user may touch. Another user's workspace answers 403, as Toggl does."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service.errors import TogglError
from trackgate.storage.models import Workspace, WorkspaceMember

NO_ACCESS = "User does not have access to this resource."


def membership(session: Session, user_id: int, workspace_id: int) -> WorkspaceMember:
    member = session.get(WorkspaceMember, (workspace_id, user_id))
    if member is None or not member.active:
        raise TogglError(403, NO_ACCESS)
    return member


def workspace_for(session: Session, user_id: int, workspace_id: int) -> Workspace:
    """The workspace, if the user belongs to it; else 403 (unknown ids too, to leak nothing)."""
    membership(session, user_id, workspace_id)
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise TogglError(403, NO_ACCESS)
    return workspace


def workspace_ids(session: Session, user_id: int) -> list[int]:
    query = select(WorkspaceMember.workspace_id).where(
        WorkspaceMember.user_id == user_id, WorkspaceMember.active.is_(True)
    )
    return list(session.scalars(query.order_by(WorkspaceMember.workspace_id)))


def is_admin(session: Session, user_id: int, workspace_id: int) -> bool:
    member = session.get(WorkspaceMember, (workspace_id, user_id))
    return member is not None and member.active and member.admin


def require_admin(session: Session, user_id: int, workspace_id: int, message: str) -> None:
    """Members may read; only the workspace's admins may do what ``message`` says."""
    if not membership(session, user_id, workspace_id).admin:
        raise TogglError(403, message)
