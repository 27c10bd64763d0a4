"""Changes made through the v9 API become signed events, delivered in order, retried and
recorded; filters and who may see what are honoured."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.webhooks.conftest import API, subscribe, validate
from tests.service.webhooks.receiver import Receiver
from trackgate.runtime import Runtime

V9 = "/api/v9"


def _entry(client: TestClient, person: Person, **fields: Any) -> dict[str, Any]:
    body = {
        "workspace_id": person.workspace_id,
        "start": "2026-01-05T09:00:00Z",
        "duration": 600,
        "created_with": "tests",
        **fields,
    }
    r = client.post(
        f"{V9}/workspaces/{person.workspace_id}/time_entries", json=body, headers=person.auth
    )
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_a_change_through_v9_arrives_signed_with_toggl_shape(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    sub = subscribe(hooks, owner, receiver.url)
    validate(hooks, owner, sub, receiver)
    entry = _entry(hooks, owner, description="first")
    got = receiver.wait_for(1)[0]
    assert got.signed_by(sub["secret"])
    body = got.json
    assert body["subscription_id"] == sub["subscription_id"]
    assert body["url_callback"] == receiver.url
    meta = body["metadata"]
    assert meta["model"] == "time_entry" and meta["action"] == "created"
    assert meta["time_entry_id"] == entry["id"]
    assert meta["workspace_id"] == str(owner.workspace_id)
    assert meta["request_type"] == "POST"
    assert meta["path"] == f"/api/v9/workspaces/{owner.workspace_id}/time_entries"
    assert meta["event_user_id"] == owner.id
    read = hooks.get(f"{V9}/me/time_entries/{entry['id']}", headers=owner.auth).json()
    assert body["payload"] == read  # the entity as the v9 API reads it


def test_events_arrive_in_order_including_bulk_and_deletion(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    sub = subscribe(hooks, owner, receiver.url)
    validate(hooks, owner, sub, receiver)
    wid = owner.workspace_id
    a = _entry(hooks, owner, description="a")
    b = _entry(hooks, owner, description="b")
    r = hooks.patch(
        f"{V9}/workspaces/{wid}/time_entries/{a['id']},{b['id']}",
        json=[{"op": "replace", "path": "/description", "value": "bulk"}],
        headers=owner.auth,
    )
    assert r.status_code == 200, r.text
    assert (
        hooks.delete(
            f"{V9}/workspaces/{wid}/time_entries/{a['id']}", headers=owner.auth
        ).status_code
        == 200
    )
    got = receiver.wait_for(5)
    seen = [(g.json["metadata"]["action"], g.json["payload"]["id"]) for g in got]
    assert seen == [
        ("created", a["id"]),
        ("created", b["id"]),
        ("updated", a["id"]),
        ("updated", b["id"]),
        ("deleted", a["id"]),
    ]
    assert got[2].json["payload"]["description"] == "bulk"
    assert got[4].json["payload"]["description"] == "bulk"  # the last known object
    ids = [g.json["event_id"] for g in got]
    assert ids == sorted(ids)
    events = hooks.get(
        f"{API}/subscriptions/{wid}/{sub['subscription_id']}/events", headers=owner.auth
    ).json()
    assert events["total"] == 5
    assert all(e["failed_delivery_attempts"] == 0 for e in events["events"])


def test_catalog_entities_emit_events(hooks: TestClient, owner: Person, receiver: Receiver) -> None:
    sub = subscribe(hooks, owner, receiver.url)
    validate(hooks, owner, sub, receiver)
    wid = owner.workspace_id
    auth = owner.auth
    client = hooks.post(
        f"{V9}/workspaces/{wid}/clients", json={"name": "Acme"}, headers=auth
    ).json()
    project = hooks.post(
        f"{V9}/workspaces/{wid}/projects",
        json={"name": "Site", "client_id": client["id"]},
        headers=auth,
    ).json()
    tag = hooks.post(f"{V9}/workspaces/{wid}/tags", json={"name": "urgent"}, headers=auth).json()
    task = hooks.post(
        f"{V9}/workspaces/{wid}/projects/{project['id']}/tasks",
        json={"name": "Design"},
        headers=auth,
    ).json()
    hooks.delete(f"{V9}/workspaces/{wid}/tags/{tag['id']}", headers=auth)
    got = receiver.wait_for(6)  # a new project's creator becomes its project user too
    models = [(g.json["metadata"]["model"], g.json["metadata"]["action"]) for g in got]
    assert ("client", "created") in models and ("project", "created") in models
    assert ("task", "created") in models and ("tag", "deleted") in models
    assert ("project_user", "created") in models
    by_model = {g.json["metadata"]["model"]: g.json for g in got}
    assert by_model["task"]["metadata"]["task_id"] == task["id"]
    assert by_model["client"]["payload"]["name"] == "Acme"


def test_filters_are_honoured(hooks: TestClient, owner: Person, receiver: Receiver) -> None:
    sub = subscribe(hooks, owner, receiver.url, [{"entity": "tag", "action": "created"}])
    validate(hooks, owner, sub, receiver)
    wid = owner.workspace_id
    _entry(hooks, owner, description="not wanted")
    tag = hooks.post(
        f"{V9}/workspaces/{wid}/tags", json={"name": "wanted"}, headers=owner.auth
    ).json()
    hooks.put(
        f"{V9}/workspaces/{wid}/tags/{tag['id']}", json={"name": "renamed"}, headers=owner.auth
    )
    got = receiver.wait_for(1)
    time.sleep(1.5)  # anything else would have arrived by now
    assert [
        (g.json["metadata"]["model"], g.json["metadata"]["action"]) for g in receiver.events()
    ] == [("tag", "created")]
    assert got[0].json["payload"]["name"] == "wanted"


def test_others_entries_are_not_sent_to_a_member(
    hooks: TestClient, owner: Person, receiver: Receiver, hooks_runtime: Runtime
) -> None:
    """A plain member's subscription gets its own entries, not another member's."""
    member = make_user(hooks_runtime, workspace_id=owner.workspace_id, role="member")
    sub = subscribe(hooks, member, receiver.url, [{"entity": "time_entry", "action": "*"}])
    validate(hooks, member, sub, receiver)
    _entry(hooks, owner, description="the owner's")
    mine = _entry(hooks, member, description="the member's")
    got = receiver.wait_for(1)
    time.sleep(1.5)
    assert [g.json["payload"]["id"] for g in receiver.events()] == [mine["id"]]
    assert got[0].json["payload"]["description"] == "the member's"


def test_disabled_or_unvalidated_subscriptions_get_nothing(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    subscribe(hooks, owner, receiver.url)  # never validated
    _entry(hooks, owner)
    time.sleep(1.5)
    assert receiver.events() == []


def test_a_failing_receiver_sees_retries_and_the_failure_is_recorded(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    sub = subscribe(hooks, owner, receiver.url)
    validate(hooks, owner, sub, receiver)
    receiver.answer = lambda _got: (500, b"down")
    first = _entry(hooks, owner, description="retried")
    second = _entry(hooks, owner, description="waits its turn")
    got = receiver.wait_for(3, timeout=30)
    assert {g.json["payload"]["id"] for g in got} == {first["id"]}  # the second waits
    wid, sid = owner.workspace_id, sub["subscription_id"]
    listed = hooks.get(f"{API}/subscriptions/{wid}/{sid}/events", headers=owner.auth).json()
    head = listed["events"][0]
    assert head["failed_delivery_attempts"] >= 2
    assert head["last_delivery_error"] == "HTTP 500"
    assert hooks.get(f"{API}/subscriptions/{wid}", headers=owner.auth).json()[0][
        "has_pending_events"
    ]
    receiver.answer = lambda _got: (200, b"")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ok = [g for g in receiver.events() if g.json["payload"]["id"] == second["id"]]
        if ok:
            break
        time.sleep(0.1)
    order = [g.json["payload"]["id"] for g in receiver.events()]
    assert order[-1] == second["id"] and order[-2] == first["id"]


def test_a_private_project_is_not_sent_to_a_member_outside_it(
    hooks: TestClient, owner: Person, receiver: Receiver, hooks_runtime: Runtime
) -> None:
    member = make_user(hooks_runtime, workspace_id=owner.workspace_id, role="member")
    sub = subscribe(hooks, member, receiver.url, [{"entity": "project", "action": "created"}])
    validate(hooks, member, sub, receiver)
    projects = f"{V9}/workspaces/{owner.workspace_id}/projects"
    hooks.post(projects, json={"name": "Secret", "is_private": True}, headers=owner.auth)
    public = hooks.post(projects, json={"name": "Open", "is_private": False}, headers=owner.auth)
    got = receiver.wait_for(1)
    time.sleep(1.5)
    assert [g.json["payload"]["name"] for g in receiver.events()] == ["Open"]
    assert got[0].json["payload"]["id"] == public.json()["id"]


def test_a_change_made_outside_any_request_is_sent_too(
    hooks: TestClient, owner: Person, receiver: Receiver, hooks_runtime: Runtime
) -> None:
    """As `trackgate users create --workspace` does: the domain code, no HTTP request."""
    sub = subscribe(hooks, owner, receiver.url, [{"entity": "workspace_user", "action": "*"}])
    validate(hooks, owner, sub, receiver)
    joined = make_user(hooks_runtime, workspace_id=owner.workspace_id, role="member")
    got = receiver.wait_for(1)[0].json
    assert got["metadata"]["model"] == "workspace_user"
    assert got["metadata"]["action"] == "created"
    assert got["metadata"]["workspace_user_id"] == joined.id
    assert got["payload"]["email"] == joined.email


def test_a_member_leaving_sends_their_project_memberships_deleted(
    hooks: TestClient, owner: Person, receiver: Receiver, hooks_runtime: Runtime
) -> None:
    member = make_user(hooks_runtime, workspace_id=owner.workspace_id, role="member")
    base = f"{V9}/workspaces/{owner.workspace_id}"
    project = hooks.post(f"{base}/projects", json={"name": "Team"}, headers=owner.auth).json()
    joined = hooks.post(
        f"{base}/project_users",
        json={"project_id": project["id"], "user_id": member.id},
        headers=owner.auth,
    )
    assert joined.status_code == 200, joined.text
    filters = [{"entity": "project_user", "action": "deleted"},
               {"entity": "workspace_user", "action": "deleted"}]  # fmt: skip
    sub = subscribe(hooks, owner, receiver.url, filters)
    validate(hooks, owner, sub, receiver)
    gone = hooks.delete(f"{base}/workspace_users/{member.id}", headers=owner.auth)
    assert gone.status_code == 200, gone.text
    got = receiver.wait_for(2)
    seen = {
        (g.json["metadata"]["model"], g.json["payload"].get("user_id", g.json["payload"]["id"]))
        for g in got
    }
    assert seen == {("project_user", member.id), ("workspace_user", member.id)}


def test_the_secret_is_in_no_log_line_nor_delivery_record(
    hooks: TestClient,
    owner: Person,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = f"sekrit-{uuid.uuid4().hex}"
    sub = subscribe(hooks, owner, receiver.url, secret=secret)
    validate(hooks, owner, sub, receiver)
    receiver.answer = lambda _got: (500, secret.encode())  # even echoed back by the receiver
    caplog.set_level(logging.DEBUG)
    _entry(hooks, owner, description="fails")
    receiver.wait_for(2, timeout=30)
    wid, sid = owner.workspace_id, sub["subscription_id"]
    events = hooks.get(f"{API}/subscriptions/{wid}/{sid}/events", headers=owner.auth)
    assert events.json()["events"][0]["failed_delivery_attempts"] >= 1
    assert secret not in events.text
    assert secret not in caplog.text
