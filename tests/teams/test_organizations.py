"""Organizations: ``/me/organizations``, read, rename, create with a workspace, their
workspaces and users, and who may do what."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from tests.teams.team_helpers import (
    ORGANIZATION_KEYS,
    TRIAL_KEYS,
    WORKSPACE_USER_FIELDS,
    make_team,
    ok,
    organization_id,
)
from trackgate.runtime import Runtime

PRECISE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


def test_me_organizations_in_the_recorded_key_order(client: TestClient, user: Person) -> None:
    [org] = ok(client.get(f"{API}/me/organizations", headers=user.auth))
    assert list(org) == ORGANIZATION_KEYS
    assert list(org["trial_info"]) == TRIAL_KEYS
    assert org["name"] == "Jane Doe's organization"
    assert (org["admin"], org["owner"], org["user_count"]) == (True, True, 1)
    assert PRECISE.match(org["created_at"]) and PRECISE.match(org["at"])
    assert org["server_deleted_at"] is None
    assert org["id"] == organization_id(client, user)
    assert ok(client.get(f"{API}/organizations/{org['id']}", headers=user.auth)) == org


def test_a_member_sees_the_organization_but_not_as_admin(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    mine = ok(client.get(f"{API}/me/organizations", headers=team.member.auth))
    assert [(o["id"], o["admin"], o["owner"], o["user_count"]) for o in mine] == [
        (oid, False, False, 2)
    ]


def test_others_organizations_and_unknown_ids_are_403(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = organization_id(client, other_user)
    for oid in (theirs, 987_654_321):
        assert_error(client.get(f"{API}/organizations/{oid}", headers=user.auth), 403)
        r = client.put(f"{API}/organizations/{oid}", json={"name": "Mine"}, headers=user.auth)
        assert_error(r, 403)
    assert_error(client.get(f"{API}/organizations/{2**70}", headers=user.auth), 400)
    assert client.get(f"{API}/me/organizations").status_code == 401


def test_rename_by_admins_only(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    url = f"{API}/organizations/{oid}"
    before = ok(client.get(url, headers=team.admin.auth))
    r = client.put(url, json={"name": "  Acme Ltd  "}, headers=team.admin.auth)
    assert r.status_code == 200 and r.json() == "OK"  # the spec's string; its text unrecorded
    after = ok(client.get(url, headers=team.admin.auth))
    assert after["name"] == "Acme Ltd" and after["at"] >= before["at"]
    assert_error(client.put(url, json={"name": "Mine"}, headers=team.member.auth), 403)
    assert_error(client.put(url, json={"name": ""}, headers=team.admin.auth), 400)
    assert_error(client.put(url, json={"name": "x" * 141}, headers=team.admin.auth), 400)
    assert_error(client.put(url, json={"name": 5}, headers=team.admin.auth), 400)
    assert ok(client.get(url, headers=team.admin.auth))["name"] == "Acme Ltd"


def test_create_answers_the_recorded_four_keys_and_makes_its_workspace(
    client: TestClient, user: Person
) -> None:
    r = client.post(
        f"{API}/organizations",
        json={"name": "Side Project Inc", "workspace_name": "Side work"},
        headers=user.auth,
    )
    made = ok(r)
    assert list(made) == ["id", "name", "workspace_id", "workspace_name"]
    assert (made["name"], made["workspace_name"]) == ("Side Project Inc", "Side work")
    orgs = ok(client.get(f"{API}/me/organizations", headers=user.auth))
    assert [o["name"] for o in orgs] == ["Jane Doe's organization", "Side Project Inc"]
    assert orgs[1]["owner"] is True and orgs[1]["admin"] is True
    ws = ok(client.get(f"{API}/workspaces/{made['workspace_id']}", headers=user.auth))
    assert ws["organization_id"] == made["id"] and ws["admin"] is True
    listed = ok(client.get(f"{API}/organizations/{made['id']}/workspaces", headers=user.auth))
    assert [w["id"] for w in listed] == [made["workspace_id"]]
    project = client.post(
        f"{API}/workspaces/{made['workspace_id']}/projects", json={"name": "P"}, headers=user.auth
    )
    assert project.status_code == 200


def test_create_refuses_missing_names(client: TestClient, user: Person) -> None:
    for body in (
        {},
        {"name": "Only org"},
        {"workspace_name": "Only ws"},
        {"name": " ", "workspace_name": "w"},
    ):
        assert_error(client.post(f"{API}/organizations", json=body, headers=user.auth), 400)
    assert_error(client.post(f"{API}/organizations", json=[1], headers=user.auth), 400)
    assert len(ok(client.get(f"{API}/me/organizations", headers=user.auth))) == 1


def test_organization_workspaces_and_new_ones(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    url = f"{API}/organizations/{oid}/workspaces"
    made = ok(client.post(url, json={"name": "Second", "rounding": 0}, headers=team.admin.auth))
    assert made["name"] == "Second" and made["rounding"] == 0 and made["admin"] is True
    assert [w["id"] for w in ok(client.get(url, headers=team.admin.auth))] == [
        team.workspace_id,
        made["id"],
    ]
    # the member belongs to the first workspace only
    assert [w["id"] for w in ok(client.get(url, headers=team.member.auth))] == [team.workspace_id]
    assert_error(client.post(url, json={"name": "Mine"}, headers=team.member.auth), 403)
    assert_error(client.post(url, json={"name": ""}, headers=team.admin.auth), 400)
    assert_error(client.get(f"{API}/workspaces/{made['id']}", headers=team.member.auth), 403)


def test_organization_users_for_admins_with_paging_headers(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    make_user(runtime, fullname="Bea Member", workspace_id=team.workspace_id)
    oid = organization_id(client, team.admin)
    url = f"{API}/organizations/{oid}/users"
    r = client.get(url, headers=team.admin.auth)
    users = ok(r)
    assert [u["name"] for u in users] == ["Ada Admin", "Bea Member", "Max Member"]
    assert (r.headers["X-Records"], r.headers["X-Pages"], r.headers["X-Page"]) == ("3", "1", "1")
    ada = users[0]
    assert (ada["admin"], ada["owner"], ada["organization_id"]) == (True, True, oid)
    assert [w["workspace_id"] for w in ada["workspaces"]] == [team.workspace_id]
    assert ada["workspace_count"] == 1
    page = client.get(url, params={"per_page": 2, "page": 2}, headers=team.admin.auth)
    assert [u["name"] for u in ok(page)] == ["Max Member"] and page.headers["X-Pages"] == "2"
    admins = ok(client.get(url, params={"only_admins": "true"}, headers=team.admin.auth))
    assert [u["name"] for u in admins] == ["Ada Admin"]
    found = ok(client.get(url, params={"filter": "bea"}, headers=team.admin.auth))
    assert [u["name"] for u in found] == ["Bea Member"]
    assert_error(client.get(url, headers=team.member.auth), 403)
    assert_error(client.get(url, params={"per_page": "x"}, headers=team.admin.auth), 400)
    assert ok(client.get(url + "/detailed", headers=team.admin.auth)) == users


def test_organization_workspace_users_carry_user_and_workspace_ids(
    client: TestClient, runtime: Runtime, other_user: Person
) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    url = f"{API}/organizations/{oid}/workspaces/{team.workspace_id}/workspace_users"
    listed = ok(client.get(url, headers=team.admin.auth))
    assert [u["email"] for u in listed] == [team.admin.email, team.member.email]
    for row in listed:
        assert set(row) == WORKSPACE_USER_FIELDS | {"user_id", "workspace_id"}
        assert row["workspace_id"] == team.workspace_id and row["user_id"] == row["uid"]
    assert ok(client.get(url, headers=team.member.auth))[1]["role"] == "user"
    assert_error(client.get(url, headers=other_user.auth), 403)
    elsewhere = f"{API}/organizations/{oid}/workspaces/{other_user.workspace_id}/workspace_users"
    assert_error(client.get(elsewhere, headers=team.admin.auth), 404)


def test_patch_removes_workspace_users(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    url = f"{API}/organizations/{oid}/workspaces/{team.workspace_id}/workspace_users"
    assert_error(client.patch(url, json={"delete": [team.admin.id]}, headers=team.member.auth), 403)
    r = client.patch(url, json={"delete": [team.member.id]}, headers=team.admin.auth)
    assert r.status_code == 200
    assert [u["email"] for u in ok(client.get(url, headers=team.admin.auth))] == [team.admin.email]
    ws = f"{API}/workspaces/{team.workspace_id}"
    assert_error(client.get(ws, headers=team.member.auth), 403)
    # the last admin stays
    r = client.patch(url, json={"delete": [team.admin.id]}, headers=team.admin.auth)
    assert_error(r, 400)


def test_people_leave_or_are_taken_out_of_the_organization(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    bea = make_user(runtime, fullname="Bea Member", workspace_id=team.workspace_id)
    oid = organization_id(client, team.admin)
    users = f"{API}/organizations/{oid}/users"
    r = client.patch(users, json={"delete": [bea.id]}, headers=team.member.auth)
    assert_error(r, 403)
    assert (
        client.patch(users, json={"delete": [bea.id]}, headers=team.admin.auth).status_code == 200
    )
    assert_error(client.get(f"{API}/organizations/{oid}", headers=bea.auth), 403)
    assert ok(client.get(f"{API}/me", headers=bea.auth))["default_workspace_id"] is None
    r = client.delete(f"{API}/organizations/{oid}/users/leave", headers=team.member.auth)
    assert r.status_code == 200
    assert [u["name"] for u in ok(client.get(users, headers=team.admin.auth))] == ["Ada Admin"]
    assert_error(
        client.delete(f"{API}/organizations/{oid}/users/leave", headers=team.admin.auth), 400
    )
    assert_error(client.patch(users, json={"delete": [987_654]}, headers=team.admin.auth), 404)


def test_a_new_workspace_takes_its_listed_admins(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    url = f"{API}/organizations/{oid}/workspaces"
    body = {"name": "Led by two", "admins": [team.member.id]}
    made = ok(client.post(url, json=body, headers=team.admin.auth))
    ws = ok(client.get(f"{API}/workspaces/{made['id']}", headers=team.member.auth))
    assert ws["admin"] is True
    outsider = make_user(runtime)
    body = {"name": "Nope", "admins": [outsider.id]}
    assert_error(client.post(url, json=body, headers=team.admin.auth), 400)
