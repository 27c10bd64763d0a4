"""Clients: Toggl's keys in Toggl's order, names, the status filter, archive and restore
with their projects, deletion that keeps the projects, and nobody sees another's clients."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.catalog_helpers import (
    CLIENT_KEYS,
    SECONDS_STAMP,
    backdate,
    make_client,
    make_project,
    ws_url,
)
from tests.service.core_helpers import (
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from trackgate.runtime import Runtime
from trackgate.storage.models import Client


def names(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [c["name"] for c in r.json()]


def test_create_answers_every_key_in_toggls_order(client: TestClient, user: Person) -> None:
    body = make_client(client, user, "New Client", notes="Client notes here")
    assert list(body) == CLIENT_KEYS
    assert body["wid"] == user.workspace_id and "workspace_id" not in body
    assert body["archived"] is False and body["creator_id"] == user.id
    assert body["notes"] == "Client notes here"
    assert SECONDS_STAMP.match(body["at"])
    assert make_client(client, user, "No notes")["notes"] is None


def test_get_update_and_partial_put(client: TestClient, runtime: Runtime, user: Person) -> None:
    made = make_client(client, user, "Acme", notes="keep me")
    url = ws_url(user, "clients", made["id"])
    assert client.get(url, headers=user.auth).json() == made
    backdate(runtime, Client, made["id"])
    r = client.put(url, json={"name": "Acme Corp"}, headers=user.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == CLIENT_KEYS
    assert body["name"] == "Acme Corp" and body["notes"] == "keep me" and body["at"] > "2021"
    r = client.put(url, json={"notes": None}, headers=user.auth)
    assert r.json()["notes"] is None and r.json()["name"] == "Acme Corp"


def test_name_rules(client: TestClient, user: Person, other_user: Person) -> None:
    url = ws_url(user, "clients")
    for payload in ({}, {"name": ""}, {"name": "  "}, {"name": "é" * 128}, {"name": 3}):
        assert_error(client.post(url, json=payload, headers=user.auth), 400)
    assert make_client(client, user, "x" * 255)["name"] == "x" * 255
    first = make_client(client, user, "Twin")
    assert_error(client.post(url, json={"name": "Twin"}, headers=user.auth), 400)
    second = make_client(client, user, "Other")
    r = client.put(ws_url(user, "clients", second["id"]), json={"name": "Twin"}, headers=user.auth)
    assert_error(r, 400)
    r = client.put(ws_url(user, "clients", first["id"]), json={"name": ""}, headers=user.auth)
    assert_error(r, 400)
    make_client(client, other_user, "Twin")  # another workspace: fine
    client.delete(ws_url(user, "clients", first["id"]), headers=user.auth)
    assert make_client(client, user, "Twin")["name"] == "Twin"  # a deleted name is free


def test_malformed_bodies_are_400(client: TestClient, user: Person) -> None:
    headers = {**user.auth, "Content-Type": "application/json"}
    for body in (b"{", b"[1]", b"null", b""):
        r = client.post(ws_url(user, "clients"), content=body, headers=headers)
        assert_error(r, 400)
    r = client.post(ws_url(user, "clients"), json={"name": "N", "notes": 5}, headers=user.auth)
    assert_error(r, 400)
    r = client.post(
        ws_url(user, "clients"), json={"name": "N", "notes": "x" * 3001}, headers=user.auth
    )
    assert_error(r, 400)


def test_list_status_filter_default_active(client: TestClient, user: Person) -> None:
    make_client(client, user, "Live")
    shelved = make_client(client, user, "Shelved")
    client.post(ws_url(user, "clients", shelved["id"], "archive"), headers=user.auth)
    url = ws_url(user, "clients")
    assert names(client.get(url, headers=user.auth)) == ["Live"]
    assert names(client.get(url, params={"status": "active"}, headers=user.auth)) == ["Live"]
    assert names(client.get(url, params={"status": "archived"}, headers=user.auth)) == ["Shelved"]
    assert names(client.get(url, params={"status": "both"}, headers=user.auth)) == [
        "Live",
        "Shelved",
    ]
    for bad in ("all", "ACTIVE", "1"):
        r = client.get(url, params={"status": bad}, headers=user.auth)
        assert_error(r, 400, "Client status is invalid")


def test_list_name_is_a_case_insensitive_substring(client: TestClient, user: Person) -> None:
    for name in ("Ärzte Köln", "Acme", "acme labs", "Globex"):
        make_client(client, user, name)
    url = ws_url(user, "clients")
    assert names(client.get(url, params={"name": "ACME"}, headers=user.auth)) == [
        "Acme",
        "acme labs",
    ]
    assert names(client.get(url, params={"name": "ärzte"}, headers=user.auth)) == ["Ärzte Köln"]
    assert names(client.get(url, params={"name": "_"}, headers=user.auth)) == []


def test_unknown_and_foreign_ids_are_404_with_toggls_message(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = make_client(client, other_user, "Theirs")
    for client_id in (999_999_999, theirs["id"]):
        one = ws_url(user, "clients", client_id)
        toggls = f"No client with ID {client_id} was found"
        assert_error(client.get(one, headers=user.auth), 404, toggls)
        assert_error(client.put(one, json={"name": "X"}, headers=user.auth), 404, toggls)
        assert_error(client.delete(one, headers=user.auth), 404, toggls)
        assert_error(client.post(one + "/archive", headers=user.auth), 404, toggls)
        assert_error(client.post(one + "/restore", json={}, headers=user.auth), 404, toggls)
    assert_error(client.get(ws_url(user, "clients", 2**64), headers=user.auth), 400)


def test_another_users_workspace_is_403(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = make_client(client, other_user, "Theirs")
    base = ws_url(other_user, "clients")
    assert_error(client.get(base, headers=user.auth), 403)
    assert_error(client.post(base, json={"name": "Intruder"}, headers=user.auth), 403)
    assert_error(client.get(f"{base}/{theirs['id']}", headers=user.auth), 403)
    assert_error(client.post(f"{base}/{theirs['id']}/archive", headers=user.auth), 403)
    assert names(client.get(base, headers=other_user.auth)) == ["Theirs"]


def test_delete_unassigns_its_projects_and_answers_the_id_unverified(
    client: TestClient, user: Person
) -> None:
    acme = make_client(client, user, "Acme")
    project = make_project(client, user, "For Acme", client_id=acme["id"])
    r = client.delete(ws_url(user, "clients", acme["id"]), headers=user.auth)
    assert r.status_code == 200 and r.json() == acme["id"]
    assert_error(client.get(ws_url(user, "clients", acme["id"]), headers=user.auth), 404)
    assert (
        names(client.get(ws_url(user, "clients"), params={"status": "both"}, headers=user.auth))
        == []
    )
    after = client.get(ws_url(user, "projects", project["id"]), headers=user.auth).json()
    assert after["client_id"] is None and after["cid"] is None
    assert after["at"] >= project["at"]


def test_archive_archives_its_projects_and_answers_their_ids(
    client: TestClient, user: Person
) -> None:
    acme = make_client(client, user, "Acme")
    one = make_project(client, user, "One", client_id=acme["id"])
    two = make_project(client, user, "Two", client_id=acme["id"])
    make_project(client, user, "Already shelved", client_id=acme["id"], active=False)
    unrelated = make_project(client, user, "Unrelated")
    r = client.post(ws_url(user, "clients", acme["id"], "archive"), headers=user.auth)
    assert r.status_code == 200, r.text
    assert sorted(r.json()) == sorted([one["id"], two["id"]])
    assert client.get(ws_url(user, "clients", acme["id"]), headers=user.auth).json()["archived"]
    for project in (one, two):
        got = client.get(ws_url(user, "projects", project["id"]), headers=user.auth).json()
        assert got["active"] is False and got["status"] == "archived"
    got = client.get(ws_url(user, "projects", unrelated["id"]), headers=user.auth).json()
    assert got["active"] is True


def test_restore_with_all_projects(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    one = make_project(client, user, "One", client_id=acme["id"])
    two = make_project(client, user, "Two", client_id=acme["id"])
    client.post(ws_url(user, "clients", acme["id"], "archive"), headers=user.auth)
    r = client.post(
        ws_url(user, "clients", acme["id"], "restore"),
        json={"restore_all_projects": True},
        headers=user.auth,
    )
    assert r.status_code == 200, r.text
    assert list(r.json()) == CLIENT_KEYS and r.json()["archived"] is False
    for project in (one, two):
        got = client.get(ws_url(user, "projects", project["id"]), headers=user.auth).json()
        assert got["active"] is True


def test_restore_named_projects_only(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    one = make_project(client, user, "One", client_id=acme["id"])
    two = make_project(client, user, "Two", client_id=acme["id"])
    client.post(ws_url(user, "clients", acme["id"], "archive"), headers=user.auth)
    r = client.post(
        ws_url(user, "clients", acme["id"], "restore"),
        json={"restore_all_projects": False, "projects": [one["id"]]},
        headers=user.auth,
    )
    assert r.status_code == 200 and r.json()["archived"] is False
    url = ws_url(user, "projects")
    assert client.get(f"{url}/{one['id']}", headers=user.auth).json()["active"] is True
    assert client.get(f"{url}/{two['id']}", headers=user.auth).json()["active"] is False


def test_restore_refuses_foreign_projects_and_bad_bodies(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    stranger = make_project(client, user, "Not Acme's", active=False)
    client.post(ws_url(user, "clients", acme["id"], "archive"), headers=user.auth)
    url = ws_url(user, "clients", acme["id"], "restore")
    assert_error(client.post(url, json={"projects": [stranger["id"]]}, headers=user.auth), 400)
    assert_error(client.post(url, json={"restore_all_projects": "yes"}, headers=user.auth), 400)
    assert_error(client.post(url, json={"projects": "1,2"}, headers=user.auth), 400)
    got = client.get(ws_url(user, "clients", acme["id"]), headers=user.auth).json()
    assert got["archived"] is True  # nothing changed
    r = client.post(url, headers=user.auth)  # no body: the client alone
    assert r.status_code == 200 and r.json()["archived"] is False
