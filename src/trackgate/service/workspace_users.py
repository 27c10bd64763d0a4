"""Workspace users as admins see and change them: roles, rates, labor costs, removal.

Every member may list a workspace's users; rates and labor costs are shown to admins only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictFloat, StrictInt
from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.service import team_wire, teams
from trackgate.service.errors import BadRequest, NotFound
from trackgate.service.payloads import Payload, Text
from trackgate.service.wire import Json
from trackgate.storage.models import OrganizationMember, User, Workspace, WorkspaceMember
from trackgate.storage.types import utcnow

NOT_FOUND = "Workspace user not found"
Money = Annotated[StrictFloat, Field(ge=0, le=1e9, allow_inf_nan=False)]
Minutes = Annotated[StrictInt, Field(ge=0, le=10080)]


class WorkspaceUserPayload(Payload):
    role: Text | None = None
    admin: StrictBool | None = None
    inactive: StrictBool | None = None
    rate: Money | None = None
    labor_cost: Money | None = None
    working_hours_in_minutes: Minutes | None = None


def listed(
    session: Session, workspace: Workspace, *, show_rates: bool, organization_scoped: bool = False
) -> list[Json]:
    rows = session.execute(
        select(User, WorkspaceMember)
        .join(WorkspaceMember, WorkspaceMember.user_id == User.id)
        .where(WorkspaceMember.workspace_id == workspace.id)
        .order_by(User.id)
    ).all()
    org_admins = set(
        session.scalars(
            select(OrganizationMember.user_id).where(
                OrganizationMember.organization_id == workspace.organization_id,
                OrganizationMember.admin.is_(True),
            )
        )
    )
    out = []
    for user, member in rows:
        body = team_wire.workspace_user(
            user, member, user.id in org_admins, organization_scoped=organization_scoped
        )
        if not show_rates:
            body["rate"] = body["labor_cost"] = None
        out.append(body)
    return out


def get(session: Session, workspace_id: int, workspace_user_id: int) -> WorkspaceMember:
    found = session.get(WorkspaceMember, (workspace_id, workspace_user_id))
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def update(session: Session, member: WorkspaceMember, p: WorkspaceUserPayload) -> WorkspaceMember:
    """Partial update; a change that would leave the workspace without an admin is a 400."""
    if p.role is not None or p.admin is not None:
        role = teams.role_from(p.role) if p.role is not None else None
        if role is None:
            role = "admin" if p.admin else "member"
        if role != "admin":
            teams.keep_an_admin(session, member)
        teams.set_role(member, role)
    if p.inactive is not None:
        if p.inactive:
            teams.keep_an_admin(session, member)
        member.active = not p.inactive
    if p.sent("rate") and p.rate != member.rate:
        member.rate = p.rate
        member.rate_last_updated = utcnow()
    if p.sent("labor_cost"):
        member.labor_cost = p.labor_cost
    if p.sent("working_hours_in_minutes"):
        member.working_hours_in_minutes = p.working_hours_in_minutes
    member.at = utcnow()
    session.flush()
    return member


def remove_many(session: Session, workspace_id: int, user_ids: list[int]) -> None:
    for user_id in user_ids:
        teams.leave_workspace(session, get(session, workspace_id, user_id))


def render(session: Session, member: WorkspaceMember) -> Json:
    user = session.get(User, member.user_id)
    workspace = session.get(Workspace, member.workspace_id)
    if user is None or workspace is None:
        raise BadRequest(NOT_FOUND)
    org_member = session.get(OrganizationMember, (workspace.organization_id, user.id))
    return team_wire.workspace_user(user, member, bool(org_member and org_member.admin))
