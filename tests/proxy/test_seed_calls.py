"""The seed's calls, through the proxy to the embedded service, with only the base URL changed."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.proxy.conftest import Gate, Remote
from tests.proxy.helpers import FakeUpstream
from trackgate.gateway.guard import TOKEN_STAND_IN

BASE = "/toggl-track/api/v9"


def test_get_me_answers_the_connected_user_without_its_token(client: TestClient, gate: Gate):
    r = client.get(f"{BASE}/me", headers=gate.headers)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["id"] == gate.user.id
    assert me["email"] == gate.user.email
    assert me["default_workspace_id"] == gate.user.workspace_id
    assert me["api_token"] == TOKEN_STAND_IN  # the key stays; the credential never shows
    assert gate.user.token not in r.text
    assert list(me) == list(gate.user.me)  # key order kept


def test_workspaces_listing_and_one_workspace(client: TestClient, gate: Gate):
    r = client.get(f"{BASE}/me/workspaces", headers=gate.headers)
    assert r.status_code == 200
    assert [w["id"] for w in r.json()] == [gate.user.workspace_id]
    r = client.get(f"{BASE}/workspaces/{gate.user.workspace_id}", headers=gate.headers)
    assert r.status_code == 200
    assert r.json()["id"] == gate.user.workspace_id
    assert all(
        w.get("api_token") in (None, TOKEN_STAND_IN)
        for w in client.get(f"{BASE}/me/workspaces", headers=gate.headers).json()
    )
    r = client.get(f"{BASE}/workspaces/{gate.user.workspace_id}/users", headers=gate.headers)
    assert r.status_code == 200
    assert gate.user.email in r.text


def test_time_entry_create_update_stop_delete(client: TestClient, gate: Gate):
    wid = gate.user.workspace_id
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    created = client.post(
        f"{BASE}/workspaces/{wid}/time_entries",
        headers=gate.headers,
        json={
            "description": "Working on project",
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": -1,
            "workspace_id": wid,
            "created_with": "maton-api",
        },
    )
    assert created.status_code == 200, created.text
    entry = created.json()
    assert entry["duration"] == -1 and entry["stop"] is None
    tid = entry["id"]

    current = client.get(f"{BASE}/me/time_entries/current", headers=gate.headers)
    assert current.json()["id"] == tid

    updated = client.put(
        f"{BASE}/workspaces/{wid}/time_entries/{tid}",
        headers=gate.headers,
        json={"description": "Updated description"},
    )
    assert updated.status_code == 200
    assert updated.json()["description"] == "Updated description"

    stopped = client.patch(f"{BASE}/workspaces/{wid}/time_entries/{tid}/stop", headers=gate.headers)
    assert stopped.status_code == 200
    assert stopped.json()["stop"] is not None and stopped.json()["duration"] >= 0

    again = client.patch(f"{BASE}/workspaces/{wid}/time_entries/{tid}/stop", headers=gate.headers)
    assert again.status_code == 409  # the service's own error passes through unchanged
    assert again.json() == "Time entry already stopped"

    listed = client.get(
        f"{BASE}/me/time_entries",
        headers=gate.headers,
        params={
            "start_date": (start - timedelta(days=1)).strftime("%Y-%m-%d"),
            "end_date": (start + timedelta(days=2)).strftime("%Y-%m-%d"),
        },
    )
    assert [e["id"] for e in listed.json()] == [tid]

    deleted = client.delete(f"{BASE}/workspaces/{wid}/time_entries/{tid}", headers=gate.headers)
    assert deleted.status_code == 200
    missing = client.get(f"{BASE}/me/time_entries/{tid}", headers=gate.headers)
    assert missing.status_code == 404


def test_projects_create_list_get_update_delete(client: TestClient, gate: Gate):
    wid = gate.user.workspace_id
    r = client.post(
        f"{BASE}/workspaces/{wid}/projects",
        headers=gate.headers,
        json={"name": "New Project", "active": True, "is_private": True, "color": "#0b83d9"},
    )
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    listed = client.get(
        f"{BASE}/workspaces/{wid}/projects",
        headers=gate.headers,
        params={"page": 1, "per_page": 50},
    )
    assert [p["id"] for p in listed.json()] == [pid]
    one = client.get(f"{BASE}/workspaces/{wid}/projects/{pid}", headers=gate.headers)
    assert one.json()["name"] == "New Project"
    renamed = client.put(
        f"{BASE}/workspaces/{wid}/projects/{pid}",
        headers=gate.headers,
        json={"name": "Updated Project Name", "color": "#ff0000"},
    )
    assert renamed.json()["name"] == "Updated Project Name"
    assert (
        client.delete(f"{BASE}/workspaces/{wid}/projects/{pid}", headers=gate.headers).status_code
        == 200
    )


def test_the_upstream_error_passes_through_with_its_own_shape(client: TestClient, gate: Gate):
    r = client.get(f"{BASE}/me/time_entries/999999999", headers=gate.headers)
    assert r.status_code == 404
    assert "error" not in r.text  # Toggl's JSON string, not the gateway's error object


SEED_CALLS = [
    ("GET", "/api/v9/me", None),
    ("GET", "/api/v9/me/workspaces", None),
    ("GET", "/api/v9/workspaces/21180405/users", None),
    (
        "GET",
        "/api/v9/me/time_entries?since=1707840000&start_date=2026-02-01&end_date=2026-02-28",
        None,
    ),
    ("GET", "/api/v9/me/time_entries/current", None),
    (
        "POST",
        "/api/v9/workspaces/21180405/time_entries",
        b'{"duration":-1,"created_with":"maton-api"}',
    ),
    ("PUT", "/api/v9/workspaces/21180405/time_entries/4290254971", b'{"description":"Updated"}'),
    ("PATCH", "/api/v9/workspaces/21180405/time_entries/4290254971/stop", None),
    ("DELETE", "/api/v9/workspaces/21180405/time_entries/4290254971", None),
    ("GET", "/api/v9/workspaces/21180405/projects?page=1&per_page=50", None),
    ("POST", "/api/v9/workspaces/21180405/projects", b'{"name":"New Project","color":"#0b83d9"}'),
    ("PUT", "/api/v9/workspaces/21180405/projects/216896134", b'{"name":"Renamed"}'),
    ("DELETE", "/api/v9/workspaces/21180405/projects/216896134", None),
    ("POST", "/api/v9/workspaces/21180405/clients/68493239/archive", None),
    ("GET", "/api/v9/workspaces/21180405/tags?page=1&per_page=10", None),
]


def test_every_seed_call_reaches_the_upstream_as_sent(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    # pure pass-through: with the quota shield on, reads may be answered from its mirror
    gw = remote_gateway(upstream.url, rate_limit="100/second", shield_enabled=False)
    for method, target, body in SEED_CALLS:
        headers = {**gw.headers, "Content-Type": "application/json"} if body else gw.headers
        gw.client.request(method, "/toggl-track" + target, headers=headers, content=body)
    seen = [(s.method, s.raw_path, s.body or None) for s in upstream.seen]
    assert seen == SEED_CALLS
    assert all(s.headers["Authorization"] == _basic(gw.token) for s in upstream.seen)
    posted = upstream.seen[5]
    assert posted.headers["Content-Type"] == "application/json"
    assert posted.headers["Content-Length"] == str(len(SEED_CALLS[5][2] or b""))


def _basic(token: str) -> str:
    return "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()
