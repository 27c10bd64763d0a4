"""Real ``trackgate serve`` processes for the shield's differential tests: an upstream that
emulates Toggl's quota, a quota-free twin serving the same data (the reference, which spends
no quota), and gateways in front of the upstream sharing one database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import (
    _SESSION_KEY,
    TEST_DATABASE_URL,
    LiveServer,
    basic,
    start_live_server,
    stop_live_server,
)
from tests.proxy.helpers import make_connection
from trackgate.config import load_settings
from trackgate.runtime import build_runtime


@dataclass
class Toggl:
    """An upstream account seen two ways: through a gateway, and straight at the twin."""

    gateway: httpx.Client
    twin: httpx.Client
    user_id: int
    workspace_id: int
    connection_id: str

    def via(self, gateway: httpx.Client) -> Toggl:
        return Toggl(gateway, self.twin, self.user_id, self.workspace_id, self.connection_id)

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.gateway.get("/toggl-track/api/v9" + path, headers=headers)

    def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.gateway.request(method, "/toggl-track/api/v9" + path, json=body)

    def direct(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.twin.request(method, "/api/v9" + path, json=body)

    def quota(self) -> dict[str, Any]:
        answer = self.gateway.get(f"/connections/{self.connection_id}")
        quota: dict[str, Any] = answer.json()["connection"]["quota"]
        return quota


def upstream_pair(root: Path, quota: str) -> tuple[LiveServer, LiveServer]:
    """The emulating upstream and its quota-free twin on the same SQLite data."""
    root.mkdir(parents=True, exist_ok=True)
    upstream = start_live_server(root, "--no-gateway", "--emulate-quota", quota)
    twin = start_live_server(root, "--no-gateway")
    return upstream, twin


def gateway_env() -> dict[str, str]:
    if TEST_DATABASE_URL:
        return {"TRACKGATE_DATABASE_URL": TEST_DATABASE_URL, "TRACKGATE_SECRET_KEY": _SESSION_KEY}
    return {}


def start_gateway(root: Path, upstream: LiveServer, max_age: float) -> LiveServer:
    """A gateway (no service of its own); ``root`` shared means one database for replicas."""
    root.mkdir(parents=True, exist_ok=True)
    env = {
        **gateway_env(),
        "TRACKGATE_SHIELD_MAX_AGE": str(max_age),
        "TRACKGATE_RATE_LIMIT": "1000/second",
    }
    return start_live_server(root, "--no-service", "--upstream", upstream.url, env=env)


def new_account(upstream: LiveServer, gateway: LiveServer, twin: LiveServer) -> Toggl:
    """A fresh upstream user (its own quota) connected to a fresh gateway account."""
    made = upstream.cli(
        "users", "create", "--email", f"agent-{uuid.uuid4().hex[:8]}@example.com",
        "--password", "correct horse battery",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    user = json.loads(made.stdout)
    account = gateway.cli("accounts", "create", "--name", "agents")
    assert account.returncode == 0, account.stderr
    key = json.loads(account.stdout)
    settings = load_settings(gateway.env)
    runtime = build_runtime(settings)
    try:
        connection_id = make_connection(runtime, key["account_id"], user["api_token"])
    finally:
        runtime.close()
    bearer = {"Authorization": f"Bearer {key['api_key']}"}
    return Toggl(
        gateway=httpx.Client(base_url=gateway.url, headers=bearer, timeout=30),
        twin=httpx.Client(
            base_url=twin.url, headers=basic(user["api_token"], "api_token"), timeout=30
        ),
        user_id=user["id"],
        workspace_id=user["default_workspace_id"],
        connection_id=connection_id,
    )


@contextmanager
def shielded_servers(
    root: Path, max_age: float, replicas: int = 1
) -> Iterator[dict[str, LiveServer]]:
    """An upstream counting a quota of 30, its quota-free twin, and ``replicas`` gateways on
    one database in front of it (``gateway``, then ``replica``): stopped in reverse order."""
    started: list[LiveServer] = []
    try:
        upstream, twin = upstream_pair(root / "upstream", "30")
        started += [upstream, twin]
        for _ in range(replicas):
            started.append(start_gateway(root / "gateway", upstream, max_age))
        names = ["gateway", "replica"][:replicas]
        yield {"upstream": upstream, "twin": twin, **dict(zip(names, started[2:], strict=True))}
    finally:
        for server in reversed(started):
            stop_live_server(server)
