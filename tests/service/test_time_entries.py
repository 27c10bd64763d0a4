"""Time entries one at a time: the wire format, timers, stop, delete, tags and the limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Person
from tests.service.core_helpers import (
    API,
    ENTRY_KEYS,
    JSON_TYPE,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
    entries_url,
    instant,
)
from trackgate.runtime import Runtime
from trackgate.storage.models import Project, Tag, Task, TimeEntry

READ_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
WRITE_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PRECISE_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$")


def read(client: TestClient, person: Person, entry_id: int, **params: str) -> dict[str, Any]:
    r = client.get(f"{API}/me/time_entries/{entry_id}", params=params, headers=person.auth)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def add_project(runtime: Runtime, person: Person, *, with_task: bool = False) -> tuple[int, int]:
    """A project (and a task in it) made directly in the database: projects are not ours."""
    with runtime.db.write() as session:
        project = Project(workspace_id=person.workspace_id, name="Apollo", creator_id=person.id)
        session.add(project)
        session.flush()
        task_id = 0
        if with_task:
            task = Task(workspace_id=person.workspace_id, project_id=project.id, name="Landing")
            session.add(task)
            session.flush()
            task_id = task.id
        return project.id, task_id


def current_id(client: TestClient, person: Person) -> int | None:
    body = client.get(f"{API}/me/time_entries/current", headers=person.auth).json()
    return None if body is None else int(body["id"])


def workspace_tags(runtime: Runtime, person: Person) -> list[str]:
    with runtime.db.read() as session:
        query = select(Tag.name).where(Tag.workspace_id == person.workspace_id)
        return sorted(session.scalars(query))


# --- shape -------------------------------------------------------------------------------------


def test_recorded_create_is_echoed_as_toggl_does(client: TestClient, user: Person) -> None:
    """The recorded exchange: no duration and no stop; a start with +01:00 and microseconds."""
    r = client.post(
        entries_url(user),
        json={
            "created_with": "github.com/go-api-libs/toggl",
            "start": "2024-12-15T21:17:59.593648+01:00",
            "workspace_id": user.workspace_id,
        },
        headers=user.auth,
    )
    assert r.status_code == 200 and r.headers["content-type"] == JSON_TYPE
    body = r.json()
    assert list(body) == ENTRY_KEYS
    assert body["start"] == "2024-12-15T20:17:59Z"
    assert body["stop"] is None and body["duration"] == 0
    assert body["description"] is None
    assert body["tags"] is None and body["tag_ids"] is None
    assert body["duronly"] is True and body["billable"] is False
    assert body["project_id"] is None and body["task_id"] is None
    assert body["user_id"] == body["uid"] == user.id
    assert body["workspace_id"] == body["wid"] == user.workspace_id
    assert body["server_deleted_at"] is None
    assert PRECISE_STAMP.match(body["at"]), body["at"]
    # reads show a zero-length stopped entry
    again = read(client, user, body["id"])
    assert list(again) == ENTRY_KEYS
    assert again["start"] == again["stop"] == "2024-12-15T20:17:59+00:00"
    assert again["duration"] == 0
    assert again["tags"] == [] and again["tag_ids"] == []


def test_reads_spell_plus_zero_and_writes_spell_z(client: TestClient, user: Person) -> None:
    created = create_entry(client, user, start="2024-12-16T01:55:24Z", duration=994)
    assert created["start"] == "2024-12-16T01:55:24Z" and created["stop"] == "2024-12-16T02:11:58Z"
    assert created["tags"] == [] or created["tags"] is None
    got = read(client, user, created["id"])
    assert got["start"] == "2024-12-16T01:55:24+00:00"
    assert got["stop"] == "2024-12-16T02:11:58+00:00"
    assert got["duration"] == 994
    listed = client.get(f"{API}/me/time_entries", headers=user.auth).json()
    assert listed[0]["start"] == got["start"]
    r = client.put(entries_url(user, created["id"]), json={"billable": True}, headers=user.auth)
    assert WRITE_STAMP.match(r.json()["start"]) and WRITE_STAMP.match(r.json()["stop"])
    assert r.json()["billable"] is True
    assert READ_STAMP.match(read(client, user, created["id"])["stop"])


def test_pid_and_tid_only_when_set(client: TestClient, runtime: Runtime, user: Person) -> None:
    project_id, task_id = add_project(runtime, user, with_task=True)
    plain = create_entry(client, user)
    with_project = create_entry(client, user, project_id=project_id)
    with_task = create_entry(client, user, project_id=project_id, task_id=task_id)
    assert "pid" not in read(client, user, plain["id"])
    got = read(client, user, with_project["id"])
    assert list(got) == [*ENTRY_KEYS, "pid"] and got["pid"] == got["project_id"] == project_id
    got = read(client, user, with_task["id"])
    assert list(got) == [*ENTRY_KEYS, "pid", "tid"] and got["tid"] == task_id
    assert list(with_task) == [*ENTRY_KEYS, "pid", "tid"]


def test_task_alone_brings_its_project(client: TestClient, runtime: Runtime, user: Person) -> None:
    project_id, task_id = add_project(runtime, user, with_task=True)
    entry = create_entry(client, user, task_id=task_id)
    assert entry["project_id"] == project_id and entry["task_id"] == task_id


def test_at_is_trimmed_like_go(client: TestClient, runtime: Runtime, user: Person) -> None:
    entry = create_entry(client, user)
    cases = [
        (566700, "2024-12-16T02:24:56.5667Z"),
        (767861, "2024-12-16T02:24:56.767861Z"),
        (0, "2024-12-16T02:24:56Z"),
    ]
    for micro, expected in cases:
        with runtime.db.write() as session:
            row = session.get(TimeEntry, entry["id"])
            assert row is not None
            row.at = datetime(2024, 12, 16, 2, 24, 56, micro, tzinfo=UTC)
        assert read(client, user, entry["id"])["at"] == expected


def test_any_offset_is_normalised_to_utc_seconds(client: TestClient, user: Person) -> None:
    cases = {
        "2024-12-15T21:17:59.593648+01:00": "2024-12-15T20:17:59Z",
        "2024-12-15T15:17:59.999-05:00": "2024-12-15T20:17:59Z",
        "2024-12-16T05:47:59+09:30": "2024-12-15T20:17:59Z",
        "2024-12-15T20:17:59z": "2024-12-15T20:17:59Z",
    }
    for sent, expected in cases.items():
        entry = create_entry(client, user, start=sent, duration=60)
        assert entry["start"] == expected, sent
        assert entry["stop"] == "2024-12-15T20:18:59Z"


def test_meta_adds_names(client: TestClient, runtime: Runtime, user: Person) -> None:
    project_id, task_id = add_project(runtime, user, with_task=True)
    entry = create_entry(client, user, project_id=project_id, task_id=task_id)
    got = read(client, user, entry["id"], meta="true")
    assert got["project_name"] == "Apollo" and got["task_name"] == "Landing"
    assert got["user_name"] == "Jane Doe" and got["client_name"] is None
    for key in ("project_color", "project_active", "project_billable", "user_avatar_url"):
        assert key in got
    assert "project_name" not in read(client, user, entry["id"])


def test_create_with_meta_answers_names_in_the_write_spelling(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    project_id, _ = add_project(runtime, user)
    r = client.post(
        entries_url(user),
        params={"meta": "true"},
        headers=user.auth,
        json={
            "workspace_id": user.workspace_id,
            "created_with": "tests",
            "duration": -1,
            "start": "2024-12-16T01:00:00Z",
            "project_id": project_id,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["project_name"] == "Apollo" and body["user_name"] == "Jane Doe"
    assert body["duration"] == -1 and body["start"] == "2024-12-16T01:00:00Z"
    assert "task_name" not in body


# --- timers --------------------------------------------------------------------------------------


def test_running_entry(client: TestClient, user: Person) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    created = create_entry(client, user, start=start.isoformat(), duration=-1)
    assert created["duration"] == -1 and created["stop"] is None
    epoch = int(start.timestamp())
    got = read(client, user, created["id"])
    assert got["duration"] == -epoch and got["stop"] is None
    current = client.get(f"{API}/me/time_entries/current", headers=user.auth)
    assert current.status_code == 200 and current.json()["id"] == created["id"]
    assert current.json()["duration"] == -epoch
    assert client.get(f"{API}/me/time_entries", headers=user.auth).json()[0]["duration"] == -epoch


def test_negative_epoch_duration_also_starts_a_timer(client: TestClient, user: Person) -> None:
    start = datetime(2024, 12, 13, 0, 18, 26, tzinfo=UTC)
    created = create_entry(client, user, start=start.isoformat(), duration=-1734049106)
    assert created["stop"] is None and created["duration"] == -1734049106
    assert read(client, user, created["id"])["duration"] == -int(start.timestamp())


def test_no_timer_running_is_literal_null(client: TestClient, user: Person) -> None:
    r = client.get(f"{API}/me/time_entries/current", headers=user.auth)
    assert r.status_code == 200 and r.content == b"null"
    assert r.headers["content-type"] == JSON_TYPE


def test_starting_a_timer_stops_the_running_one(client: TestClient, user: Person) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    first = create_entry(client, user, start=start.isoformat(), duration=-1)
    before = datetime.now(UTC).replace(microsecond=0)
    second = create_entry(client, user, start=before.isoformat(), duration=-1)
    after = datetime.now(UTC)
    old = read(client, user, first["id"])
    stopped_at = datetime.fromisoformat(old["stop"])
    assert before <= stopped_at <= after
    assert old["duration"] == int((stopped_at - start).total_seconds())
    assert current_id(client, user) == second["id"]


def test_a_stopped_entry_does_not_stop_the_timer(client: TestClient, user: Person) -> None:
    running = create_entry(client, user, start=datetime.now(UTC).isoformat(), duration=-1)
    create_entry(client, user, start="2024-01-01T10:00:00Z", duration=60)
    assert current_id(client, user) == running["id"]


def test_stop(client: TestClient, user: Person) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=16, seconds=34)
    entry = create_entry(client, user, start=start.isoformat(), duration=-1, description="Hello")
    r = client.patch(entries_url(user, entry["id"], "stop"), headers=user.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ENTRY_KEYS
    assert WRITE_STAMP.match(body["stop"]) and body["tags"] == [] and body["tag_ids"] == []
    stop = datetime.fromisoformat(body["stop"])
    assert body["duration"] == int((stop - start).total_seconds())
    assert 994 <= body["duration"] <= 994 + 30
    again = client.patch(entries_url(user, entry["id"], "stop"), headers=user.auth)
    assert_error(again, 409, "Time entry already stopped")
    assert_error(
        client.patch(entries_url(user, 987654321, "stop"), headers=user.auth),
        404,
        "Time entry not found",
    )
    r = client.get(f"{API}/me/time_entries/current", headers=user.auth)
    assert r.content == b"null"


def test_stop_of_another_users_entry_is_not_found(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = create_entry(client, other_user, start=datetime.now(UTC).isoformat(), duration=-1)
    url = f"{API}/workspaces/{user.workspace_id}/time_entries/{theirs['id']}/stop"
    assert_error(client.patch(url, headers=user.auth), 404, "Time entry not found")
    assert_error(
        client.patch(entries_url(other_user, theirs["id"], "stop"), headers=user.auth), 403
    )
    assert current_id(client, other_user) == theirs["id"]


# --- durations ----------------------------------------------------------------------------------


def test_start_plus_duration_gives_stop(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, start="2024-12-16T00:41:29Z", duration=1800)
    assert entry["stop"] == "2024-12-16T01:11:29Z" and entry["duration"] == 1800


def test_start_plus_stop_gives_duration(client: TestClient, user: Person) -> None:
    entry = create_entry(
        client, user, start="2024-12-16T01:31:14Z", stop="2024-12-16T02:05:25Z", duration=...
    )
    assert entry["duration"] == 2051
    assert read(client, user, entry["id"])["stop"] == "2024-12-16T02:05:25+00:00"


def test_a_sent_stop_is_echoed_even_when_equal_to_start(client: TestClient, user: Person) -> None:
    at = "2024-12-16T01:29:40Z"
    entry = create_entry(client, user, start=at, stop=at, duration=...)
    assert entry["stop"] == at and entry["duration"] == 0
    entry = create_entry(client, user, start=at, duration=0)
    assert entry["stop"] == at and entry["duration"] == 0


def test_stop_and_duration_must_agree(client: TestClient, user: Person) -> None:
    body = {
        "workspace_id": user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "stop": "2024-12-16T02:00:00Z",
    }
    ok = client.post(entries_url(user), json={**body, "duration": 3600}, headers=user.auth)
    assert ok.status_code == 200
    assert_error(
        client.post(entries_url(user), json={**body, "duration": 60}, headers=user.auth), 400
    )
    backwards = {**body, "stop": "2024-12-16T00:00:00Z"}
    assert_error(client.post(entries_url(user), json=backwards, headers=user.auth), 400)


def test_at_most_999_hours(client: TestClient, user: Person) -> None:
    limit = 999 * 3600
    assert create_entry(client, user, duration=limit)["duration"] == limit
    r = client.post(
        entries_url(user),
        json={
            "workspace_id": user.workspace_id,
            "created_with": "tests",
            "start": "2024-01-01T00:00:00Z",
            "duration": limit + 1,
        },
        headers=user.auth,
    )
    assert_error(r, 400, "Max allowed duration per 1 time entry is 999 hours")
    entry = create_entry(client, user)
    r = client.put(entries_url(user, entry["id"]), json={"duration": limit + 1}, headers=user.auth)
    assert_error(r, 400, "Max allowed duration per 1 time entry is 999 hours")
    r = client.put(
        entries_url(user, entry["id"]), json={"stop": "2025-12-16T01:00:00Z"}, headers=user.auth
    )
    assert_error(r, 400, "Max allowed duration per 1 time entry is 999 hours")


def test_a_timer_over_999_hours_is_capped_at_999_when_another_starts_our_choice(
    client: TestClient, user: Person
) -> None:
    """Toggl refuses to stop such a timer (its known message) and documents nothing for a new
    timer started meanwhile: we stop the old one at exactly 999 hours, never longer."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1000)
    old = create_entry(client, user, start=start.isoformat().replace("+00:00", "Z"), duration=-1)
    refused = client.patch(entries_url(user, old["id"], "stop"), headers=user.auth)
    assert_error(refused, 400, "Max allowed duration per 1 time entry is 999 hours")

    new = create_entry(client, user, duration=-1)

    assert current_id(client, user) == new["id"]
    stopped = read(client, user, old["id"])
    assert stopped["duration"] == 999 * 3600
    assert instant(stopped["stop"]) == start + timedelta(hours=999)
    again = client.put(
        entries_url(user, old["id"]), json={"description": "still editable"}, headers=user.auth
    )
    assert again.status_code == 200, again.text


