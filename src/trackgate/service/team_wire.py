"""How organizations, workspace users, organization users and project users are spelled.

Organizations follow the recorded key order; the others follow the field lists of Toggl's
spec (no recording shows their order), null where a value is absent.
"""

from __future__ import annotations

from trackgate.service.wire import IMAGE_URL, TOGGL_ROLE, Json
from trackgate.storage.models import (
    Invitation,
    Organization,
    OrganizationMember,
    ProjectUser,
    User,
    Workspace,
    WorkspaceMember,
)
from trackgate.timefmt import precise_stamp, read_stamp

ROLE_IDS = {"admin": 2, "member": 4}  # Toggl's workspace admin and user roles


def organization(
    org: Organization, member: OrganizationMember, user_count: int, max_workspaces: int
) -> Json:
    return {
        "id": org.id,
        "name": org.name,
        "pricing_plan_id": 0,
        "created_at": precise_stamp(org.created_at),
        "at": precise_stamp(org.at),
        "server_deleted_at": None,
        "is_multi_workspace_enabled": True,
        "suspended_at": None,
        "user_count": user_count,
        "trial_info": {
            "trial": False,
            "trial_available": False,
            "trial_end_date": None,
            "next_payment_date": None,
            "last_pricing_plan_id": None,
            "can_have_trial": False,
            "trial_plan_id": None,
        },
        "is_unified": False,
        "max_workspaces": max_workspaces,
        "permissions": None,
        "admin": member.admin,
        "owner": member.owner,
        "pricing_plan_name": "Free",
        "pricing_plan_enterprise": False,
    }


def created_organization(org: Organization, workspace: Workspace) -> Json:
    return {
        "id": org.id,
        "name": org.name,
        "workspace_id": workspace.id,
        "workspace_name": workspace.name,
    }


def workspace_user(
    user: User, m: WorkspaceMember, org_admin: bool, *, organization_scoped: bool = False
) -> Json:
    """A workspace user; its ``id`` is the user's id (one membership per user and workspace).

    The organization's listing adds ``user_id`` and ``workspace_id``, as the spec says.
    """
    body: Json = {
        "id": user.id,
        "uid": user.id,
        "wid": m.workspace_id,
        "admin": m.admin,
        "role": TOGGL_ROLE.get(m.role, m.role),
        "role_id": ROLE_IDS.get(m.role, ROLE_IDS["member"]),
        "active": m.active,
        "inactive": not m.active,
        "email": user.email,
        "name": user.fullname,
        "timezone": user.timezone,
        "at": precise_stamp(m.at),
        "group_ids": [],
        "rate": m.rate,
        "rate_last_updated": read_stamp(m.rate_last_updated),
        "labor_cost": m.labor_cost,
        "labor_cost_last_updated": None,
        "invite_url": None,
        "invitation_code": None,
        "avatar_file_name": IMAGE_URL,
        "is_direct": True,
        "working_hours_in_minutes": m.working_hours_in_minutes,
        "2fa_enabled": False,
        "organization_admin": org_admin,
        "workspace_admin": m.admin,
        "view_edit_billable_rates": m.admin,
        "view_edit_labor_costs": m.admin,
    }
    if organization_scoped:
        body["user_id"] = user.id
        body["workspace_id"] = m.workspace_id
    return body


def org_user(
    user: User,
    member: OrganizationMember,
    memberships: list[tuple[Workspace, WorkspaceMember]],
) -> Json:
    return {
        "id": user.id,
        "user_id": user.id,
        "organization_id": member.organization_id,
        "name": user.fullname,
        "email": user.email,
        "avatar_url": IMAGE_URL,
        "admin": member.admin,
        "owner": member.owner,
        "role_id": 1 if member.owner else ROLE_IDS["admin" if member.admin else "member"],
        "inactive": False,
        "joined": True,
        "invitation_id": None,
        "can_edit_email": False,
        "2fa_enabled": False,
        "groups": [],
        "workspace_count": len(memberships),
        "workspaces": [
            {
                "workspace_id": ws.id,
                "workspace_name": ws.name,
                "workspace_user_id": user.id,
                "admin": m.admin,
                "role": TOGGL_ROLE.get(m.role, m.role),
                "role_id": ROLE_IDS.get(m.role, ROLE_IDS["member"]),
                "active": m.active,
                "inactive": not m.active,
                "rate": m.rate,
                "cost": m.labor_cost,
                "default_currency": ws.default_currency,
                "working_hours": m.working_hours_in_minutes,
                "groups": [],
                "view_edit_billable_rates": m.admin,
                "view_edit_labor_costs": m.admin,
            }
            for ws, m in memberships
        ],
    }


def project_user(pu: ProjectUser) -> Json:
    return {
        "id": pu.id,
        "project_id": pu.project_id,
        "user_id": pu.user_id,
        "workspace_id": pu.workspace_id,
        "manager": pu.manager,
        "rate": pu.rate,
        "rate_last_updated": read_stamp(pu.rate_last_updated),
        "labor_cost": pu.labor_cost,
        "labor_cost_last_updated": read_stamp(pu.labor_cost_last_updated),
        "group_id": None,
        "gid": None,
        "at": read_stamp(pu.at),
    }


def organization_owner(user: User, member: OrganizationMember) -> Json:
    return {
        "id": member.organization_id,
        "organization_id": member.organization_id,
        "user_id": user.id,
        "organization_user_id": user.id,
        "name": user.fullname,
        "email": user.email,
        "avatar_url": IMAGE_URL,
        "toggl_accounts_id": user.toggl_accounts_id,
        "organization_user_created_at": precise_stamp(member.created_at),
        "organization_user_updated_at": precise_stamp(member.at),
    }


def roles(organization_id: int) -> list[Json]:
    described = (
        ("admin", "Admin", "Changes the workspace, its users and every project", 2),
        ("member", "User", "Tracks time; sees public projects and the private ones joined", 4),
    )
    return [
        {
            "role_id": role_id,
            "code": code,
            "name": name,
            "description": description,
            "entity": "workspace",
            "type": "system",
            "organization_id": organization_id,
            "privilege_level": 2 if code == "admin" else 1,
            "permissions": [],
        }
        for code, name, description, role_id in described
    ]


def invitation_result(
    made: list[Invitation], organization_id: int, sender_id: int, prefix: str
) -> Json:
    """Toggl's ``invitation.Result``: one ``data`` row per address, and a message each. Every
    invitation waits for its recipient to accept it, so ``recipient_id`` is null and the
    message is "invited" alike for addresses with and without an account."""
    data = [
        {
            "email": inv.email,
            "invitation_id": inv.id,
            "invite_url": f"{prefix}/organizations/invitations/{inv.code}/accept",
            "organization_id": organization_id,
            "recipient_id": None,
            "sender_id": sender_id,
            "workspaces": [
                {"workspace_id": p["workspace_id"], "role": p["role"]} for p in inv.workspaces
            ],
        }
        for inv in made
    ]
    return {"data": data, "messages": [f"{inv.email} invited" for inv in made]}
