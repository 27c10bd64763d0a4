"""`trackgate secrets rotate` while two servers on the same database and key file serve calls:
neither needs a restart. A server meeting a secret sealed by the new key reads the key file
again; until it can, it answers 503 with ``Retry-After``, never 500, and no connection is
marked FAILED."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, basic, start_live_server, stop_live_server
from tests.replicas.helpers import Tenant, make_tenant
from trackgate.config import load_settings
from trackgate.crypto import key_id, parse_keys
from trackgate.runtime import Runtime, build_runtime

pytestmark = pytest.mark.socket
#: how long calls go on after the rotation: past the 5 s the gateway keeps a credential
AFTER_SECONDS = 6.5


@dataclass
class Pair:
    first: LiveServer
    second: LiveServer
    runtime: Runtime
    key_file: Path


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    env = {"TRACKGATE_RATE_LIMIT": "1000/second", "TRACKGATE_AUTH_FAILURE_LIMIT": "10000/minute"}
    first = start_live_server(tmp_path, env=env)
    try:
        second = start_live_server(tmp_path, env=env)
    except BaseException:
        stop_live_server(first)
        raise
    runtime = build_runtime(load_settings(first.env))
    try:
        yield Pair(first, second, runtime, Path(first.env["TRACKGATE_KEY_FILE"]))
    finally:
        runtime.close()
        stop_live_server(second)
        stop_live_server(first)


def _load(pair: Pair, tenant: Tenant, stop: threading.Event, seen: list[tuple[str, int, str]]):
    """Calls through the gateway (which opens the stored credential) and to the service's /me
    (which opens the stored API token), through both servers in turn."""
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            for server in (pair.first, pair.second):
                proxied = client.get(server.url + "/toggl-track/api/v9/me", headers=tenant.bearer)
                seen.append(("proxy", proxied.status_code, proxied.headers.get("retry-after", "")))
                direct = client.get(
                    server.url + "/api/v9/me", headers=basic(tenant.api_token, "api_token")
                )
                seen.append(("service", direct.status_code, direct.headers.get("retry-after", "")))
            time.sleep(0.02)


def test_rotation_under_load_needs_no_restart(pair: Pair) -> None:
    tenant = make_tenant(pair.runtime, pair.first, pair.second)
    old = parse_keys(pair.key_file.read_text())
    seen: list[tuple[str, int, str]] = []
    stop = threading.Event()
    load = threading.Thread(target=_load, args=(pair, tenant, stop, seen), daemon=True)
    load.start()
    try:
        time.sleep(1.0)
        rotated = pair.first.cli("secrets", "rotate")
        assert rotated.returncode == 0, rotated.stderr
        assert json.loads(rotated.stdout)["remaining"] == 0
        time.sleep(AFTER_SECONDS)
    finally:
        stop.set()
        load.join(timeout=60)
    new = parse_keys(pair.key_file.read_text())
    assert len(new) == 1 and new[0] not in old
    assert len(seen) > 50, "the load made too few calls to mean anything"
    failures = [s for s in seen if s[1] not in (200, 503)]
    assert failures == [], failures[:10]
    assert all(retry for _, status, retry in seen if status == 503)
    for server in (pair.first, pair.second):  # both read the new key by themselves
        proxied = httpx.get(
            server.url + "/toggl-track/api/v9/me",
            headers={**tenant.bearer, "Maton-Connection": tenant.connection_id},
            timeout=30,
        )
        assert proxied.status_code == 200, proxied.text
        shown = httpx.get(
            f"{server.url}/connections/{tenant.connection_id}", headers=tenant.bearer, timeout=30
        )
        assert shown.json()["connection"]["status"] == "ACTIVE"
    status = json.loads(pair.first.cli("secrets", "status").stdout)
    assert set(status["sealed_by_key_id"]) == {key_id(new[0])}


def test_a_server_seals_with_the_new_key_after_sighup(pair: Pair) -> None:
    """After a rotation, a server that read nothing sealed by the new key still seals what it
    writes next with the new key (it reads the key file again before sealing, and on SIGHUP)."""
    tenant = make_tenant(pair.runtime, pair.first, pair.first)
    rotated = pair.first.cli("secrets", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new = parse_keys(pair.key_file.read_text())
    os.kill(pair.second.process.pid, signal.SIGHUP)
    time.sleep(0.5)
    reset = httpx.post(
        pair.second.url + "/api/v9/me/reset_token",
        headers=basic(tenant.api_token, "api_token"),
        timeout=30,
    )
    assert reset.status_code == 200, reset.text
    status = json.loads(pair.first.cli("secrets", "status").stdout)
    assert set(status["sealed_by_key_id"]) == {key_id(new[0])}
    token = reset.json()
    me = httpx.get(pair.first.url + "/api/v9/me", headers=basic(token, "api_token"), timeout=30)
    assert me.status_code == 200 and me.json()["api_token"] == token
