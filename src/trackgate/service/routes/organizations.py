"""Organizations: ``/me/organizations``, ``/organizations/...`` with their workspaces,
users and invitations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import Field
from sqlalchemy import select
from starlette.responses import Response

from trackgate.service import invitations, organization_users, team_wire, wire, workspace_users
from trackgate.service import organizations as domain
from trackgate.service.access import is_admin
from trackgate.service.auth import Caller, current_caller
from trackgate.service.errors import TogglError
from trackgate.service.params import PathId, flag, id_list, positive_int
from trackgate.service.payloads import Id, Payload
from trackgate.service.responses import TogglJSON
from trackgate.service.workspaces import WorkspacePayload, apply_changes
from trackgate.storage.models import OrganizationMember, User, Workspace, WorkspaceMember

router = APIRouter(tags=["organizations"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BASE = "/organizations/{organization_id}"
USERS_PER_PAGE = 50
API_PREFIX = "/api/v9"


class DeletePayload(Payload):
    delete: list[Id] = Field(default_factory=list)


def _organization_json(session: Any, org: Any, member: OrganizationMember) -> wire.Json:
    counts = domain.user_counts(session, [org.id])
    return team_wire.organization(org, member, counts.get(org.id, 0), domain.MAX_WORKSPACES)


@router.get("/me/organizations")
def my_organizations(caller: CallerDep) -> Response:
    with caller.runtime.db.read() as session:
        found = domain.organizations_of(session, caller.user_id)
        counts = domain.user_counts(session, [org.id for org, _ in found])
        return TogglJSON(
            [
                team_wire.organization(org, m, counts.get(org.id, 0), domain.MAX_WORKSPACES)
                for org, m in found
            ]
        )


@router.post("/organizations")
def create_organization(
    caller: CallerDep, payload: Annotated[domain.NewOrganizationPayload, Body()]
) -> Response:
    """Answers ``{id, name, workspace_id, workspace_name}``, as recorded."""
    with caller.runtime.db.write() as session:
        org, workspace = domain.create(session, caller.user_id, payload)
        return TogglJSON(team_wire.created_organization(org, workspace))


@router.get(BASE)
def get_organization(caller: CallerDep, organization_id: PathId) -> Response:
    with caller.runtime.db.read() as session:
        org = domain.organization_for(session, caller.user_id, organization_id)
        member = domain.membership(session, caller.user_id, organization_id)
        return TogglJSON(_organization_json(session, org, member))


@router.put(BASE)
def update_organization(
    caller: CallerDep,
    organization_id: PathId,
    payload: Annotated[domain.OrganizationPayload, Body()],
) -> Response:
    """Organization admins only. Toggl's spec answers a string: "OK" (its text unrecorded)."""
    with caller.runtime.db.write() as session:
        org = domain.organization_for(session, caller.user_id, organization_id)
        domain.require_org_admin(session, caller.user_id, organization_id)
        domain.rename(session, org, payload)
    return TogglJSON("OK")


@router.get(BASE + "/owner")
def organization_owner(caller: CallerDep, organization_id: PathId) -> Response:
    with caller.runtime.db.read() as session:
        domain.organization_for(session, caller.user_id, organization_id)
        row = session.execute(
            select(User, OrganizationMember)
            .join(OrganizationMember, OrganizationMember.user_id == User.id)
            .where(
                OrganizationMember.organization_id == organization_id,
                OrganizationMember.owner.is_(True),
            )
        ).first()
        if row is None:
            raise TogglError(404, "Organization owner not found")
        return TogglJSON(team_wire.organization_owner(*row))


@router.get(BASE + "/roles")
def organization_roles(caller: CallerDep, organization_id: PathId) -> Response:
    """The two roles this service knows, spelled as Toggl's ``types.Role``."""
    with caller.runtime.db.read() as session:
        domain.organization_for(session, caller.user_id, organization_id)
    return TogglJSON(team_wire.roles(organization_id))


def _workspace_json(session: Any, ws: Workspace, user_id: int) -> wire.Json:
    member = session.get(WorkspaceMember, (ws.id, user_id))
    admin = bool(member and member.active and member.admin)
    return wire.workspace(ws, admin=admin, role=member.role if member else "")


@router.get(BASE + "/workspaces")
def organization_workspaces(caller: CallerDep, organization_id: PathId) -> Response:
    """The caller's workspaces of the organization (all of them for its admins)."""
    with caller.runtime.db.read() as session:
        domain.organization_for(session, caller.user_id, organization_id)
        found = domain.workspaces_of(session, organization_id, caller.user_id)
        return TogglJSON([_workspace_json(session, ws, caller.user_id) for ws in found])


class NewWorkspacePayload(WorkspacePayload):
    admins: list[Id] | None = None


@router.post(BASE + "/workspaces")
def create_workspace(
    caller: CallerDep,
    organization_id: PathId,
    payload: Annotated[NewWorkspacePayload, Body()],
) -> Response:
    """Organization admins make workspaces; the maker administers the new one."""
    with caller.runtime.db.write() as session:
        org = domain.organization_for(session, caller.user_id, organization_id)
        domain.require_org_admin(session, caller.user_id, organization_id)
        ws = domain.add_workspace(session, org, caller.user_id, payload.name or "")
        apply_changes(ws, payload.model_dump(exclude_unset=True, exclude={"admins"}))
        domain.add_admins(session, ws, payload.admins or [])
        session.flush()
        return TogglJSON(_workspace_json(session, ws, caller.user_id))


