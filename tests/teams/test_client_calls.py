"""A Toggl client's organization and workspace calls, made as client libraries make them
(HTTP Basic ``token:api_token``, JSON bodies, strict models of the answers), against a real
``trackgate serve`` on a loopback socket, with the team made by ``trackgate users create``."""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from tests.conftest import LiveServer


class Strict(BaseModel):
    """Every field required, as typed clients declare them (null allowed where Toggl has it)."""

    model_config = ConfigDict(extra="allow")


class TrialInfo(Strict):
    trial: bool
    trial_available: bool
    trial_end_date: str | None
    next_payment_date: str | None
    last_pricing_plan_id: int | None
    can_have_trial: bool
    trial_plan_id: int | None


class MeOrganization(Strict):
    id: int
    name: str
    pricing_plan_id: int
    created_at: str
    at: str
    server_deleted_at: str | None
    is_multi_workspace_enabled: bool
    suspended_at: str | None
    user_count: int
    trial_info: TrialInfo
    is_unified: bool
    max_workspaces: int
    permissions: list[str] | None
    admin: bool
    owner: bool
    pricing_plan_name: str
    pricing_plan_enterprise: bool


class Workspace(Strict):
    id: int
    organization_id: int
    name: str
    admin: bool
    role: str
    default_currency: str
    rounding: int
    rounding_minutes: int
    at: str


class WorkspaceUser(Strict):
    id: int
    uid: int
    wid: int
    name: str
    email: str
    admin: bool
    role: str
    active: bool
    inactive: bool
    rate: float | None
    at: str


class ProjectUser(Strict):
    id: int
    project_id: int
    user_id: int
    workspace_id: int
    manager: bool
    rate: float | None
    labor_cost: float | None
    at: str


class TogglClient:
    """The shape of a small Toggl library: one base URL, Basic auth, JSON in and out."""

    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=base_url,
            auth=(token, "api_token"),
            headers={"Content-Type": "application/json", "User-Agent": "toggl-client-test"},
            timeout=10,
        )

    def call(self, method: str, path: str, body: Any = None) -> Any:
        r = self.http.request(method, path, content=json.dumps(body) if body is not None else None)
        r.raise_for_status()
        return r.json() if r.content else None

    def workspaces(self) -> list[Workspace]:
        return [Workspace.model_validate(w) for w in self.call("GET", "/workspaces")]

    def organizations(self) -> list[MeOrganization]:
        return [MeOrganization.model_validate(o) for o in self.call("GET", "/me/organizations")]

    def organization(self, oid: int) -> MeOrganization:
        return MeOrganization.model_validate(self.call("GET", f"/organizations/{oid}"))

    def workspace_users(self, oid: int, wid: int) -> list[WorkspaceUser]:
        path = f"/organizations/{oid}/workspaces/{wid}/workspace_users"
        return [WorkspaceUser.model_validate(u) for u in self.call("GET", path)]

    def close(self) -> None:
        self.http.close()


def _create_user(server: LiveServer, email: str, *extra: str) -> dict[str, Any]:
    made = server.cli(
        "users",
        "create",
        "--email",
        email,
        "--password",
        "secret123",
        "--data-dir",
        str(server.data_dir),
        *extra,
    )
    assert made.returncode == 0, made.stderr
    body: dict[str, Any] = json.loads(made.stdout)
    return body


def test_a_client_sets_up_a_team_through_organization_calls(live_server: LiveServer) -> None:
    owner = _create_user(live_server, "owner@example.com")
    wid = owner["default_workspace_id"]
    member = _create_user(live_server, "member@example.com", "--workspace", str(wid))
    base = f"{live_server.url}/api/v9"
    admin_client = TogglClient(base, owner["api_token"])
    member_client = TogglClient(base, member["api_token"])
    try:
        # at set-up a client picks a workspace from GET /workspaces
        [workspace] = admin_client.workspaces()
        assert workspace.id == wid and workspace.admin
        [org] = admin_client.organizations()
        assert org.id == workspace.organization_id and org.owner and org.user_count == 2
        assert admin_client.organization(org.id) == org
        users = admin_client.workspace_users(org.id, wid)
        assert [(u.email, u.role) for u in users] == [
            ("owner@example.com", "admin"),
            ("member@example.com", "user"),
        ]
        # the admin puts the member on a private project with a rate
        project = admin_client.call("POST", f"/workspaces/{wid}/projects", {"name": "Private"})
        assert member_client.call("GET", f"/workspaces/{wid}/projects") == []
        added = ProjectUser.model_validate(
            admin_client.call(
                "POST",
                f"/workspaces/{wid}/project_users",
                {"project_id": project["id"], "user_id": member["id"], "rate": 95.5},
            )
        )
        assert added.rate == 95.5 and not added.manager
        seen = member_client.call("GET", f"/workspaces/{wid}/projects")
        assert [p["name"] for p in seen] == ["Private"]
        # and invites someone who has no account yet
        result = admin_client.call(
            "POST",
            f"/organizations/{org.id}/invitations",
            {"emails": ["later@example.com"], "workspaces": [{"workspace_id": wid}]},
        )
        assert result["data"][0]["recipient_id"] is None
        later = _create_user(live_server, "later@example.com")
        later_client = TogglClient(base, later["api_token"])
        try:
            later_client.call("POST", result["data"][0]["invite_url"].removeprefix("/api/v9"))
            assert wid in [w.id for w in later_client.workspaces()]
        finally:
            later_client.close()
        assert admin_client.organization(org.id).user_count == 3
        # a member cannot rename the organization: Toggl's JSON string error
        r = member_client.http.put(f"/organizations/{org.id}", json={"name": "Mine"})
        assert r.status_code == 403 and isinstance(r.json(), str)
    finally:
        admin_client.close()
        member_client.close()