def test_times_at_the_end_of_the_calendar_are_a_400(client: TestClient, user: Person) -> None:
    base = {"workspace_id": user.workspace_id, "created_with": "tests"}
    for extra in (
        {"start": "9999-12-31T23:59:59Z", "duration": 3600},
        {"start": "0001-01-01T00:00:00+01:00", "duration": 60},
        {"start": "9999-12-31T23:59:59-01:00", "duration": 60},
    ):
        assert_error(client.post(entries_url(user), json={**base, **extra}, headers=user.auth), 400)


# --- required fields and limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["created_with", "workspace_id", "start"], ids=lambda name: f"without-{name}"
)
def test_required_on_create(client: TestClient, user: Person, missing: str) -> None:
    body = {
        "workspace_id": user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "duration": 60,
    }
    del body[missing]
    assert_error(client.post(entries_url(user), json=body, headers=user.auth), 400)
    assert client.get(f"{API}/me/time_entries", headers=user.auth).json() == []


def test_wid_alias_satisfies_workspace_id(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, workspace_id=..., wid=user.workspace_id)
    assert entry["workspace_id"] == user.workspace_id


def test_body_workspace_must_match_the_path(
    client: TestClient, user: Person, other_user: Person
) -> None:
    body = {
        "workspace_id": other_user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "duration": 60,
    }
    assert_error(client.post(entries_url(user), json=body, headers=user.auth), 400)
    # and nobody writes into a workspace that is not theirs
    assert_error(client.post(entries_url(other_user), json=body, headers=user.auth), 403)


