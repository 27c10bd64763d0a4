"""Over real sockets against `trackgate serve`: the documented curl calls (as httpx), plan
limits from the flag, and an event that survives `kill -9` of the server between the change
and its delivery."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.service.webhooks.receiver import receiving

ALLOW = {"TRACKGATE_WEBHOOK_ALLOW_PRIVATE": "on"}


def _token(server: LiveServer) -> tuple[str, int]:
    email = f"hooks-{uuid.uuid4().hex[:10]}@example.com"
    made = server.cli("users", "create", "--email", email, "--password", "correct horse 1")
    assert made.returncode == 0, made.stderr
    me = json.loads(made.stdout)
    return me["api_token"], int(me["default_workspace_id"])


def _user(server: LiveServer) -> tuple[httpx.BasicAuth, int]:
    token, wid = _token(server)
    return httpx.BasicAuth(token, "api_token"), wid


def _entry(server: LiveServer, auth: httpx.BasicAuth, wid: int, text: str) -> dict[str, Any]:
    r = httpx.post(
        f"{server.url}/api/v9/workspaces/{wid}/time_entries",
        json={
            "workspace_id": wid,
            "start": "2026-02-02T08:00:00Z",
            "duration": 60,
            "description": text,
            "created_with": "curl",
        },
        auth=auth,
    )
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_documented_calls_and_free_plan_limits(tmp_path: Path) -> None:
    server = start_live_server(tmp_path, "--emulate-webhook-limits", "free", env=ALLOW)
    try:
        auth, wid = _user(server)
        api = f"{server.url}/webhooks/api/v1"
        assert httpx.get(f"{api}/limits/{wid}", auth=auth).json() == {
            "max_webhooks": 1,
            "max_events_per_webhook": 3,
        }
        with receiving() as receiver:
            receiver.answer = lambda got: (
                200,
                json.dumps({"validation_code": got.json.get("validation_code")}).encode(),
            )
            four = [{"entity": e, "action": "*"} for e in ("tag", "client", "task", "project")]
            body = {"url_callback": receiver.url, "description": "mine", "enabled": True}
            # as `curl -d '{...}'` sends it: JSON labelled as a form
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            too_many = httpx.post(
                f"{api}/subscriptions/{wid}",
                content=json.dumps({**body, "event_filters": four}),
                headers=form,
                auth=auth,
            )
            assert too_many.status_code == 400
            assert "at most 3 event filters" in too_many.json()
            r = httpx.post(
                f"{api}/subscriptions/{wid}",
                content=json.dumps({**body, "event_filters": four[:3] + [four[0]]}),
                headers=form,
                auth=auth,
            )
            assert r.status_code == 200, r.text
            sub = r.json()
            second = httpx.post(
                f"{api}/subscriptions/{wid}",
                json={**body, "description": "second", "event_filters": four[:1]},
                auth=auth,
            )
            assert second.status_code == 400
            assert second.json() == (
                "Maximum number of subscriptions (1) reached for this workspace's plan"
            )
            sid = sub["subscription_id"]
            assert httpx.post(f"{api}/ping/{wid}/{sid}", auth=auth).json() == {"status": "ok"}
            listed = httpx.get(f"{api}/subscriptions/{wid}", auth=auth).json()
            assert listed[0]["validated_at"] is not None  # validated by the ping's answer
            receiver.answer = lambda _got: (200, b"")
            tag = httpx.post(
                f"{server.url}/api/v9/workspaces/{wid}/tags", json={"name": "live"}, auth=auth
            ).json()
            got = receiver.wait_for(1)[0]
            assert got.signed_by(sub["secret"])
            assert got.json["metadata"]["tag_id"] == tag["id"]
    finally:
        stop_live_server(server)


def test_kill_9_between_change_and_delivery_loses_nothing(tmp_path: Path) -> None:
    server = start_live_server(tmp_path, env=ALLOW)
    try:
        auth, wid = _user(server)
        api = f"{server.url}/webhooks/api/v1"
        with receiving() as receiver:
            port = int(receiver.url.split(":")[2].split("/")[0])
            sub = httpx.post(
                f"{api}/subscriptions/{wid}",
                json={
                    "url_callback": receiver.url,
                    "description": "survives",
                    "event_filters": [{"entity": "time_entry", "action": "*"}],
                },
                auth=auth,
            ).json()
            sid = sub["subscription_id"]
            assert httpx.post(f"{api}/ping/{wid}/{sid}", auth=auth).status_code == 200
            code = receiver.received[-1].json["validation_code"]
            assert httpx.get(f"{api}/validate/{wid}/{sid}/{code}", auth=auth).json() == "OK"
        # the receiver is gone: the change is committed, its delivery cannot happen yet
        entry = _entry(server, auth, wid, "committed, then the server died")
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    finally:
        stop_live_server(server)
    with receiving(port) as receiver:
        again = start_live_server(tmp_path, env=ALLOW)
        try:
            got = receiver.wait_for(1, timeout=40)
            assert got[0].json["payload"]["id"] == entry["id"]
            assert got[0].signed_by(sub["secret"])
            time.sleep(1)
            assert len(receiver.events()) == 1  # once
            events = httpx.get(
                f"{again.url}/webhooks/api/v1/subscriptions/{wid}/{sid}/events", auth=auth
            ).json()
            assert events["total"] == 1
        finally:
            stop_live_server(again)


def test_the_documented_curl_calls(tmp_path: Path) -> None:
    """Toggl's own examples, run with curl itself, create, ping, validate and list."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    server = start_live_server(tmp_path, env=ALLOW)
    try:
        token, wid = _token(server)
        api = f"{server.url}/webhooks/api/v1"

        def run(*args: str) -> Any:
            done = subprocess.run(
                [curl, "-s", "-u", f"{token}:api_token", "-H", "User-Agent: tests", *args],
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        with receiving() as receiver:
            created = run(
                "-d",
                json.dumps(
                    {
                        "url_callback": receiver.url,
                        "event_filters": [
                            {"entity": "project", "action": "created"},
                            {"entity": "tag", "action": "*"},
                        ],
                        "enabled": True,
                        "description": "My first Webhooks subscription",
                    }
                ),
                f"{api}/subscriptions/{wid}",
            )
            sid = created["subscription_id"]
            assert created["validated_at"] is None
            assert run("-X", "POST", f"{api}/ping/{wid}/{sid}") == {"status": "ok"}
            code = receiver.received[-1].json["validation_code"]
            assert run(f"{api}/validate/{wid}/{sid}/{code}") == "OK"
            listed = run(f"{api}/subscriptions/{wid}")
            assert listed[0]["validated_at"] is not None
            off = run("-X", "PATCH", "-d", '{"enabled": false}', f"{api}/subscriptions/{wid}/{sid}")
            assert off["enabled"] is False
            assert "time_entry" in run(f"{api}/event_filters")
            gone = run("-X", "DELETE", f"{api}/subscriptions/{wid}/{sid}")
            assert gone["subscription_id"] == sid
    finally:
        stop_live_server(server)
