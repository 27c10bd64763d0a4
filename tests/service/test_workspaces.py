"""Workspaces: listing, reading, updating, their users; nobody sees another's workspace."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.core_helpers import (
    API,
    JSON_TYPE,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from trackgate.runtime import Runtime
from trackgate.storage.models import Project, Workspace, WorkspaceMember

# workspace.Workspace in Toggl's published spec
WORKSPACE_FIELDS = {
    "admin",
    "api_token",
    "at",
    "business_ws",
    "default_currency",
    "default_hourly_rate",
    "hide_start_end_times",
    "ical_enabled",
    "ical_url",
    "id",
    "last_modified",
    "limit_public_project_data",
    "logo_url",
    "name",
    "only_admins_may_create_projects",
    "only_admins_may_create_tags",
    "only_admins_see_billable_rates",
    "only_admins_see_team_dashboard",
    "organization_id",
    "premium",
    "projects_billable_by_default",
    "projects_enforce_billable",
    "projects_private_by_default",
    "rate_last_updated",
    "reports_collapse",
    "role",
    "rounding",
    "rounding_minutes",
    "suspended_at",
    "working_hours_in_minutes",
}
# workspace.WithActiveProjectCount adds these
LISTED_FIELDS = WORKSPACE_FIELDS | {
    "active_project_count",
    "csv_upload",
    "max_data_retention_days",
    "permissions",
    "subscription",
    "te_constraints",
}
USER_FIELDS = {"email", "fullname", "id", "inactive", "is_active", "is_admin", "role"}


def ws_url(person: Person, workspace_id: int | None = None) -> str:
    wid = person.workspace_id if workspace_id is None else workspace_id
    return f"{API}/workspaces/{wid}"


def test_me_workspaces_lists_only_the_users_own(
    client: TestClient, user: Person, other_user: Person
) -> None:
    r = client.get(f"{API}/me/workspaces", headers=user.auth)
    assert r.status_code == 200 and r.headers["content-type"] == JSON_TYPE
    listed = r.json()
    assert [w["id"] for w in listed] == [user.workspace_id]
    ws = listed[0]
    assert LISTED_FIELDS <= set(ws), LISTED_FIELDS - set(ws)
    assert ws["admin"] is True and ws["role"] == "admin"
    assert ws["active_project_count"] == 0
    assert ws["api_token"] is None  # never the user's token
    assert user.token not in r.text
    other = client.get(f"{API}/me/workspaces", headers=other_user.auth).json()
    assert [w["id"] for w in other] == [other_user.workspace_id]


def test_get_workspace(client: TestClient, user: Person) -> None:
    r = client.get(ws_url(user), headers=user.auth)
    assert r.status_code == 200
    ws = r.json()
    assert WORKSPACE_FIELDS <= set(ws), WORKSPACE_FIELDS - set(ws)
    assert ws["id"] == user.workspace_id and ws["name"] == "Jane Doe's workspace"
    assert ws["default_currency"] == "USD"
    assert ws["at"].endswith("+00:00")


def test_another_users_workspace_is_403(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = other_user.workspace_id
    assert_error(client.get(ws_url(user, theirs), headers=user.auth), 403)
    assert_error(client.put(ws_url(user, theirs), json={"name": "mine"}, headers=user.auth), 403)
    assert_error(client.get(ws_url(user, theirs) + "/users", headers=user.auth), 403)
    assert client.get(ws_url(other_user), headers=other_user.auth).json()["name"] != "mine"


@pytest.mark.parametrize("workspace_id", [0, -1, 987654321, 2**62])
def test_unknown_workspace_is_403(client: TestClient, user: Person, workspace_id: int) -> None:
    assert_error(client.get(ws_url(user, workspace_id), headers=user.auth), 403)


def test_put_workspace_is_partial(client: TestClient, user: Person) -> None:
    r = client.put(
        ws_url(user),
        json={"name": "  Team Rocket ", "default_hourly_rate": 42.5, "rounding_minutes": 15},
        headers=user.auth,
    )
    assert r.status_code == 200, r.text
    ws = r.json()
    assert ws["name"] == "Team Rocket" and ws["default_hourly_rate"] == 42.5
    assert ws["rounding_minutes"] == 15 and ws["default_currency"] == "USD"
    r = client.put(ws_url(user), json={"projects_billable_by_default": False}, headers=user.auth)
    ws = r.json()
    assert ws["name"] == "Team Rocket" and ws["projects_billable_by_default"] is False
    assert ws["default_hourly_rate"] == 42.5
    again = client.get(ws_url(user), headers=user.auth).json()
    assert again["name"] == "Team Rocket" and again["projects_billable_by_default"] is False


def test_put_workspace_can_clear_the_hourly_rate(client: TestClient, user: Person) -> None:
    client.put(ws_url(user), json={"default_hourly_rate": 10}, headers=user.auth)
    r = client.put(ws_url(user), json={"default_hourly_rate": None}, headers=user.auth)
    assert r.json()["default_hourly_rate"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 141},
        {"name": "a\x00b"},
        {"name": 12},
        {"default_currency": "EUROS-AND-MORE"},
        {"default_currency": ""},
        {"default_hourly_rate": -1},
        {"default_hourly_rate": "abc"},
        {"rounding": 10**20},
        {"rounding_minutes": -5},
        {"rounding_minutes": 10**20},
        {"reports_collapse": "yes"},
        ["name"],
    ],
)
def test_put_workspace_rejects_bad_values(client: TestClient, user: Person, body: Any) -> None:
    assert_error(client.put(ws_url(user), json=body, headers=user.auth), 400)
    assert client.get(ws_url(user), headers=user.auth).json()["name"] == "Jane Doe's workspace"


def test_infinite_rate_is_refused(client: TestClient, user: Person) -> None:
    r = client.put(
        ws_url(user),
        content=b'{"default_hourly_rate": 1e999}',
        headers={**user.auth, "Content-Type": "application/json"},
    )
    assert_error(r, 400)


def test_non_admin_may_not_change_the_workspace(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    assert client.get(ws_url(user), headers=other_user.auth).json()["admin"] is False
    assert_error(client.put(ws_url(user), json={"name": "x"}, headers=other_user.auth), 403)
    listed = client.get(f"{API}/me/workspaces", headers=other_user.auth).json()
    assert sorted(w["id"] for w in listed) == sorted([user.workspace_id, other_user.workspace_id])


def test_workspace_users(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    r = client.get(ws_url(user) + "/users", headers=user.auth)
    assert r.status_code == 200
    users = r.json()
    assert [u["id"] for u in users] == [user.id]
    assert USER_FIELDS <= set(users[0])
    assert users[0]["email"] == user.email and users[0]["is_admin"] is True
    assert users[0]["is_active"] is True and users[0]["inactive"] is False
    assert user.token not in r.text and "api_token" not in users[0]
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    users = client.get(ws_url(user) + "/users", headers=user.auth).json()
    assert sorted(u["id"] for u in users) == sorted([user.id, other_user.id])
    member = next(u for u in users if u["id"] == other_user.id)
    assert member["is_admin"] is False and member["role"] == "user"  # Toggl spells a member so


def test_me_workspaces_since(client: TestClient, runtime: Runtime, user: Person) -> None:
    with runtime.db.write() as session:
        ws = session.get(Workspace, user.workspace_id)
        assert ws is not None
        ws.at = datetime(2024, 1, 1, tzinfo=UTC)
    long_ago = int(datetime(2023, 6, 1, tzinfo=UTC).timestamp())
    later = int(datetime(2024, 6, 1, tzinfo=UTC).timestamp())
    url = f"{API}/me/workspaces"
    assert len(client.get(url, params={"since": long_ago}, headers=user.auth).json()) == 1
    assert client.get(url, params={"since": later}, headers=user.auth).json() == []
    client.put(ws_url(user), json={"name": "Renamed"}, headers=user.auth)
    assert len(client.get(url, params={"since": later}, headers=user.auth).json()) == 1


def test_active_project_count(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    with runtime.db.write() as session:
        for name, active in (("a", True), ("b", True), ("archived", False)):
            session.add(
                Project(
                    workspace_id=user.workspace_id, name=name, active=active, creator_id=user.id
                )
            )
        session.add(
            Project(workspace_id=other_user.workspace_id, name="theirs", creator_id=other_user.id)
        )
    listed = client.get(f"{API}/me/workspaces", headers=user.auth).json()
    assert listed[0]["active_project_count"] == 2
    theirs = client.get(f"{API}/me/workspaces", headers=other_user.auth).json()
    assert theirs[0]["active_project_count"] == 1