def test_legacy_aliases(client: TestClient, runtime: Runtime, user: Person) -> None:
    project_id, task_id = add_project(runtime, user, with_task=True)
    entry = create_entry(
        client,
        user,
        workspace_id=...,
        wid=user.workspace_id,
        pid=project_id,
        tid=task_id,
        uid=user.id,
    )
    assert entry["project_id"] == project_id and entry["task_id"] == task_id
    assert entry["user_id"] == user.id
    plain = create_entry(client, user)
    r = client.put(entries_url(user, plain["id"]), json={"pid": project_id}, headers=user.auth)
    assert r.json()["project_id"] == project_id and r.json()["pid"] == project_id


def test_uid_of_another_user_is_refused(
    client: TestClient, user: Person, other_user: Person
) -> None:
    body = {
        "workspace_id": user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "uid": other_user.id,
    }
    assert_error(client.post(entries_url(user), json=body, headers=user.auth), 400)


def test_description_limit_is_in_bytes(client: TestClient, user: Person) -> None:
    fits = "€" * 1000  # 3000 bytes
    assert create_entry(client, user, description=fits)["description"] == fits
    too_long = "€" * 1000 + "a"  # 1001 characters, 3001 bytes
    body = {
        "workspace_id": user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "description": too_long,
    }
    assert_error(client.post(entries_url(user), json=body, headers=user.auth), 400)
    entry = create_entry(client, user)
    r = client.put(
        entries_url(user, entry["id"]), json={"description": too_long}, headers=user.auth
    )
    assert_error(r, 400)
    assert read(client, user, entry["id"])["description"] is None


