"""Who belongs to which workspace and organization, with which role.

Roles are ``admin`` and ``member`` (Toggl's ``user``): admins change the workspace, its
members and its projects; members see what is theirs and the workspace's public projects.
A workspace member is also a member of the workspace's organization.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trackgate.service.errors import BadRequest, TogglError
from trackgate.service.naming import lock_workspace
from trackgate.storage.models import (
    OrganizationMember,
    ProjectUser,
    User,
    Workspace,
    WorkspaceMember,
)
from trackgate.storage.types import utcnow

Role = Literal["admin", "member"]
ROLES: tuple[Role, ...] = ("admin", "member")
ROLE_ALIASES = {"admin": "admin", "member": "member", "user": "member"}


def role_from(raw: str) -> Role:
    """``admin`` or ``member``; Toggl's ``user`` means member. Other roles are a 400."""
    found = ROLE_ALIASES.get(raw.strip().lower())
    if found is None:
        raise BadRequest(f"Invalid role {raw!r}: expected admin or member")
    return "admin" if found == "admin" else "member"


def join_organization(
    session: Session, organization_id: int, user_id: int, *, admin: bool = False
) -> OrganizationMember:
    member = session.get(OrganizationMember, (organization_id, user_id))
    if member is None:
        member = OrganizationMember(organization_id=organization_id, user_id=user_id, admin=admin)
        session.add(member)
    elif admin and not member.admin:
        member.admin = True
        member.at = utcnow()
    session.flush()
    return member


def join_workspace(
    session: Session, workspace: Workspace, user_id: int, role: Role = "member"
) -> WorkspaceMember:
    """Add the user to the workspace (and its organization); a past member comes back.

    Takes the workspace's lock first, so two joins at once cannot both insert the row."""
    lock_workspace(session, workspace.id)
    member = session.get(WorkspaceMember, (workspace.id, user_id))
    if member is None:
        member = WorkspaceMember(workspace_id=workspace.id, user_id=user_id)
        session.add(member)
    set_role(member, role)
    member.active = True
    member.at = utcnow()
    join_organization(session, workspace.organization_id, user_id)
    session.flush()
    return member


def set_role(member: WorkspaceMember, role: Role) -> None:
    member.role = role
    member.admin = role == "admin"


def admin_count(session: Session, workspace_id: int) -> int:
    query = select(func.count()).where(
        WorkspaceMember.workspace_id == workspace_id,
        WorkspaceMember.admin.is_(True),
        WorkspaceMember.active.is_(True),
    )
    return int(session.scalar(query) or 0)


def keep_an_admin(session: Session, member: WorkspaceMember) -> None:
    """A workspace never loses its last admin: nobody could manage it any more."""
    if member.admin and member.active and admin_count(session, member.workspace_id) <= 1:
        raise TogglError(400, "A workspace must keep at least one admin")


def leave_workspace(session: Session, member: WorkspaceMember) -> None:
    """Remove the member and their project memberships there; their tracked time stays."""
    keep_an_admin(session, member)
    memberships = select(ProjectUser).where(
        ProjectUser.workspace_id == member.workspace_id,
        ProjectUser.user_id == member.user_id,
    )
    for project_user in session.scalars(memberships):
        session.delete(project_user)  # one by one: each is a webhook event
    session.delete(member)
    session.flush()
    user = session.get(User, member.user_id)
    if user is not None and user.default_workspace_id == member.workspace_id:
        # the default moves to another workspace of theirs, if they have one
        user.default_workspace_id = session.scalar(
            select(WorkspaceMember.workspace_id)
            .where(WorkspaceMember.user_id == user.id, WorkspaceMember.active.is_(True))
            .order_by(WorkspaceMember.workspace_id)
        )
        user.at = utcnow()
        session.flush()


def join_places(session: Session, user_id: int, places: list[dict[str, Any]]) -> None:
    """Join each ``{"workspace_id", "role"}`` of an invitation (workspaces gone are skipped)."""
    for place in places:
        ws = session.get(Workspace, place["workspace_id"])
        if ws is not None:
            join_workspace(session, ws, user_id, role_from(place["role"]))
