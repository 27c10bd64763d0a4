"""The seed's own snippets (urllib, Bearer key) against a real `trackgate serve --demo`, with
only the base URL changed; and the access log, which names no secret."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.proxy.helpers import BIG_CHUNK, BIG_CHUNKS, FakeUpstream, make_account, make_connection
from trackgate.config import load_settings
from trackgate.gateway.guard import TOKEN_STAND_IN
from trackgate.runtime import build_runtime

pytestmark = pytest.mark.socket


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    server = start_live_server(tmp_path, "--demo")
    try:
        line = server.process.stdout.readline()
        assert line.startswith("export MATON_API_KEY=")
        yield server, line.strip().split("=", 1)[1]
    finally:
        stop_live_server(server)


def _call(url: str, key: str, method: str = "GET", data: Any = None) -> Any:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Authorization", f"Bearer {key}")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as answer:
        raw = answer.read()
        assert answer.headers["X-Request-Id"]
    return json.loads(raw) if raw else None


def test_the_seed_snippets_work_with_only_the_base_url_changed(
    demo_server: tuple[LiveServer, str],
):
    server, key = demo_server
    gateway = f"{server.url}/toggl-track"

    me = _call(f"{gateway}/api/v9/me", key)
    assert me["email"] and me["api_token"] == TOKEN_STAND_IN
    wid = me["default_workspace_id"]
    assert [w["id"] for w in _call(f"{gateway}/api/v9/me/workspaces", key)] == [wid]

    start = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry = _call(
        f"{gateway}/api/v9/workspaces/{wid}/time_entries",
        key,
        "POST",
        {
            "description": "Working on task",
            "start": start,
            "duration": -1,
            "workspace_id": wid,
            "created_with": "maton-api",
        },
    )
    assert entry["duration"] == -1
    assert _call(f"{gateway}/api/v9/me/time_entries/current", key)["id"] == entry["id"]
    stopped = _call(
        f"{gateway}/api/v9/workspaces/{wid}/time_entries/{entry['id']}/stop", key, "PATCH"
    )
    assert stopped["duration"] >= 0
    _call(f"{gateway}/api/v9/workspaces/{wid}/time_entries/{entry['id']}", key, "DELETE")

    with pytest.raises(urllib.error.HTTPError) as refused:
        _call(f"{gateway}/api/v9/me/reset_token", key, "POST", {})
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["error"]["code"] == "forbidden"


def test_the_access_log_names_no_secret(demo_server: tuple[LiveServer, str], tmp_path: Path):
    server, key = demo_server
    me = _call(f"{server.url}/toggl-track/api/v9/me?with_related_data=true", key)
    with pytest.raises(urllib.error.HTTPError):
        _call(f"{server.url}/toggl-track/api/v9/me", key + "x")
    server.process.terminate()
    server.process.wait(timeout=10)
    log = (tmp_path / f"serve-{server.port}.log").read_text()
    assert "/toggl-track/api/v9/me" in log  # the call is logged, by path
    assert key not in log
    assert "with_related_data" not in log  # the query string is never logged
    assert me["id"]


@pytest.fixture
def gateway_to_fake(
    tmp_path: Path, upstream: FakeUpstream
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """`trackgate serve --no-service --upstream <fake>` with one account and connection."""
    runtime = build_runtime(
        load_settings(
            {},
            data_dir=tmp_path / "live-data",
            key_file=tmp_path / "live-config" / "secret.key",
        )
    )
    try:
        account = make_account(runtime)
        make_connection(runtime, account.account_id, "tok-live")
    finally:
        runtime.close()
    server = start_live_server(tmp_path, "--no-service", "--upstream", upstream.url)
    try:
        yield server, account.bearer
    finally:
        stop_live_server(server)


def test_a_body_cut_short_upstream_is_never_passed_off_as_whole(
    gateway_to_fake: tuple[LiveServer, dict[str, str]],
):
    server, headers = gateway_to_fake
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{server.url}/toggl-track/cut", headers=headers, timeout=10)
    whole = httpx.get(f"{server.url}/toggl-track/big", headers=headers, timeout=30)
    assert whole.status_code == 200
    assert whole.content == BIG_CHUNK * BIG_CHUNKS
