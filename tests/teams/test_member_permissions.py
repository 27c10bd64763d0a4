"""What a member may do with the workspace's tags and clients, as Toggl's workspace settings
and roles say: members add clients and tags unless the workspace keeps that to admins
(``only_admins_may_create_projects`` covers clients, ``only_admins_may_create_tags`` tags,
also those a time entry names); only admins edit every client and tag. Where Toggl says no
more, the safe answer: a member changes or deletes only the tags and clients they created,
and only admins archive or restore clients (that archives or restores their projects). Each
refusal is the service's 403, a JSON string."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from tests.teams.team_helpers import Team, make_team, ok
from trackgate.runtime import Runtime

TAG_REFUSAL = "Only workspace admins and the tag's creator may change it"
CLIENT_REFUSAL = "Only workspace admins and the client's creator may change it"
ARCHIVE_REFUSAL = "Only workspace admins may archive or restore clients"


def url(team: Team, tail: str) -> str:
    return f"{API}/workspaces/{team.workspace_id}/{tail}"


def entry(client: TestClient, team: Team, who: Any, **fields: Any) -> Any:
    body = {
        "workspace_id": team.workspace_id,
        "created_with": "trackgate-tests",
        "start": "2024-12-09T08:00:00Z",
        "duration": 600,
        **fields,
    }
    return client.post(url(team, "time_entries"), json=body, headers=who.auth)


def test_members_change_and_delete_only_the_tags_they_created(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    theirs = ok(client.post(url(team, "tags"), json={"name": "billing"}, headers=team.admin.auth))
    tagged = ok(entry(client, team, team.admin, tag_ids=[theirs["id"]]))
    one = url(team, f"tags/{theirs['id']}")
    assert_error(client.put(one, json={"name": "mine"}, headers=team.member.auth), 403, TAG_REFUSAL)
    assert_error(client.delete(one, headers=team.member.auth), 403, TAG_REFUSAL)
    listed = ok(client.get(url(team, "tags"), headers=team.admin.auth))
    assert [t["name"] for t in listed] == ["billing"]
    again = ok(client.get(f"{API}/me/time_entries/{tagged['id']}", headers=team.admin.auth))
    assert again["tag_ids"] == [theirs["id"]]

    own = ok(client.post(url(team, "tags"), json={"name": "mine"}, headers=team.member.auth))
    mine = url(team, f"tags/{own['id']}")
    assert ok(client.put(mine, json={"name": "my own"}, headers=team.member.auth))
    assert client.delete(mine, headers=team.member.auth).status_code == 200
    other = ok(client.post(url(team, "tags"), json={"name": "x"}, headers=team.member.auth))
    assert client.delete(url(team, f"tags/{other['id']}"), headers=team.admin.auth).status_code == (
        200
    )


def test_members_change_and_delete_only_the_clients_they_created(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    acme = ok(client.post(url(team, "clients"), json={"name": "Acme"}, headers=team.admin.auth))
    body = {"name": "Site", "client_id": acme["id"], "is_private": False}
    site = ok(client.post(url(team, "projects"), json=body, headers=team.admin.auth))
    one = url(team, f"clients/{acme['id']}")
    r = client.put(one, json={"name": "Mine"}, headers=team.member.auth)
    assert_error(r, 403, CLIENT_REFUSAL)
    assert_error(client.delete(one, headers=team.member.auth), 403, CLIENT_REFUSAL)
    assert ok(client.get(one, headers=team.admin.auth))["name"] == "Acme"
    project = ok(client.get(url(team, f"projects/{site['id']}"), headers=team.admin.auth))
    assert project["client_id"] == acme["id"]

    own = ok(client.post(url(team, "clients"), json={"name": "Own"}, headers=team.member.auth))
    mine = url(team, f"clients/{own['id']}")
    assert ok(client.put(mine, json={"notes": "n"}, headers=team.member.auth))["notes"] == "n"
    assert ok(client.delete(mine, headers=team.member.auth)) == own["id"]
    assert ok(client.delete(one, headers=team.admin.auth)) == acme["id"]


def test_only_admins_archive_and_restore_clients(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    acme = ok(client.post(url(team, "clients"), json={"name": "Acme"}, headers=team.admin.auth))
    body = {"name": "Site", "client_id": acme["id"], "is_private": False}
    site = ok(client.post(url(team, "projects"), json=body, headers=team.admin.auth))
    own = ok(client.post(url(team, "clients"), json={"name": "Own"}, headers=team.member.auth))
    for client_id in (acme["id"], own["id"]):
        r = client.post(url(team, f"clients/{client_id}/archive"), headers=team.member.auth)
        assert_error(r, 403, ARCHIVE_REFUSAL)
    project = ok(client.get(url(team, f"projects/{site['id']}"), headers=team.admin.auth))
    assert project["active"] is True
    archived = client.post(url(team, f"clients/{acme['id']}/archive"), headers=team.admin.auth)
    assert ok(archived) == [site["id"]]
    restore = url(team, f"clients/{acme['id']}/restore")
    r = client.post(restore, json={"restore_all_projects": True}, headers=team.member.auth)
    assert_error(r, 403, ARCHIVE_REFUSAL)
    project = ok(client.get(url(team, f"projects/{site['id']}"), headers=team.admin.auth))
    assert project["active"] is False
    r = client.post(restore, json={"restore_all_projects": True}, headers=team.admin.auth)
    assert ok(r)["archived"] is False


def test_only_admins_may_create_projects_covers_clients(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    own = ok(client.post(url(team, "projects"), json={"name": "Own"}, headers=team.member.auth))
    settings = {"only_admins_may_create_projects": True}
    ok(client.put(f"{API}/workspaces/{team.workspace_id}", json=settings, headers=team.admin.auth))
    refused = client.post(url(team, "projects"), json={"name": "No"}, headers=team.member.auth)
    message = assert_error(refused, 403)  # the refusal the service already gave
    r = client.post(url(team, "clients"), json={"name": "Acme"}, headers=team.member.auth)
    assert_error(r, 403, message.replace("projects", "clients"))
    # nor through a project's client_name
    r = client.put(
        url(team, f"projects/{own['id']}"), json={"client_name": "Acme"}, headers=team.member.auth
    )
    assert_error(r, 403, message.replace("projects", "clients"))
    assert ok(client.get(url(team, "clients"), headers=team.admin.auth)) == []
    acme = ok(client.post(url(team, "clients"), json={"name": "Acme"}, headers=team.admin.auth))
    # an existing client may still be named
    r = client.put(
        url(team, f"projects/{own['id']}"), json={"client_name": "Acme"}, headers=team.member.auth
    )
    assert ok(r)["client_id"] == acme["id"]


def test_only_admins_may_create_tags_covers_tags_named_on_time_entries(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    ok(client.post(url(team, "tags"), json={"name": "known"}, headers=team.admin.auth))
    settings = {"only_admins_may_create_tags": True}
    ok(client.put(f"{API}/workspaces/{team.workspace_id}", json=settings, headers=team.admin.auth))
    refused = client.post(url(team, "tags"), json={"name": "new"}, headers=team.member.auth)
    message = assert_error(refused, 403)
    assert_error(entry(client, team, team.member, tags=["known", "new"]), 403, message)
    made = ok(entry(client, team, team.member, tags=["known"]))
    patched = client.put(
        url(team, f"time_entries/{made['id']}"), json={"tags": ["new"]}, headers=team.member.auth
    )
    assert_error(patched, 403, message)
    assert [t["name"] for t in ok(client.get(url(team, "tags"), headers=team.admin.auth))] == [
        "known"
    ]
    assert ok(entry(client, team, team.admin, tags=["new"]))["tags"] == ["new"]
