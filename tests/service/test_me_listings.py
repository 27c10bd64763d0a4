"""``/me/projects``, ``/me/clients``, ``/me/tags``, ``/me/tasks``: everything of every
workspace the caller belongs to, nothing of others; ``since`` shows what changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.catalog_helpers import (
    CLIENT_KEYS,
    PROJECT_KEYS,
    SINCE_AFTER_LONG_AGO,
    TAG_KEYS,
    TASK_FIELDS,
    backdate,
    make_client,
    make_project,
    make_tag,
    make_task,
    ws_url,
)
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
)
from trackgate.runtime import Runtime
from trackgate.storage.models import Client, Project, Tag, Task, WorkspaceMember


def names(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [o["name"] for o in r.json()]


@pytest.fixture
def shared(runtime: Runtime, user: Person, other_user: Person) -> Person:
    """``other_user`` also belongs to ``user``'s workspace; a third user stays apart."""
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    return other_user


def test_projects_across_workspaces(
    client: TestClient, runtime: Runtime, user: Person, shared: Person
) -> None:
    stranger = make_user(runtime)
    make_project(client, user, "In the shared workspace", is_private=False)
    make_project(client, user, "Private to its members")
    make_project(client, shared, "In their own workspace")
    make_project(client, shared, "Shelved", active=False)
    make_project(client, stranger, "Not visible")
    r = client.get(f"{API}/me/projects", headers=shared.auth)
    assert sorted(names(r)) == ["In the shared workspace", "In their own workspace"]
    assert all(list(p) == PROJECT_KEYS for p in r.json())
    r = client.get(f"{API}/me/projects", params={"include_archived": "true"}, headers=shared.auth)
    assert "Shelved" in names(r)
    assert names(client.get(f"{API}/me/projects", headers=user.auth)) == [
        "In the shared workspace",
        "Private to its members",
    ]
    bad = client.get(f"{API}/me/projects", params={"include_archived": "x"}, headers=user.auth)
    assert_error(bad, 400)


