"""A core flow against a real `trackgate serve` on a socket, as a Toggl client runs it."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.conftest import LiveServer, basic, start_live_server, stop_live_server


def _user(server: LiveServer, email: str) -> dict[str, object]:
    made = server.cli(
        "users",
        "create",
        "--data-dir",
        str(server.data_dir),
        "--email",
        email,
        "--password",
        "secret123",
        "--fullname",
        "Live Person",
    )
    assert made.returncode == 0, made.stderr
    assert made.stderr == "" or "api_token" not in made.stderr
    user: dict[str, object] = json.loads(made.stdout)
    return user


def test_live_server_serves_a_user_made_by_the_cli(live_server: LiveServer) -> None:
    me = _user(live_server, "live@example.com")
    r = httpx.get(f"{live_server.url}/api/v9/me", headers=basic(str(me["api_token"]), "api_token"))
    assert r.status_code == 200
    assert r.json()["email"] == "live@example.com"
    assert r.json()["default_workspace_id"] == me["default_workspace_id"]


def test_timer_flow_over_a_socket(live_server: LiveServer) -> None:
    me = _user(live_server, "timer@example.com")
    wid = me["default_workspace_id"]
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with httpx.Client(
        base_url=f"{live_server.url}/api/v9", auth=(str(me["api_token"]), "api_token")
    ) as toggl:
        assert toggl.get("/me/time_entries/current").text == "null"
        started = toggl.post(
            f"/workspaces/{wid}/time_entries",
            json={
                "description": "socket",
                "start": an_hour_ago.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "duration": -1,
                "workspace_id": wid,
                "created_with": "tests",
            },
        )
        assert started.status_code == 200, started.text
        entry_id = started.json()["id"]
        current = toggl.get("/me/time_entries/current").json()
        assert current["id"] == entry_id and current["duration"] < 0
        stopped = toggl.patch(f"/workspaces/{wid}/time_entries/{entry_id}/stop")
        assert stopped.status_code == 200 and stopped.json()["stop"].endswith("Z")
        again = toggl.patch(f"/workspaces/{wid}/time_entries/{entry_id}/stop")
        assert again.status_code == 409 and again.json() == "Time entry already stopped"
        day = an_hour_ago.date()
        listed = toggl.get(
            "/me/time_entries",
            params={"start_date": day.isoformat(), "end_date": (day + timedelta(1)).isoformat()},
        )
        assert [e["id"] for e in listed.json()] == [entry_id]


def test_openapi_docs_cover_the_service(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/docs").status_code == 200
    paths = httpx.get(f"{live_server.url}/openapi.json").json()["paths"]
    assert "/api/v9/me" in paths and "/api/v9/workspaces/{workspace_id}/time_entries" in paths
    assert "/healthz" in paths


def test_nothing_acknowledged_is_lost_when_the_server_is_killed(tmp_path: Path) -> None:
    server = start_live_server(tmp_path)
    try:
        me = _user(server, "crash@example.com")
        wid = me["default_workspace_id"]
        auth = (str(me["api_token"]), "api_token")
        created = httpx.post(
            f"{server.url}/api/v9/workspaces/{wid}/time_entries",
            auth=auth,
            json={
                "description": "durable",
                "start": "2026-01-05T09:00:00Z",
                "duration": 60,
                "workspace_id": wid,
                "created_with": "tests",
            },
        )
        assert created.status_code == 200
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    finally:
        stop_live_server(server)
    restarted = start_live_server(tmp_path)
    try:
        entries = httpx.get(
            f"{restarted.url}/api/v9/me/time_entries",
            params={"start_date": "2026-01-01"},
            auth=auth,
        ).json()
        assert [e["description"] for e in entries] == ["durable"]
    finally:
        stop_live_server(restarted)
