"""Helpers for the organization and team tests: a workspace with an admin and a member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.core_helpers import API
from trackgate.runtime import Runtime

ORGANIZATION_KEYS = [
    "id",
    "name",
    "pricing_plan_id",
    "created_at",
    "at",
    "server_deleted_at",
    "is_multi_workspace_enabled",
    "suspended_at",
    "user_count",
    "trial_info",
    "is_unified",
    "max_workspaces",
    "permissions",
    "admin",
    "owner",
    "pricing_plan_name",
    "pricing_plan_enterprise",
]
TRIAL_KEYS = [
    "trial",
    "trial_available",
    "trial_end_date",
    "next_payment_date",
    "last_pricing_plan_id",
    "can_have_trial",
    "trial_plan_id",
]
# github_com_toggl_toggl_api_internal_models.WorkspaceUser in Toggl's spec
WORKSPACE_USER_FIELDS = {
    "2fa_enabled",
    "active",
    "admin",
    "at",
    "avatar_file_name",
    "email",
    "group_ids",
    "id",
    "inactive",
    "invitation_code",
    "invite_url",
    "is_direct",
    "labor_cost",
    "labor_cost_last_updated",
    "name",
    "organization_admin",
    "rate",
    "rate_last_updated",
    "role",
    "role_id",
    "timezone",
    "uid",
    "view_edit_billable_rates",
    "view_edit_labor_costs",
    "wid",
    "working_hours_in_minutes",
    "workspace_admin",
}
# models.ProjectUser in Toggl's spec
PROJECT_USER_FIELDS = {
    "at",
    "gid",
    "group_id",
    "id",
    "labor_cost",
    "labor_cost_last_updated",
    "manager",
    "project_id",
    "rate",
    "rate_last_updated",
    "user_id",
    "workspace_id",
}


@dataclass
class Team:
    admin: Person
    member: Person

    @property
    def workspace_id(self) -> int:
        return self.admin.workspace_id


def make_team(runtime: Runtime) -> Team:
    admin = make_user(runtime, fullname="Ada Admin")
    member = make_user(runtime, fullname="Max Member", workspace_id=admin.workspace_id)
    return Team(admin, member)


def ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def organization_id(client: TestClient, person: Person) -> int:
    ws = ok(client.get(f"{API}/workspaces/{person.workspace_id}", headers=person.auth))
    oid: int = ws["organization_id"]
    return oid
