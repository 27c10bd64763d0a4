"""Projects: Toggl's keys in Toggl's order, the rules of a project, the listing's filters,
deletion with and without its time entries, pins, and nobody sees another's projects."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.catalog_helpers import (
    PROJECT_KEYS,
    SECONDS_STAMP,
    SINCE_AFTER_LONG_AGO,
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
    entries_url,
)
from trackgate.runtime import Runtime
from trackgate.storage.models import Project, WorkspaceMember


def names(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [p["name"] for p in r.json()]


# --- the object -------------------------------------------------------------------------


def test_create_answers_every_key_in_toggls_order(client: TestClient, user: Person) -> None:
    body = make_project(client, user, "Apollo", color="#0b83d9")
    assert list(body) == PROJECT_KEYS
    assert body["workspace_id"] == body["wid"] == user.workspace_id
    assert body["client_id"] is None and body["cid"] is None
    assert SECONDS_STAMP.match(body["at"]) and SECONDS_STAMP.match(body["created_at"])
    assert body["server_deleted_at"] is None
    assert body["status"] == "active" and body["pinned"] is False
    assert body["actual_seconds"] == 0 and body["tasks_count"] == 0
    assert body["start_date"] == body["created_at"][:10]


def test_defaults_private_active_and_billable_per_workspace(
    client: TestClient, user: Person
) -> None:
    first = make_project(client, user, "Defaults")
    assert (first["is_private"], first["active"], first["billable"]) == (True, True, True)
    r = client.put(ws_url(user), json={"projects_billable_by_default": False}, headers=user.auth)
    assert r.status_code == 200, r.text
    second = make_project(client, user, "Not billable by default")
    assert second["billable"] is False
    assert make_project(client, user, "Explicit", billable=True)["billable"] is True


def test_end_date_appears_after_start_date_only_when_set(client: TestClient, user: Person) -> None:
    body = make_project(client, user, "Dated", start_date="2024-01-01", end_date="2024-02-01")
    keys = list(body)
    assert keys.index("end_date") == keys.index("start_date") + 1
    assert [k for k in keys if k != "end_date"] == PROJECT_KEYS
    assert body["end_date"] == "2024-02-01" and body["status"] == "ended"
    r = client.put(ws_url(user, "projects", body["id"]), json={"end_date": None}, headers=user.auth)
    assert "end_date" not in r.json() and r.json()["status"] == "active"


def test_end_date_before_start_date_is_refused(client: TestClient, user: Person) -> None:
    r = client.post(
        ws_url(user, "projects"),
        json={"name": "Backwards", "start_date": "2024-02-01", "end_date": "2024-01-01"},
        headers=user.auth,
    )
    assert_error(r, 400)
    r = client.post(
        ws_url(user, "projects"), json={"name": "Bad", "start_date": "soon"}, headers=user.auth
    )
    assert_error(r, 400)


def test_estimated_hours_and_rate(client: TestClient, user: Person) -> None:
    body = make_project(client, user, "Estimated", estimated_hours=3, rate=12.5, currency="eur")
    assert body["estimated_hours"] == 3 and body["estimated_seconds"] == 3 * 3600
    assert body["rate"] == 12.5 and body["currency"] == "EUR"
    assert SECONDS_STAMP.match(body["rate_last_updated"])


# --- names and colors --------------------------------------------------------------------


def test_name_is_required(client: TestClient, user: Person) -> None:
    for payload in ({}, {"name": ""}, {"name": "   "}, {"name": None}):
        r = client.post(ws_url(user, "projects"), json=payload, headers=user.auth)
        assert_error(r, 400)


def test_name_at_most_255_bytes(client: TestClient, user: Person) -> None:
    assert make_project(client, user, "é" * 127 + "x")["name"] == "é" * 127 + "x"  # 255 bytes
    r = client.post(ws_url(user, "projects"), json={"name": "é" * 128}, headers=user.auth)
    assert_error(r, 400)
    r = client.post(ws_url(user, "projects"), json={"name": "x" * 5000}, headers=user.auth)
    assert_error(r, 400)


def test_name_unique_in_the_workspace_only(
    client: TestClient, user: Person, other_user: Person
) -> None:
    first = make_project(client, user, "Twin")
    assert_error(
        client.post(ws_url(user, "projects"), json={"name": "Twin"}, headers=user.auth), 400
    )
    other = make_project(client, user, "Other")
    r = client.put(ws_url(user, "projects", other["id"]), json={"name": "Twin"}, headers=user.auth)
    assert_error(r, 400)
    make_project(client, other_user, "Twin")  # another workspace: fine
    r = client.put(ws_url(user, "projects", first["id"]), json={"name": "Twin"}, headers=user.auth)
    assert r.status_code == 200  # keeping its own name is no clash
    client.delete(ws_url(user, "projects", first["id"]), headers=user.auth)
    assert make_project(client, user, "Twin")["name"] == "Twin"  # a deleted name is free


def test_color_must_be_lowercase_hex(client: TestClient, user: Person) -> None:
    made = make_project(client, user, "Colored", color="#a1b2c3")
    assert made["color"] == "#a1b2c3"
    for color in ("#ABCDEF", "red", "#12345", "#1234567", "0b83d9", "", None, 7):
        payload = {"name": "C", "color": color}
        assert_error(client.post(ws_url(user, "projects"), json=payload, headers=user.auth), 400)
        r = client.put(
            ws_url(user, "projects", made["id"]), json={"color": color}, headers=user.auth
        )
        assert_error(r, 400)


WRONG_TYPES: list[dict[str, Any]] = [
    {"name": 5},
    {"name": "T", "active": "yes"},
    {"name": "T", "billable": 1},
    {"name": "T", "client_id": "7"},
    {"name": "T", "estimated_hours": -1},
    {"name": "T", "rate": -3},
    {"name": "T", "rate": "12"},
    {"name": "T", "currency": "euro"},
    {"name": "T", "client_id": 2**70},
    {"name": "bad\u0000name"},
]


def test_wrong_types_and_malformed_bodies_are_400(client: TestClient, user: Person) -> None:
    for payload in WRONG_TYPES:
        r = client.post(ws_url(user, "projects"), json=payload, headers=user.auth)
        assert_error(r, 400)
    headers = {**user.auth, "Content-Type": "application/json"}
    for body in (b"{not json", b"[]", b'"name"', b""):
        r = client.post(ws_url(user, "projects"), content=body, headers=headers)
        assert_error(r, 400)
    assert client.get(ws_url(user, "projects"), headers=user.auth).json() == []


def test_workspace_id_in_body_must_match_the_path(client: TestClient, user: Person) -> None:
    r = client.post(
        ws_url(user, "projects"),
        json={"name": "Elsewhere", "wid": user.workspace_id + 1},
        headers=user.auth,
    )
    assert_error(r, 400)


# --- clients --------------------------------------------------------------------------------


def test_client_id_sets_client_id_and_cid(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    body = make_project(client, user, "For Acme", client_id=acme["id"])
    assert body["client_id"] == body["cid"] == acme["id"]
    legacy = make_project(client, user, "Legacy cid", cid=acme["id"])
    assert legacy["client_id"] == acme["id"]


def test_unknown_or_foreign_client_id_is_400(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = make_client(client, other_user, "Theirs")
    for client_id in (theirs["id"], 999_999_999):
        r = client.post(
            ws_url(user, "projects"), json={"name": "X", "client_id": client_id}, headers=user.auth
        )
        assert_error(r, 400)


def test_client_name_creates_the_client_when_missing(client: TestClient, user: Person) -> None:
    body = make_project(client, user, "Named", client_name="Brand New Co")
    listed = client.get(ws_url(user, "clients"), headers=user.auth).json()
    assert [(c["id"], c["name"]) for c in listed] == [(body["client_id"], "Brand New Co")]
    again = make_project(client, user, "Named too", client_name="Brand New Co")
    assert again["client_id"] == body["client_id"]  # the existing client is reused
    assert len(client.get(ws_url(user, "clients"), headers=user.auth).json()) == 1


# --- read, update ------------------------------------------------------------------------


def test_get_unknown_foreign_and_out_of_range_ids(
    client: TestClient, user: Person, other_user: Person
) -> None:
    mine = make_project(client, user, "Mine")
    theirs = make_project(client, other_user, "Theirs")
    r = client.get(ws_url(user, "projects", mine["id"]), headers=user.auth)
    assert r.status_code == 200 and r.json() == mine
    # a project that is not there: Toggl's 400 "Invalid project_id"
    missing = client.get(ws_url(user, "projects", 999_999_999), headers=user.auth)
    assert_error(missing, 400, "Invalid project_id")
    assert_error(client.get(ws_url(user, "projects", theirs["id"]), headers=user.auth), 400)
    r = client.get(ws_url(other_user, "projects", theirs["id"]), headers=user.auth)
    assert_error(r, 403)
    assert_error(client.get(ws_url(user, "projects", 2**70), headers=user.auth), 400)
    assert_error(client.get(ws_url(user, "projects", "abc"), headers=user.auth), 400)


def test_update_is_partial_and_moves_at(client: TestClient, runtime: Runtime, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    made = make_project(client, user, "Partial", color="#123456", client_id=acme["id"])
    backdate(runtime, Project, made["id"])
    r = client.put(ws_url(user, "projects", made["id"]), json={"name": "Moved"}, headers=user.auth)
    body = r.json()
    assert body["name"] == "Moved" and body["color"] == "#123456"
    assert body["client_id"] == acme["id"] and body["at"] > "2021"
    r = client.put(
        ws_url(user, "projects", made["id"]), json={"client_id": None}, headers=user.auth
    )
    assert r.json()["client_id"] is None and r.json()["cid"] is None
    r = client.put(ws_url(user, "projects", made["id"]), json={"active": False}, headers=user.auth)
    assert r.json()["active"] is False and r.json()["status"] == "archived"


def test_null_for_a_flag_is_400(client: TestClient, user: Person) -> None:
    made = make_project(client, user, "Flags")
    r = client.put(ws_url(user, "projects", made["id"]), json={"active": None}, headers=user.auth)
    assert_error(r, 400)


def test_only_admins_may_create_projects_when_the_workspace_says_so(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    assert make_project(client, other_user, "By a member", in_workspace=user.workspace_id)
    client.put(ws_url(user), json={"only_admins_may_create_projects": True}, headers=user.auth)
    r = client.post(ws_url(user, "projects"), json={"name": "Again"}, headers=other_user.auth)
    assert_error(r, 403)
    assert make_project(client, user, "By the admin")["id"]


# --- listing ---------------------------------------------------------------------------------


def test_list_without_active_includes_archived_projects(client: TestClient, user: Person) -> None:
    make_project(client, user, "Live")
    make_project(client, user, "Shelved", active=False)
    url = ws_url(user, "projects")
    assert names(client.get(url, headers=user.auth)) == ["Live", "Shelved"]
    assert names(client.get(url, params={"active": "true"}, headers=user.auth)) == ["Live"]
    assert names(client.get(url, params={"active": "false"}, headers=user.auth)) == ["Shelved"]
    assert len(names(client.get(url, params={"active": "both"}, headers=user.auth))) == 2
    assert_error(client.get(url, params={"active": "maybe"}, headers=user.auth), 400)


def test_list_filters_billable_client_ids_and_name(client: TestClient, user: Person) -> None:
    acme = make_client(client, user, "Acme")
    globex = make_client(client, user, "Globex")
    make_project(client, user, "Alpha Site", billable=True, client_id=acme["id"])
    make_project(client, user, "beta site", billable=False, client_id=globex["id"])
    make_project(client, user, "Gamma", billable=False)
    url = ws_url(user, "projects")
    get = lambda **q: names(client.get(url, params=q, headers=user.auth))  # noqa: E731
    assert get(billable="true") == ["Alpha Site"]
    assert get(billable="false") == ["beta site", "Gamma"]
    assert get(client_ids=str(acme["id"])) == ["Alpha Site"]
    assert get(client_ids=f"{acme['id']},{globex['id']}") == ["Alpha Site", "beta site"]
    assert get(name="SITE") == ["Alpha Site", "beta site"]
    assert get(name="%") == []  # matched literally, not as a wildcard
    assert_error(client.get(url, params={"client_ids": "a,b"}, headers=user.auth), 400)


def test_list_since_shows_changes_and_deletions(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    old = make_project(client, user, "Old")
    touched = make_project(client, user, "Touched")
    gone = make_project(client, user, "Gone")
    backdate(runtime, Project, old["id"], touched["id"], gone["id"])
    client.put(
        ws_url(user, "projects", touched["id"]), json={"color": "#000000"}, headers=user.auth
    )
    client.delete(ws_url(user, "projects", gone["id"]), headers=user.auth)
    r = client.get(
        ws_url(user, "projects"), params={"since": SINCE_AFTER_LONG_AGO}, headers=user.auth
    )
    by_name = {p["name"]: p for p in r.json()}
    assert set(by_name) == {"Touched", "Gone"}
    assert by_name["Gone"]["server_deleted_at"] is not None
    assert by_name["Touched"]["server_deleted_at"] is None
    assert_error(
        client.get(ws_url(user, "projects"), params={"since": "x"}, headers=user.auth), 400
    )


def test_list_pages_default_151_at_most_200(client: TestClient, user: Person) -> None:
    for i in range(5):
        make_project(client, user, f"P{i}")
    url = ws_url(user, "projects")
    assert names(client.get(url, params={"per_page": 2}, headers=user.auth)) == ["P0", "P1"]
    r = client.get(url, params={"per_page": 2, "page": 3}, headers=user.auth)
    assert names(r) == ["P4"]
    assert names(client.get(url, params={"page": 2}, headers=user.auth)) == []
    assert len(names(client.get(url, params={"per_page": 5000}, headers=user.auth))) == 5
    for bad in ({"per_page": 0}, {"page": -1}, {"page": "two"}):
        assert_error(client.get(url, params=bad, headers=user.auth), 400)


def test_list_sorts(client: TestClient, user: Person) -> None:
    for name in ("banana", "Apple", "cherry"):
        make_project(client, user, name)
    url = ws_url(user, "projects")
    assert names(client.get(url, headers=user.auth)) == ["Apple", "banana", "cherry"]
    r = client.get(url, params={"sort_order": "desc"}, headers=user.auth)
    assert names(r) == ["cherry", "banana", "Apple"]
    r = client.get(
        url, params={"sort_field": "created_at", "sort_order": "DESC"}, headers=user.auth
    )
    assert names(r) == ["cherry", "Apple", "banana"]
    assert_error(client.get(url, params={"sort_field": "color!"}, headers=user.auth), 400)
    assert_error(client.get(url, params={"sort_order": "up"}, headers=user.auth), 400)


def test_sort_pinned_puts_pinned_first(client: TestClient, user: Person) -> None:
    for name in ("A", "B", "C"):
        make_project(client, user, name)
    c = next(
        p
        for p in client.get(ws_url(user, "projects"), headers=user.auth).json()
        if p["name"] == "C"
    )
    r = client.post(ws_url(user, "projects", c["id"], "pin"), json={"pin": True}, headers=user.auth)
    assert r.status_code == 200
    url = ws_url(user, "projects")
    assert names(client.get(url, params={"sort_pinned": "true"}, headers=user.auth)) == [
        "C",
        "A",
        "B",
    ]
    assert names(client.get(url, headers=user.auth)) == ["A", "B", "C"]


# --- computed figures ------------------------------------------------------------------------


def test_actual_seconds_and_tasks_count(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Busy")
    create_entry(client, user, project_id=project["id"], duration=3600)
    create_entry(
        client, user, project_id=project["id"], duration=1800, start="2024-12-15T01:00:00Z"
    )
    create_entry(client, user, project_id=project["id"], duration=-1, start="2024-12-16T05:00:00Z")
    gone = create_entry(client, user, project_id=project["id"], duration=600)
    client.delete(entries_url(user, gone["id"]), headers=user.auth)
    make_task(client, user, project["id"], "One")
    make_task(client, user, project["id"], "Two")
    body = client.get(ws_url(user, "projects", project["id"]), headers=user.auth).json()
    assert body["actual_seconds"] == 5400 and body["actual_hours"] == 1
    assert body["tasks_count"] == 2


# --- delete ------------------------------------------------------------------------------------


def test_delete_keeps_entries_unassigned_by_default_and_answers_the_id(
    client: TestClient, user: Person
) -> None:
    project = make_project(client, user, "Doomed")
    task = make_task(client, user, project["id"], "Part")
    entry = create_entry(client, user, project_id=project["id"], task_id=task["id"])
    r = client.delete(ws_url(user, "projects", project["id"]), headers=user.auth)
    assert r.status_code == 200 and r.json() == project["id"]
    assert_error(client.get(ws_url(user, "projects", project["id"]), headers=user.auth), 400)
    assert names(client.get(ws_url(user, "projects"), headers=user.auth)) == []
    after = client.get(f"{API}/me/time_entries/{entry['id']}", headers=user.auth).json()
    assert after["project_id"] is None and after["task_id"] is None
    assert "pid" not in after and "tid" not in after
    assert after["at"] > entry["at"]
    r = client.get(ws_url(user, "projects", project["id"], "tasks", task["id"]), headers=user.auth)
    assert_error(r, 400, "Invalid project_id")


def test_delete_with_unassign_mode(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Unassign")
    entry = create_entry(client, user, project_id=project["id"])
    r = client.delete(
        ws_url(user, "projects", project["id"]),
        params={"teDeletionMode": "unassign"},
        headers=user.auth,
    )
    assert r.status_code == 200
    after = client.get(f"{API}/me/time_entries/{entry['id']}", headers=user.auth).json()
    assert after["project_id"] is None


def test_delete_mode_delete_removes_the_entries(client: TestClient, user: Person) -> None:
    project = make_project(client, user, "Purge")
    kept = create_entry(client, user, description="no project")
    doomed = create_entry(client, user, project_id=project["id"], start="2024-12-15T01:00:00Z")
    running = create_entry(client, user, project_id=project["id"], duration=-1)
    r = client.delete(
        ws_url(user, "projects", project["id"]),
        params={"teDeletionMode": "delete"},
        headers=user.auth,
    )
    assert r.status_code == 200
    listed = client.get(
        f"{API}/me/time_entries", params={"start_date": "2024-12-01"}, headers=user.auth
    ).json()
    assert [e["id"] for e in listed] == [kept["id"]]
    assert client.get(f"{API}/me/time_entries/current", headers=user.auth).json() is None
    for gone in (doomed, running):
        r = client.get(f"{API}/me/time_entries/{gone['id']}", headers=user.auth)
        assert_error(r, 404)


def test_delete_with_an_unknown_mode_is_400_and_deletes_nothing(
    client: TestClient, user: Person
) -> None:
    project = make_project(client, user, "Safe")
    r = client.delete(
        ws_url(user, "projects", project["id"]), params={"teDeletionMode": "all"}, headers=user.auth
    )
    assert_error(r, 400)
    assert client.get(ws_url(user, "projects", project["id"]), headers=user.auth).status_code == 200


def test_delete_unknown_twice_or_foreign(
    client: TestClient, user: Person, other_user: Person
) -> None:
    project = make_project(client, user, "Once")
    assert (
        client.delete(ws_url(user, "projects", project["id"]), headers=user.auth).status_code == 200
    )
    assert_error(client.delete(ws_url(user, "projects", project["id"]), headers=user.auth), 400)
    theirs = make_project(client, other_user, "Theirs")
    r = client.delete(ws_url(other_user, "projects", theirs["id"]), headers=user.auth)
    assert_error(r, 403)
    r = client.get(ws_url(other_user, "projects", theirs["id"]), headers=other_user.auth)
    assert r.status_code == 200


# --- pins ---------------------------------------------------------------------------------------


def test_pin_and_unpin_are_per_user(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    with runtime.db.write() as session:
        session.add(WorkspaceMember(workspace_id=user.workspace_id, user_id=other_user.id))
    project = make_project(client, user, "Pinned", is_private=False)
    url = ws_url(user, "projects", project["id"])
    for _ in range(2):  # pinning twice is harmless
        r = client.post(url + "/pin", json={"pin": True}, headers=user.auth)
        assert r.status_code == 200
    assert client.get(url, headers=user.auth).json()["pinned"] is True
    assert client.get(url, headers=other_user.auth).json()["pinned"] is False
    client.post(url + "/pin", json={"pin": False}, headers=user.auth)
    assert client.get(url, headers=user.auth).json()["pinned"] is False


def test_pin_errors(client: TestClient, user: Person, other_user: Person) -> None:
    project = make_project(client, user, "Pin me")
    url = ws_url(user, "projects", project["id"], "pin")
    assert_error(client.post(url, json={"pin": "yes"}, headers=user.auth), 400)
    assert_error(client.post(url, json={}, headers=user.auth), 400)
    r = client.post(
        ws_url(user, "projects", 999_999_999, "pin"), json={"pin": True}, headers=user.auth
    )
    assert_error(r, 400)
    assert_error(client.post(url, json={"pin": True}, headers=other_user.auth), 403)


# --- isolation ----------------------------------------------------------------------------------


def test_another_users_workspace_is_403_everywhere(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = make_project(client, other_user, "Private")
    base = ws_url(other_user, "projects")
    one = f"{base}/{theirs['id']}"
    assert_error(client.get(base, headers=user.auth), 403)
    assert_error(client.post(base, json={"name": "Intruder"}, headers=user.auth), 403)
    assert_error(client.put(one, json={"name": "Hijacked"}, headers=user.auth), 403)
    assert_error(client.delete(one, headers=user.auth), 403)
    assert names(client.get(base, headers=other_user.auth)) == ["Private"]


def test_no_credentials_is_401(client: TestClient, user: Person) -> None:
    r = client.get(ws_url(user, "projects"))
    assert r.status_code == 401 and r.content == b""


def test_the_same_name_created_at_once_is_taken_once(client: TestClient, user: Person) -> None:
    """Names are unique by a check, not a constraint: concurrent creates must serialise."""
    count = 8
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def create(index: int) -> None:
        kind = "projects" if index % 2 else "tags"
        barrier.wait(timeout=30)
        answers[index] = client.post(
            ws_url(user, kind), json={"name": "Contended"}, headers=user.auth
        )

    threads = [threading.Thread(target=create, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for parity in (0, 1):
        codes = sorted(a.status_code for i, a in enumerate(answers) if i % 2 == parity)
        assert codes == [200, 400, 400, 400], [a.text for a in answers]
    assert names(client.get(ws_url(user, "projects"), headers=user.auth)) == ["Contended"]
