"""``/workspaces/{wid}/workspace_users``: members list them, admins change roles, rates and
membership; a workspace keeps at least one admin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from tests.teams.team_helpers import WORKSPACE_USER_FIELDS, make_team, ok
from trackgate.runtime import Runtime


def url(wid: int, *rest: object) -> str:
    return f"{API}/workspaces/{wid}/workspace_users" + "".join(f"/{p}" for p in rest)


def test_listing_has_the_spec_fields_and_roles(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    listed = ok(client.get(url(team.workspace_id), headers=team.admin.auth))
    assert [(u["email"], u["role"], u["admin"]) for u in listed] == [
        (team.admin.email, "admin", True),
        (team.member.email, "user", False),
    ]
    assert all(set(u) == WORKSPACE_USER_FIELDS for u in listed)
    assert listed[0]["organization_admin"] is True and listed[1]["organization_admin"] is False
    assert listed[1]["id"] == listed[1]["uid"] == team.member.id
    assert ok(client.get(url(team.workspace_id), headers=team.member.auth))[0]["name"] == (
        "Ada Admin"
    )


def test_admin_sets_role_rate_and_hours_members_cannot(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    one = url(team.workspace_id, team.member.id)
    body = {"rate": 42.5, "labor_cost": 20, "working_hours_in_minutes": 480}
    changed = ok(client.put(one, json=body, headers=team.admin.auth))
    assert (changed["rate"], changed["labor_cost"], changed["working_hours_in_minutes"]) == (
        42.5,
        20,
        480,
    )
    assert changed["rate_last_updated"] is not None
    # rates are for admins' eyes
    as_member = ok(client.get(url(team.workspace_id), headers=team.member.auth))
    assert as_member[1]["rate"] is None and as_member[1]["labor_cost"] is None
    as_admin = ok(client.get(url(team.workspace_id), headers=team.admin.auth))
    assert as_admin[1]["rate"] == 42.5
    assert_error(client.put(one, json={"rate": 1}, headers=team.member.auth), 403)
    promoted = ok(client.put(one, json={"role": "admin"}, headers=team.admin.auth))
    assert (promoted["role"], promoted["admin"]) == ("admin", True)
    ws = ok(client.get(f"{API}/workspaces/{team.workspace_id}", headers=team.member.auth))
    assert ws["admin"] is True and ws["role"] == "admin"
    assert_error(client.put(one, json={"role": "owner"}, headers=team.admin.auth), 400)
    assert_error(client.put(one, json={"rate": -1}, headers=team.admin.auth), 400)
    assert_error(client.put(url(team.workspace_id, 999_999), json={}, headers=team.admin.auth), 404)


def test_the_last_admin_cannot_step_down_or_leave(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    me = url(team.workspace_id, team.admin.id)
    assert_error(client.put(me, json={"role": "user"}, headers=team.admin.auth), 400)
    assert_error(client.put(me, json={"inactive": True}, headers=team.admin.auth), 400)
    assert_error(client.delete(me, headers=team.admin.auth), 400)
    ok(
        client.put(
            url(team.workspace_id, team.member.id), json={"admin": True}, headers=team.admin.auth
        )
    )
    stepped = ok(client.put(me, json={"role": "user"}, headers=team.admin.auth))
    assert stepped["admin"] is False


def test_deactivated_and_removed_members_lose_access_but_keep_their_time(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    entry = client.post(
        f"{API}/workspaces/{team.workspace_id}/time_entries",
        json={
            "workspace_id": team.workspace_id,
            "created_with": "tests",
            "start": "2024-12-16T01:00:00Z",
            "duration": 60,
        },
        headers=team.member.auth,
    )
    assert entry.status_code == 200
    one = url(team.workspace_id, team.member.id)
    inactive = ok(client.put(one, json={"inactive": True}, headers=team.admin.auth))
    assert inactive["inactive"] is True and inactive["active"] is False
    ws = f"{API}/workspaces/{team.workspace_id}"
    assert_error(client.get(ws, headers=team.member.auth), 403)
    ok(client.put(one, json={"inactive": False}, headers=team.admin.auth))
    assert client.get(ws, headers=team.member.auth).status_code == 200
    assert_error(client.delete(one, headers=team.member.auth), 403)
    theirs = client.post(
        f"{API}/workspaces/{team.workspace_id}/projects",
        json={"name": "M"},
        headers=team.member.auth,
    )
    assert theirs.status_code == 200
    project_users = f"{API}/workspaces/{team.workspace_id}/project_users"
    by_member = {"user_id": team.member.id}
    assert len(ok(client.get(project_users, params=by_member, headers=team.admin.auth))) == 1
    r = client.delete(one, headers=team.admin.auth)
    assert r.status_code == 200 and r.content == b""
    assert ok(client.get(project_users, params=by_member, headers=team.admin.auth)) == []
    assert_error(client.get(ws, headers=team.member.auth), 403)
    kept = client.get(f"{API}/me/time_entries/{entry.json()['id']}", headers=team.member.auth)
    assert kept.status_code == 200
    assert_error(client.delete(one, headers=team.admin.auth), 404)


def test_statistics_count_members_and_name_admins(
    client: TestClient, runtime: Runtime, other_user: Person
) -> None:
    team = make_team(runtime)
    stats = ok(
        client.get(f"{API}/workspaces/{team.workspace_id}/statistics", headers=team.member.auth)
    )
    assert stats == {
        "admins": [{"user_id": team.admin.id, "name": "Ada Admin"}],
        "groups_count": 0,
        "members_count": 2,
    }
    r = client.get(f"{API}/workspaces/{team.workspace_id}/statistics", headers=other_user.auth)
    assert_error(r, 403)


def test_users_data_answers_the_asked_members(
    client: TestClient, runtime: Runtime, other_user: Person
) -> None:
    team = make_team(runtime)
    url = f"{API}/workspaces/{team.workspace_id}/users/data"
    asked = [team.member.id, other_user.id, 987_654]
    found = ok(client.post(url, json=asked, headers=team.admin.auth))
    assert [(u["id"], u["role"]) for u in found] == [(team.member.id, "user")]
    assert ok(client.post(url, json=[], headers=team.admin.auth)) == []
    assert_error(client.post(url, json={"ids": [1]}, headers=team.admin.auth), 400)
    assert_error(client.post(url, json=["x"], headers=team.admin.auth), 400)
    assert_error(client.post(url, json=[1], headers=other_user.auth), 403)