def test_unicode_round_trips(client: TestClient, user: Person) -> None:
    text = "Café ☕ — 日本語 👩‍💻"
    entry = create_entry(client, user, description=text, tags=["ünï", "🏷"])
    got = read(client, user, entry["id"])
    assert got["description"] == text and sorted(got["tags"]) == sorted(["ünï", "🏷"])


def test_unknown_project_is_a_400_with_toggls_message_and_unknown_task_our_own(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    theirs, their_task = add_project(runtime, other_user, with_task=True)
    base = {
        "workspace_id": user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
    }
    for extra in ({"project_id": 987654321}, {"project_id": theirs}):
        r = client.post(entries_url(user), json={**base, **extra}, headers=user.auth)
        assert_error(r, 400, "Invalid project_id")
    r = client.post(entries_url(user), json={**base, "task_id": their_task}, headers=user.auth)
    assert_error(r, 400, "Task not found")


# --- tags ----------------------------------------------------------------------------------------


def test_tags_by_name_are_created_on_the_fly(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    entry = create_entry(client, user, tags=["deep work", "client"])
    assert entry["tags"] == ["deep work", "client"] and len(entry["tag_ids"]) == 2
    assert workspace_tags(runtime, user) == ["client", "deep work"]
    reused = create_entry(client, user, tags=["client"])
    assert reused["tag_ids"] == [entry["tag_ids"][1]]
    assert workspace_tags(runtime, user) == ["client", "deep work"]


def test_tag_ids_and_names_together(client: TestClient, user: Person) -> None:
    first = create_entry(client, user, tags=["a"])
    both = create_entry(client, user, tags=["b"], tag_ids=first["tag_ids"])
    assert sorted(both["tags"]) == ["a", "b"] and len(both["tag_ids"]) == 2
    assert_error(
        client.post(
            entries_url(user),
            json={
                "workspace_id": user.workspace_id,
                "created_with": "tests",
                "start": "2024-12-16T01:00:00Z",
                "tag_ids": [987654321],
            },
            headers=user.auth,
        ),
        400,
    )


def test_empty_tag_lists_echo_empty(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, tags=[], tag_ids=[])
    assert entry["tags"] == [] and entry["tag_ids"] == []


def test_tag_action_add_and_delete(client: TestClient, runtime: Runtime, user: Person) -> None:
    entry = create_entry(client, user, tags=["a", "b"])
    url = entries_url(user, entry["id"])
    r = client.put(url, json={"tags": ["c"], "tag_action": "add"}, headers=user.auth)
    assert r.status_code == 200 and r.json()["tags"] == ["a", "b", "c"]
    r = client.put(url, json={"tags": ["a", "nope"], "tag_action": "delete"}, headers=user.auth)
    assert r.json()["tags"] == ["b", "c"]
    assert "nope" not in workspace_tags(runtime, user)  # deleting never creates a tag
    r = client.put(url, json={"tag_ids": [987654321], "tag_action": "delete"}, headers=user.auth)
    assert r.status_code == 200 and r.json()["tags"] == ["b", "c"]
    ids = r.json()["tag_ids"]
    r = client.put(url, json={"tag_ids": [ids[0]], "tag_action": "delete"}, headers=user.auth)
    assert r.json()["tags"] == ["c"]
    r = client.put(url, json={"tags": ["x", "y"]}, headers=user.auth)  # no action: replace
    assert r.json()["tags"] == ["x", "y"]
    r = client.put(url, json={"tags": []}, headers=user.auth)
    assert r.json()["tags"] == [] and r.json()["tag_ids"] == []
    assert read(client, user, entry["id"])["tags"] == []
    bad = client.put(url, json={"tags": ["z"], "tag_action": "toggle"}, headers=user.auth)
    assert_error(bad, 400)


@pytest.mark.parametrize("name", ["", "   ", "x" * 256, "a\x00b"])
def test_bad_tag_names(client: TestClient, user: Person, name: str) -> None:
    body = {
        "workspace_id": user.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "tags": [name],
    }
    assert_error(client.post(entries_url(user), json=body, headers=user.auth), 400)


# --- update and delete ---------------------------------------------------------------------------


def test_put_is_partial(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, description="keep", billable=True, tags=["t"])
    r = client.put(entries_url(user, entry["id"]), json={"duration": 60}, headers=user.auth)
    assert r.status_code == 200
    body = r.json()
    assert body["description"] == "keep" and body["billable"] is True and body["tags"] == ["t"]
    assert body["duration"] == 60 and body["stop"] == "2024-12-16T01:01:00Z"
    assert instant(body["at"]) >= instant(entry["at"])
    r = client.put(entries_url(user, entry["id"]), json={"description": None}, headers=user.auth)
    assert r.json()["description"] is None and r.json()["duration"] == 60


def test_put_stop_on_a_running_entry_stops_it(client: TestClient, user: Person) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    entry = create_entry(client, user, start=start.isoformat(), duration=-1)
    stop = (start + timedelta(minutes=30)).isoformat()
    r = client.put(entries_url(user, entry["id"]), json={"stop": stop}, headers=user.auth)
    assert r.status_code == 200 and r.json()["duration"] == 1800
    assert client.get(f"{API}/me/time_entries/current", headers=user.auth).content == b"null"


def test_put_start_moves_a_running_entry(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, start=datetime.now(UTC).isoformat(), duration=-1)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    r = client.put(
        entries_url(user, entry["id"]), json={"start": start.isoformat()}, headers=user.auth
    )
    assert r.status_code == 200 and r.json()["stop"] is None
    assert read(client, user, entry["id"])["duration"] == -int(start.timestamp())


def test_put_on_unknown_or_foreign_entry_is_404(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = create_entry(client, other_user)
    for entry_id in (987654321, theirs["id"]):
        r = client.put(entries_url(user, entry_id), json={"description": "x"}, headers=user.auth)
        assert_error(r, 404, "Time entry not found")
    assert read(client, other_user, theirs["id"])["description"] is None
    r = client.get(f"{API}/me/time_entries/{theirs['id']}", headers=user.auth)
    assert_error(r, 404, "Time entry not found")


def test_delete(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user)
    r = client.delete(entries_url(user, entry["id"]), headers=user.auth)
    assert r.status_code == 200 and r.content == b""
    gone = client.get(f"{API}/me/time_entries/{entry['id']}", headers=user.auth)
    assert_error(gone, 404, "Time entry not found")
    assert client.get(f"{API}/me/time_entries", headers=user.auth).json() == []
    again = client.delete(entries_url(user, entry["id"]), headers=user.auth)
    assert_error(again, 404, "Time entry not found")
    r = client.put(entries_url(user, entry["id"]), json={"description": "x"}, headers=user.auth)
    assert_error(r, 404)


def test_delete_of_the_running_entry_clears_current(client: TestClient, user: Person) -> None:
    entry = create_entry(client, user, start=datetime.now(UTC).isoformat(), duration=-1)
    assert client.delete(entries_url(user, entry["id"]), headers=user.auth).status_code == 200
    assert client.get(f"{API}/me/time_entries/current", headers=user.auth).content == b"null"
    # and a new timer can start
    create_entry(client, user, start=datetime.now(UTC).isoformat(), duration=-1)
