"""Invitations: everyone invited gets a pending invitation that they accept (or reject), at
once if they have an account, once they have signed up if not; the answer to the sender is the
same either way."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from tests.teams.team_helpers import make_team, ok, organization_id
from trackgate.runtime import Runtime


def invite(client: TestClient, person: Person, oid: int, **body: Any) -> Any:
    return client.post(f"{API}/organizations/{oid}/invitations", json=body, headers=person.auth)


def test_an_existing_user_is_asked_and_joins_with_the_role_given_on_accepting(
    client: TestClient, user: Person, other_user: Person
) -> None:
    oid = organization_id(client, user)
    places = [{"workspace_id": user.workspace_id, "role": "admin"}]
    result = ok(invite(client, user, oid, emails=[other_user.email.upper()], workspaces=places))
    [info] = result["data"]
    assert (info["email"], info["recipient_id"], info["sender_id"]) == (
        other_user.email,
        None,
        user.id,
    )
    assert info["workspaces"] == [{"workspace_id": user.workspace_id, "role": "admin"}]
    # nothing changes for them until they accept
    assert_error(client.get(f"{API}/workspaces/{user.workspace_id}", headers=other_user.auth), 403)
    orgs = ok(client.get(f"{API}/me/organizations", headers=other_user.auth))
    assert oid not in [o["id"] for o in orgs]
    assert_error(client.post(info["invite_url"], headers=user.auth), 404)  # not the sender's
    assert client.post(info["invite_url"], headers=other_user.auth).status_code == 200
    ws = ok(client.get(f"{API}/workspaces/{user.workspace_id}", headers=other_user.auth))
    assert ws["admin"] is True
    orgs = ok(client.get(f"{API}/me/organizations", headers=other_user.auth))
    assert oid in [o["id"] for o in orgs]
    assert_error(client.post(info["invite_url"], headers=other_user.auth), 404)  # used up


def test_an_existing_user_may_reject(client: TestClient, user: Person, other_user: Person) -> None:
    oid = organization_id(client, user)
    places = [{"workspace_id": user.workspace_id}]
    [info] = ok(invite(client, user, oid, emails=[other_user.email], workspaces=places))["data"]
    reject_url = info["invite_url"].replace("/accept", "/reject")
    assert client.post(reject_url, headers=other_user.auth).status_code == 200
    assert_error(client.post(info["invite_url"], headers=other_user.auth), 404)
    assert_error(client.get(f"{API}/workspaces/{user.workspace_id}", headers=other_user.auth), 403)
    users = ok(
        client.get(f"{API}/workspaces/{user.workspace_id}/workspace_users", headers=user.auth)
    )
    assert other_user.email not in [u["email"] for u in users]


def test_the_answer_does_not_tell_whether_an_address_has_an_account(
    client: TestClient, user: Person, other_user: Person
) -> None:
    oid = organization_id(client, user)
    places = [{"workspace_id": user.workspace_id, "role": "member"}]
    unknown = "nobody-here@example.com"

    def answer(email: str) -> tuple[int, dict[str, Any]]:
        r = invite(client, user, oid, emails=[email], workspaces=places)
        assert r.status_code == 200, r.text
        body = r.json()
        [info] = body["data"]
        masked = {k: v for k, v in info.items() if k not in ("email", "invitation_id")}
        masked["invite_url"] = masked["invite_url"].rsplit("/", 2)[0::2]
        masked["messages"] = [m.replace(email, "EMAIL") for m in body["messages"]]
        masked["keys"] = sorted(body)
        return r.status_code, masked

    assert answer(other_user.email) == answer(unknown)
    together = ok(invite(client, user, oid, emails=[other_user.email, unknown], workspaces=places))
    assert [d["recipient_id"] for d in together["data"]] == [None, None]
    assert together["messages"] == [f"{other_user.email} invited", f"{unknown} invited"]


def test_an_unknown_address_gets_a_pending_invitation_to_accept(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    oid = organization_id(client, user)
    places = [{"workspace_id": user.workspace_id}]
    result = ok(invite(client, user, oid, emails=["newcomer@example.com"], workspaces=places))
    [info] = result["data"]
    assert info["recipient_id"] is None and info["invitation_id"]
    accept_url = info["invite_url"]
    assert accept_url.startswith("/api/v9/organizations/invitations/") and accept_url.endswith(
        "/accept"
    )
    newcomer = make_user(runtime, email="newcomer@example.com")
    outsider = make_user(runtime)
    assert_error(client.post(accept_url, headers=outsider.auth), 404)  # not theirs
    assert client.post(accept_url, headers=newcomer.auth).status_code == 200
    ws = ok(client.get(f"{API}/workspaces/{user.workspace_id}", headers=newcomer.auth))
    assert ws["admin"] is False and ws["role"] == "user"  # Toggl's word for a member
    assert_error(client.post(accept_url, headers=newcomer.auth), 404)  # used up


def test_reject_leaves_the_workspace_alone(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    oid = organization_id(client, user)
    places = [{"workspace_id": user.workspace_id}]
    [info] = ok(invite(client, user, oid, emails=["maybe@example.com"], workspaces=places))["data"]
    maybe = make_user(runtime, email="maybe@example.com")
    reject_url = info["invite_url"].replace("/accept", "/reject")
    assert client.post(reject_url, headers=maybe.auth).status_code == 200
    assert_error(client.post(info["invite_url"], headers=maybe.auth), 404)
    assert_error(client.get(f"{API}/workspaces/{user.workspace_id}", headers=maybe.auth), 403)
    assert_error(client.post(f"{API}/organizations/invitations/zz/accept", headers=maybe.auth), 404)


def test_who_may_invite_and_what(client: TestClient, runtime: Runtime, other_user: Person) -> None:
    team = make_team(runtime)
    oid = organization_id(client, team.admin)
    places = [{"workspace_id": team.workspace_id}]
    r = invite(client, team.member, oid, emails=["x@example.com"], workspaces=places)
    assert_error(r, 403)
    r = invite(client, other_user, oid, emails=["x@example.com"], workspaces=places)
    assert_error(r, 403)
    foreign = [{"workspace_id": other_user.workspace_id}]
    assert_error(invite(client, team.admin, oid, emails=["x@example.com"], workspaces=foreign), 400)
    assert_error(invite(client, team.admin, oid, emails=[], workspaces=places), 400)
    assert_error(invite(client, team.admin, oid, emails=["x@example.com"], workspaces=[]), 400)
    assert_error(invite(client, team.admin, oid, emails=["not an address"], workspaces=places), 400)
    bad_role = [{"workspace_id": team.workspace_id, "role": "owner"}]
    assert_error(
        invite(client, team.admin, oid, emails=["x@example.com"], workspaces=bad_role), 400
    )
