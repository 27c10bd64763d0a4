"""Bulk edit: ``PATCH /workspaces/{wid}/time_entries/{id1,id2}`` with JSON-patch operations."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.core_helpers import (
    API,
    JSON_TYPE,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
    entries_url,
)


def patch(client: TestClient, person: Person, ids: list[int] | str, ops: Any) -> Any:
    path = ids if isinstance(ids, str) else ",".join(str(i) for i in ids)
    return client.patch(entries_url(person, path), json=ops, headers=person.auth)


def read(client: TestClient, person: Person, entry_id: int) -> dict[str, Any]:
    body: dict[str, Any] = client.get(
        f"{API}/me/time_entries/{entry_id}", headers=person.auth
    ).json()
    return body


def test_replace_on_several_entries(client: TestClient, user: Person) -> None:
    a, b = create_entry(client, user), create_entry(client, user)
    r = patch(
        client,
        user,
        [a["id"], b["id"]],
        [
            {"op": "replace", "path": "/description", "value": "bulk"},
            {"op": "replace", "path": "/billable", "value": True},
        ],
    )
    assert r.status_code == 200 and r.headers["content-type"] == JSON_TYPE
    assert r.json() == {"success": [a["id"], b["id"]], "failure": []}
    for entry in (a, b):
        got = read(client, user, entry["id"])
        assert got["description"] == "bulk" and got["billable"] is True


def test_unknown_and_foreign_ids_fail_alone(
    client: TestClient, user: Person, other_user: Person
) -> None:
    mine = create_entry(client, user)
    theirs = create_entry(client, other_user)
    r = patch(
        client,
        user,
        [mine["id"], 987654321, theirs["id"]],
        [{"op": "replace", "path": "/description", "value": "x"}],
    )
    assert r.status_code == 200
    body = r.json()
    assert body["success"] == [mine["id"]]
    assert body["failure"] == [
        {"id": 987654321, "message": "Time entry not found"},
        {"id": theirs["id"], "message": "Time entry not found"},
    ]
    assert read(client, other_user, theirs["id"])["description"] is None


def test_an_invalid_change_fails_only_that_entry(client: TestClient, user: Person) -> None:
    """Applied per entry, no rollback of the others: the second entry's stop would precede start."""
    early = create_entry(client, user, start="2024-12-16T01:00:00Z", duration=60)
    late = create_entry(client, user, start="2024-12-16T05:00:00Z", duration=60)
    r = patch(
        client,
        user,
        [early["id"], late["id"]],
        [{"op": "replace", "path": "/stop", "value": "2024-12-16T02:00:00Z"}],
    )
    body = r.json()
    assert body["success"] == [early["id"]]
    assert [f["id"] for f in body["failure"]] == [late["id"]]
    assert isinstance(body["failure"][0]["message"], str)
    assert read(client, user, early["id"])["duration"] == 3600
    assert read(client, user, late["id"])["duration"] == 60


def test_tags_add_remove_replace(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, tags=["a", "b"])
    ids = [entry["id"]]
    patch(client, user, ids, [{"op": "add", "path": "/tags", "value": ["c"]}])
    assert read(client, user, entry["id"])["tags"] == ["a", "b", "c"]
    patch(client, user, ids, [{"op": "remove", "path": "/tags", "value": ["a"]}])
    assert read(client, user, entry["id"])["tags"] == ["b", "c"]
    patch(client, user, ids, [{"op": "replace", "path": "/tags", "value": ["z"]}])
    assert read(client, user, entry["id"])["tags"] == ["z"]
    patch(client, user, ids, [{"op": "remove", "path": "/tags"}])
    assert read(client, user, entry["id"])["tags"] == []


def test_remove_description_and_durations(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, description="x", start="2024-12-16T01:00:00Z")
    r = patch(
        client,
        user,
        [entry["id"]],
        [
            {"op": "remove", "path": "/description"},
            {"op": "replace", "path": "/duration", "value": 120},
        ],
    )
    assert r.json()["success"] == [entry["id"]]
    got = read(client, user, entry["id"])
    assert got["description"] is None and got["duration"] == 120
    assert got["stop"] == "2024-12-16T01:02:00+00:00"


def test_over_100_ids_is_a_400(client: TestClient, user: Person) -> None:
    ops = [{"op": "replace", "path": "/description", "value": "x"}]
    assert_error(patch(client, user, list(range(1, 102)), ops), 400)
    r = patch(client, user, list(range(1, 101)), ops)
    assert r.status_code == 200 and len(r.json()["failure"]) == 100


@pytest.mark.parametrize(
    ("ids", "ops"),
    [
        ("abc", [{"op": "replace", "path": "/description", "value": "x"}]),
        ("1,,x", [{"op": "replace", "path": "/description", "value": "x"}]),
        (",", [{"op": "replace", "path": "/description", "value": "x"}]),
        ("9" * 30, [{"op": "replace", "path": "/description", "value": "x"}]),
        ("1", [{"op": "move", "path": "/description", "value": "x"}]),
        ("1", [{"op": "replace", "path": "/password", "value": "x"}]),
        ("1", [{"op": "replace", "path": "/billable", "value": "yes"}]),
        ("1", [{"op": "replace", "path": "/duration", "value": 10**30}]),
        ("1", {"op": "replace", "path": "/description", "value": "x"}),
        ("1", [{"path": "/description"}]),
        ("1", "replace"),
    ],
)
def test_bad_requests_are_400(client: TestClient, user: Person, ids: str, ops: Any) -> None:
    assert_error(patch(client, user, ids, ops), 400)


def test_another_users_workspace_is_403(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = create_entry(client, other_user)
    r = patch(
        client,
        other_user,
        [theirs["id"]],
        [{"op": "replace", "path": "/description", "value": "x"}],
    )
    assert r.status_code == 200  # sanity: the owner may
    r = client.patch(
        entries_url(other_user, theirs["id"]),
        json=[{"op": "replace", "path": "/description", "value": "y"}],
        headers=user.auth,
    )
    assert_error(r, 403)
    assert read(client, other_user, theirs["id"])["description"] == "x"