def test_projects_carry_pins_and_figures(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Figures")
    make_task(client, user, project["id"], "T")
    create_entry(client, user, project_id=project["id"], duration=7200)
    client.post(
        ws_url(user, "projects", project["id"], "pin"), json={"pin": True}, headers=user.auth
    )
    [listed] = client.get(f"{API}/me/projects", headers=user.auth).json()
    assert listed["pinned"] is True
    assert (listed["actual_seconds"], listed["actual_hours"], listed["tasks_count"]) == (7200, 2, 1)


def test_projects_since_include_deletions(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    old = make_project(client, user, "Old")
    gone = make_project(client, user, "Gone")
    backdate(runtime, Project, old["id"], gone["id"])
    client.delete(ws_url(user, "projects", gone["id"]), headers=user.auth)
    r = client.get(f"{API}/me/projects", params={"since": SINCE_AFTER_LONG_AGO}, headers=user.auth)
    assert names(r) == ["Gone"] and r.json()[0]["server_deleted_at"] is not None
    assert names(client.get(f"{API}/me/projects", headers=user.auth)) == ["Old"]


def test_clients_across_workspaces_with_since(
    client: TestClient, runtime: Runtime, user: Person, shared: Person
) -> None:
    stranger = make_user(runtime)
    a = make_client(client, user, "Shared workspace client")
    b = make_client(client, shared, "Own client")
    make_client(client, stranger, "Not visible")
    archived = make_client(client, shared, "Archived client")
    client.post(ws_url(shared, "clients", archived["id"], "archive"), headers=shared.auth)
    r = client.get(f"{API}/me/clients", headers=shared.auth)
    assert sorted(names(r)) == ["Archived client", "Own client", "Shared workspace client"]
    assert all(list(c) == CLIENT_KEYS for c in r.json())
    backdate(runtime, Client, a["id"], b["id"], archived["id"])
    client.put(ws_url(user, "clients", a["id"]), json={"notes": "changed"}, headers=user.auth)
    r = client.get(f"{API}/me/clients", params={"since": SINCE_AFTER_LONG_AGO}, headers=shared.auth)
    assert names(r) == ["Shared workspace client"]


def test_tags_across_workspaces_with_since(
    client: TestClient, runtime: Runtime, user: Person, shared: Person
) -> None:
    stranger = make_user(runtime)
    a = make_tag(client, user, "shared-tag")
    b = make_tag(client, shared, "own-tag")
    make_tag(client, stranger, "invisible")
    r = client.get(f"{API}/me/tags", headers=shared.auth)
    assert sorted(names(r)) == ["own-tag", "shared-tag"]
    assert all(list(t) == TAG_KEYS for t in r.json())
    backdate(runtime, Tag, a["id"], b["id"])
    client.delete(ws_url(shared, "tags", b["id"]), headers=shared.auth)
    r = client.get(f"{API}/me/tags", params={"since": SINCE_AFTER_LONG_AGO}, headers=shared.auth)
    [deleted] = r.json()
    assert deleted["name"] == "own-tag" and deleted["deleted_at"] is not None
    assert names(client.get(f"{API}/me/tags", headers=shared.auth)) == ["shared-tag"]


def test_tasks_across_workspaces(
    client: TestClient, runtime: Runtime, user: Person, shared: Person
) -> None:
    stranger = make_user(runtime)
    p1 = make_project(client, user, "P1", is_private=False)
    p2 = make_project(client, shared, "P2")
    t1 = make_task(client, user, p1["id"], "shared task")
    hidden = make_project(client, user, "Private P")
    make_task(client, user, hidden["id"], "task of a private project")
    make_task(client, shared, p2["id"], "own task")
    make_task(client, shared, p2["id"], "done task", active=False)
    p3 = make_project(client, stranger, "P3")
    make_task(client, stranger, p3["id"], "invisible")
    r = client.get(f"{API}/me/tasks", headers=shared.auth)
    assert sorted(names(r)) == ["own task", "shared task"]
    assert all(set(t) == TASK_FIELDS for t in r.json())
    r = client.get(f"{API}/me/tasks", params={"include_not_active": "true"}, headers=shared.auth)
    assert sorted(names(r)) == ["done task", "own task", "shared task"]
    r = client.get(f"{API}/me/tasks", params={"per_page": 1, "offset": 1}, headers=shared.auth)
    assert len(r.json()) == 1
    backdate(runtime, Task, t1["id"])
    r = client.get(f"{API}/me/tasks", params={"since": SINCE_AFTER_LONG_AGO}, headers=shared.auth)
    assert names(r) == ["own task"]
    for bad in ({"since": "x"}, {"offset": "-1"}, {"include_not_active": "maybe"}):
        assert_error(client.get(f"{API}/me/tasks", params=bad, headers=shared.auth), 400)


def test_me_with_related_data_lists_the_same_objects(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    project = make_project(client, user, "Related", client_id=acme["id"])
    make_task(client, user, project["id"], "Task")
    make_tag(client, user, "tagged")
    body = client.get(f"{API}/me", params={"with_related_data": "true"}, headers=user.auth).json()
    assert body["projects"] == client.get(f"{API}/me/projects", headers=user.auth).json()
    assert body["clients"] == client.get(f"{API}/me/clients", headers=user.auth).json()
    assert body["tags"] == client.get(f"{API}/me/tags", headers=user.auth).json()
    assert "tasks" not in body  # as on a free account
    assert [p["name"] for p in body["projects"]] == ["Related"]


def test_listings_need_credentials(client: TestClient) -> None:
    for what in ("projects", "clients", "tags", "tasks"):
        r = client.get(f"{API}/me/{what}")
        assert r.status_code == 401 and r.content == b""


ODD_VALUES = ["", "x", "-1", "0", str(2**64), "1.5", "both", "\x00", "%", "1,a", "[1]"]


def test_odd_query_values_are_answered_4xx_or_200_never_500(
    client: TestClient, user: Person
) -> None:
    project = make_project(client, user, "Probe")
    listings = {
        ws_url(user, "projects"): [
            "active",
            "since",
            "billable",
            "client_ids",
            "page",
            "sort_field",
        ],
        ws_url(user, "clients"): ["status", "name"],
        ws_url(user, "tags"): ["page", "per_page"],
        ws_url(user, "tasks"): ["active", "pid", "since", "per_page", "sort_order"],
        ws_url(user, "projects", project["id"], "tasks"): ["active"],
        f"{API}/me/projects": ["include_archived", "since"],
        f"{API}/me/tasks": ["offset", "per_page", "include_not_active"],
    }
    for url, params in listings.items():
        for param in params:
            for value in ODD_VALUES:
                r = client.get(url, params={param: value}, headers=user.auth)
                assert r.status_code in (200, 400), (url, param, value, r.text)
                if r.status_code == 400:
                    assert_error(r, 400)