@router.get(BASE + "/users")
@router.get(BASE + "/users/detailed")
def list_organization_users(
    caller: CallerDep,
    organization_id: PathId,
    filter: str | None = None,
    only_admins: str | None = None,
    workspaces: str | None = None,
    page: str | None = None,
    per_page: str | None = None,
    sort_dir: str | None = None,
) -> Response:
    """Organization admins list its people, paged with ``X-Page``/``X-Pages``/``X-Records``."""
    number = positive_int(page, "page", 1)
    size = positive_int(per_page, "per_page", USERS_PER_PAGE, 200)
    f = organization_users.UserFilter(
        text=filter or "",
        admins_only=bool(flag(only_admins, "only_admins")),
        workspace_ids=id_list(workspaces, "workspaces"),
        descending=sort_dir == "desc",
    )
    with caller.runtime.db.read() as session:
        domain.organization_for(session, caller.user_id, organization_id)
        domain.require_org_admin(session, caller.user_id, organization_id)
        body = organization_users.listed(session, organization_id, f)
    pages = max(1, -(-len(body) // size))
    shown = body[(number - 1) * size : number * size]
    headers = {
        "X-Page": str(number),
        "X-Page-Size": str(size),
        "X-Pages": str(pages),
        "X-Records": str(len(body)),
        "X-Sort-Order": "desc" if sort_dir == "desc" else "asc",
    }
    return TogglJSON(shown, headers=headers)


@router.patch(BASE + "/users")
def remove_organization_users(
    caller: CallerDep, organization_id: PathId, payload: Annotated[DeletePayload, Body()]
) -> Response:
    """``{"delete": [organization user ids]}``: organization admins take people out."""
    with caller.runtime.db.write() as session:
        domain.organization_for(session, caller.user_id, organization_id)
        domain.require_org_admin(session, caller.user_id, organization_id)
        for user_id in payload.delete:
            domain.remove_member(session, organization_id, user_id)
    return TogglJSON("OK")


@router.delete(BASE + "/users/leave")
def leave_organization(caller: CallerDep, organization_id: PathId) -> Response:
    with caller.runtime.db.write() as session:
        domain.organization_for(session, caller.user_id, organization_id)
        domain.remove_member(session, organization_id, caller.user_id)
    return TogglJSON("OK")


def _org_workspace(session: Any, user_id: int, organization_id: int, workspace_id: int) -> Any:
    """A workspace of the organization that the caller may look into."""
    domain.organization_for(session, user_id, organization_id)
    ws = session.get(Workspace, workspace_id)
    if ws is None or ws.organization_id != organization_id:
        raise TogglError(404, "Workspace not found")
    org_admin = domain.membership(session, user_id, organization_id).admin
    member = session.get(WorkspaceMember, (workspace_id, user_id))
    if not org_admin and (member is None or not member.active):
        raise TogglError(403, domain.NO_ACCESS)
    return ws, org_admin or is_admin(session, user_id, workspace_id)


@router.get(BASE + "/workspaces/{workspace_id}/workspace_users")
def organization_workspace_users(
    caller: CallerDep, organization_id: PathId, workspace_id: PathId
) -> Response:
    with caller.runtime.db.read() as session:
        ws, admin = _org_workspace(session, caller.user_id, organization_id, workspace_id)
        return TogglJSON(
            workspace_users.listed(session, ws, show_rates=admin, organization_scoped=True)
        )


@router.patch(BASE + "/workspaces/{workspace_id}/workspace_users")
def remove_organization_workspace_users(
    caller: CallerDep,
    organization_id: PathId,
    workspace_id: PathId,
    payload: Annotated[DeletePayload, Body()],
) -> Response:
    """``{"delete": [workspace user ids]}`` removes them from the workspace (admins only)."""
    with caller.runtime.db.write() as session:
        _, admin = _org_workspace(session, caller.user_id, organization_id, workspace_id)
        if not admin:
            raise TogglError(403, "Only admins may remove people from a workspace")
        workspace_users.remove_many(session, workspace_id, payload.delete)
    return TogglJSON("OK")


@router.post(BASE + "/invitations")
def invite(
    caller: CallerDep,
    organization_id: PathId,
    payload: Annotated[invitations.InvitationPayload, Body()],
) -> Response:
    with caller.runtime.db.write() as session:
        domain.organization_for(session, caller.user_id, organization_id)
        sender = session.get(User, caller.user_id)
        assert sender is not None
        made = invitations.invite(session, sender, organization_id, payload)
        body = team_wire.invitation_result(made, organization_id, caller.user_id, API_PREFIX)
    return TogglJSON(body)


@router.post("/organizations/invitations/{code}/accept")
def accept_invitation(caller: CallerDep, code: str) -> Response:
    with caller.runtime.db.write() as session:
        user = session.get(User, caller.user_id)
        assert user is not None
        invitations.accept(session, code, user)
    return TogglJSON("OK")


@router.post("/organizations/invitations/{code}/reject")
def reject_invitation(caller: CallerDep, code: str) -> Response:
    with caller.runtime.db.write() as session:
        user = session.get(User, caller.user_id)
        assert user is not None
        invitations.reject(session, code, user)
    return TogglJSON("OK")
