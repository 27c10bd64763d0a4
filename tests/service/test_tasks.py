"""Tasks: the fields of ``models.Task``, the rules of a task under its project, tracked time,
the workspace listing's envelope and filters, and nobody sees another's tasks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.catalog_helpers import (
    SECONDS_STAMP,
    SINCE_AFTER_LONG_AGO,
    TASK_FIELDS,
    backdate,
    make_client,
    make_project,
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
from trackgate.storage.models import Task, WorkspaceMember


def tasks_url(person: Person, project_id: int, *rest: object) -> str:
    return ws_url(person, "projects", project_id, "tasks", *rest)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [t["name"] for t in items]


def test_create_answers_every_field_of_models_task(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    project = make_project(client, user, "Site", client_id=acme["id"], color="#aa00bb")
    body = make_task(client, user, project["id"], "Design", estimated_seconds=7200)
    assert set(body) == TASK_FIELDS
    assert body["workspace_id"] == user.workspace_id and body["project_id"] == project["id"]
    assert body["name"] == "Design" and body["active"] is True
    assert body["estimated_seconds"] == 7200 and body["tracked_seconds"] == 0
    assert body["project_name"] == "Site" and body["project_color"] == "#aa00bb"
    assert body["client_name"] == "Acme" and body["project_billable"] is True
    assert body["user_id"] is None and body["toggl_accounts_id"] is None
    assert SECONDS_STAMP.match(body["at"])
    got = client.get(tasks_url(user, project["id"], body["id"]), headers=user.auth)
    assert got.status_code == 200 and got.json() == body


def test_assignee_must_belong_to_the_workspace(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    project = make_project(client, user, "Team")
    r = client.post(
        tasks_url(user, project["id"]),
        json={"name": "T", "user_id": other_user.id},
        headers=user.auth,
    )
    assert_error(r, 400)
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    body = make_task(client, user, project["id"], "T", uid=other_user.id)
    assert body["user_id"] == other_user.id
    assert body["toggl_accounts_id"] == other_user.me["toggl_accounts_id"]


def test_name_rules(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Named")
    other = make_project(client, user, "Other project")
    url = tasks_url(user, project["id"])
    for payload in ({}, {"name": ""}, {"name": " "}, {"name": "é" * 128}, {"name": 1}):
        assert_error(client.post(url, json=payload, headers=user.auth), 400)
    first = make_task(client, user, project["id"], "Twin")
    assert_error(client.post(url, json={"name": "Twin"}, headers=user.auth), 400)
    assert make_task(client, user, other["id"], "Twin")["name"] == "Twin"  # another project
    second = make_task(client, user, project["id"], "Second")
    r = client.put(
        tasks_url(user, project["id"], second["id"]), json={"name": "Twin"}, headers=user.auth
    )
    assert_error(r, 400)
    client.delete(tasks_url(user, project["id"], first["id"]), headers=user.auth)
    assert make_task(client, user, project["id"], "Twin")["name"] == "Twin"


def test_wrong_types_are_400(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Typed")
    url = tasks_url(user, project["id"])
    for payload in (
        {"name": "T", "active": "no"},
        {"name": "T", "estimated_seconds": -5},
        {"name": "T", "estimated_seconds": "60"},
        {"name": "T", "user_id": 2**70},
    ):
        assert_error(client.post(url, json=payload, headers=user.auth), 400)
    headers = {**user.auth, "Content-Type": "application/json"}
    assert_error(client.post(url, content=b"[", headers=headers), 400)


def test_update_is_partial_and_moves_at(client: TestClient, runtime: Runtime, user: Person) -> None:
    project = make_project(client, user, "Partial")
    made = make_task(client, user, project["id"], "Draft", estimated_seconds=60)
    backdate(runtime, Task, made["id"])
    url = tasks_url(user, project["id"], made["id"])
    r = client.put(url, json={"active": False}, headers=user.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["active"] is False and body["name"] == "Draft" and body["estimated_seconds"] == 60
    assert body["at"] > "2021"
    assert_error(client.put(url, json={"active": None}, headers=user.auth), 400)


def test_tracked_seconds_counts_stopped_entries_only(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Tracked")
    task = make_task(client, user, project["id"], "Work")
    create_entry(client, user, task_id=task["id"], duration=1200)
    create_entry(client, user, task_id=task["id"], duration=600, start="2024-12-15T01:00:00Z")
    create_entry(client, user, task_id=task["id"], duration=-1, start="2024-12-16T05:00:00Z")
    body = client.get(tasks_url(user, project["id"], task["id"]), headers=user.auth).json()
    assert body["tracked_seconds"] == 1800


def test_delete_keeps_entries_without_the_task(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Keep")
    task = make_task(client, user, project["id"], "Gone soon")
    entry = create_entry(client, user, project_id=project["id"], task_id=task["id"])
    r = client.delete(tasks_url(user, project["id"], task["id"]), headers=user.auth)
    assert r.status_code == 200
    assert_error(client.get(tasks_url(user, project["id"], task["id"]), headers=user.auth), 404)
    after = client.get(f"{API}/me/time_entries/{entry['id']}", headers=user.auth).json()
    assert after["task_id"] is None and after["project_id"] == project["id"]
    assert after["at"] > entry["at"]
    assert client.get(tasks_url(user, project["id"]), headers=user.auth).json() == []


def test_project_task_listing_true_is_active_false_or_absent_is_all(
    client: TestClient, user: Person
) -> None:
    project = make_project(client, user, "Listed")
    other = make_project(client, user, "Elsewhere")
    make_task(client, user, project["id"], "b-open")
    make_task(client, user, project["id"], "a-done", active=False)
    make_task(client, user, other["id"], "not here")
    url = tasks_url(user, project["id"])
    assert names(client.get(url, headers=user.auth).json()) == ["a-done", "b-open"]
    assert names(client.get(url, params={"active": "true"}, headers=user.auth).json()) == ["b-open"]
    assert names(client.get(url, params={"active": "false"}, headers=user.auth).json()) == [
        "a-done",
        "b-open",
    ]
    both = client.get(url, params={"active": "both"}, headers=user.auth).json()
    assert names(both) == ["a-done", "b-open"]


def test_unknown_ids_and_foreign_workspaces(
    client: TestClient, user: Person, other_user: Person
) -> None:
    mine = make_project(client, user, "Mine")
    task = make_task(client, user, mine["id"], "Mine too")
    theirs = make_project(client, other_user, "Theirs")
    their_task = make_task(client, other_user, theirs["id"], "Theirs too")
    other_mine = make_project(client, user, "Sibling")
    # a task addressed through the wrong project, or an unknown one
    for url in (
        tasks_url(user, other_mine["id"], task["id"]),
        tasks_url(user, mine["id"], 999_999_999),
        tasks_url(user, mine["id"], their_task["id"]),
    ):
        assert_error(client.get(url, headers=user.auth), 404)
        assert_error(client.put(url, json={"name": "x"}, headers=user.auth), 404)
        assert_error(client.delete(url, headers=user.auth), 404)
    # an unknown project is Toggl's 400 "Invalid project_id"
    assert_error(client.get(tasks_url(user, 999_999_999), headers=user.auth), 400)
    assert_error(
        client.post(tasks_url(user, theirs["id"]), json={"name": "x"}, headers=user.auth), 400
    )
    foreign = ws_url(other_user, "projects", theirs["id"], "tasks")
    assert_error(client.get(foreign, headers=user.auth), 403)
    assert_error(client.post(foreign, json={"name": "x"}, headers=user.auth), 403)
    assert_error(client.get(ws_url(other_user, "tasks"), headers=user.auth), 403)


def test_workspace_tasks_envelope_and_filters(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    one = make_project(client, user, "One")
    two = make_project(client, user, "Two")
    a = make_task(client, user, one["id"], "a")
    b = make_task(client, user, two["id"], "b")
    make_task(client, user, two["id"], "c", active=False)
    url = ws_url(user, "tasks")
    body = client.get(url, params={"active": "true"}, headers=user.auth).json()
    assert list(body) == ["data", "page", "per_page", "sort_field", "sort_order", "total_count"]
    assert names(body["data"]) == ["a", "b"] and body["total_count"] == 2
    assert (body["page"], body["per_page"]) == (1, 50)
    everything = client.get(url, headers=user.auth).json()  # no ``active``: all (unverified)
    assert names(everything["data"]) == ["a", "b", "c"]
    only_done = client.get(url, params={"active": "false"}, headers=user.auth).json()
    assert names(only_done["data"]) == ["c"]
    assert (body["sort_field"], body["sort_order"]) == ("name", "ASC")
    assert all(set(t) == TASK_FIELDS for t in body["data"])
    body = client.get(url, params={"pid": two["id"], "active": "both"}, headers=user.auth).json()
    assert names(body["data"]) == ["b", "c"]
    body = client.get(
        url, params={"per_page": 1, "page": 2, "active": "true"}, headers=user.auth
    ).json()
    assert names(body["data"]) == ["b"] and body["total_count"] == 2 and body["per_page"] == 1
    body = client.get(
        url, params={"sort_order": "desc", "active": "true"}, headers=user.auth
    ).json()
    assert names(body["data"]) == ["b", "a"] and body["sort_order"] == "DESC"
    backdate(runtime, Task, a["id"], b["id"])
    client.put(
        ws_url(user, "projects", one["id"], "tasks", a["id"]),
        json={"name": "a2"},
        headers=user.auth,
    )
    changed = {"since": SINCE_AFTER_LONG_AGO, "active": "true"}
    body = client.get(url, params=changed, headers=user.auth).json()
    assert names(body["data"]) == ["a2"]
    for bad in ({"pid": "x"}, {"active": "sometimes"}, {"since": "yesterday"}, {"per_page": 0}):
        assert_error(client.get(url, params=bad, headers=user.auth), 400)


def test_tasks_of_a_deleted_project_are_gone(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Short-lived")
    make_task(client, user, project["id"], "Orphan")
    client.delete(ws_url(user, "projects", project["id"]), headers=user.auth)
    assert client.get(ws_url(user, "tasks"), headers=user.auth).json()["data"] == []
    r = client.post(tasks_url(user, project["id"]), json={"name": "late"}, headers=user.auth)
    assert_error(r, 400, "Invalid project_id")
