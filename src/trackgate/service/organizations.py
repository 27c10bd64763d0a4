"""What an organization may be: made with its first workspace, renamed by its admins,
seen by its members. Unknown organizations and other people's answer 403, as workspaces do.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trackgate.service.errors import BadRequest, TogglError
from trackgate.service.payloads import Payload, Text
from trackgate.service.teams import join_organization, join_workspace, leave_workspace
from trackgate.storage.models import Organization, OrganizationMember, Workspace, WorkspaceMember
from trackgate.storage.types import utcnow

NO_ACCESS = "User does not have access to this resource."
MAX_NAME_BYTES = 140
MAX_WORKSPACES = 100


class NewOrganizationPayload(Payload):
    name: Text | None = None
    workspace_name: Text | None = None


class OrganizationPayload(Payload):
    name: Text | None = None


def checked_name(raw: str | None, what: str) -> str:
    name = (raw or "").strip()
    if not name or len(name.encode()) > MAX_NAME_BYTES:
        raise BadRequest(f"{what} name must be 1 to {MAX_NAME_BYTES} bytes")
    return name


def membership(session: Session, user_id: int, organization_id: int) -> OrganizationMember:
    member = session.get(OrganizationMember, (organization_id, user_id))
    if member is None:
        raise TogglError(403, NO_ACCESS)
    return member


def organization_for(session: Session, user_id: int, organization_id: int) -> Organization:
    membership(session, user_id, organization_id)
    found = session.get(Organization, organization_id)
    if found is None:
        raise TogglError(403, NO_ACCESS)
    return found


def require_org_admin(session: Session, user_id: int, organization_id: int) -> None:
    if not membership(session, user_id, organization_id).admin:
        raise TogglError(403, "Only organization admins may do this")


def organizations_of(
    session: Session, user_id: int
) -> list[tuple[Organization, OrganizationMember]]:
    rows = session.execute(
        select(Organization, OrganizationMember)
        .join(OrganizationMember, OrganizationMember.organization_id == Organization.id)
        .where(OrganizationMember.user_id == user_id)
        .order_by(Organization.id)
    ).all()
    return [(org, member) for org, member in rows]


def user_counts(session: Session, organization_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(OrganizationMember.organization_id, func.count())
        .where(OrganizationMember.organization_id.in_(organization_ids))
        .group_by(OrganizationMember.organization_id)
    )
    return {oid: int(n) for oid, n in rows}


def create(
    session: Session, owner_id: int, p: NewOrganizationPayload
) -> tuple[Organization, Workspace]:
    """A new organization and its first workspace; the creator owns and administers both."""
    name = checked_name(p.name, "Organization")
    workspace_name = checked_name(p.workspace_name, "Workspace")
    org = Organization(name=name)
    session.add(org)
    session.flush()
    member = join_organization(session, org.id, owner_id, admin=True)
    member.owner = True
    workspace = add_workspace(session, org, owner_id, workspace_name)
    return org, workspace


def add_workspace(session: Session, org: Organization, admin_id: int, name: str) -> Workspace:
    count = session.scalar(select(func.count()).where(Workspace.organization_id == org.id))
    if (count or 0) >= MAX_WORKSPACES:
        raise TogglError(402, f"An organization may have at most {MAX_WORKSPACES} workspaces")
    workspace = Workspace(organization_id=org.id, name=checked_name(name, "Workspace"))
    session.add(workspace)
    session.flush()
    join_workspace(session, workspace, admin_id, "admin")
    return workspace


def rename(session: Session, org: Organization, p: OrganizationPayload) -> Organization:
    if p.sent("name"):
        org.name = checked_name(p.name, "Organization")
    org.at = utcnow()
    session.flush()
    return org


def workspaces_of(session: Session, organization_id: int, user_id: int) -> list[Workspace]:
    """The organization's workspaces the user belongs to (an admin of the organization sees
    them all)."""
    query = select(Workspace).where(Workspace.organization_id == organization_id)
    if not membership(session, user_id, organization_id).admin:
        mine = select(WorkspaceMember.workspace_id).where(
            WorkspaceMember.user_id == user_id, WorkspaceMember.active.is_(True)
        )
        query = query.where(Workspace.id.in_(mine))
    return list(session.scalars(query.order_by(Workspace.id)))


def remove_member(session: Session, organization_id: int, user_id: int) -> None:
    """Take the user out of the organization and all its workspaces (their tracked time
    stays). The owner stays, and so does each workspace's last admin."""
    member = session.get(OrganizationMember, (organization_id, user_id))
    if member is None:
        raise TogglError(404, "Organization user not found")
    if member.owner:
        raise BadRequest("The organization's owner cannot leave it")
    places = session.scalars(
        select(WorkspaceMember)
        .join(Workspace, Workspace.id == WorkspaceMember.workspace_id)
        .where(Workspace.organization_id == organization_id, WorkspaceMember.user_id == user_id)
    ).all()
    for place in places:
        leave_workspace(session, place)
    session.delete(member)
    session.flush()


def add_admins(session: Session, workspace: Workspace, user_ids: list[int]) -> None:
    """Make the listed people of the organization admins of its new workspace."""
    for user_id in user_ids:
        if session.get(OrganizationMember, (workspace.organization_id, user_id)) is None:
            raise BadRequest(f"User {user_id} is not in this organization")
        join_workspace(session, workspace, user_id, "admin")
