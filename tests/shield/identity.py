"""Two gateway processes on one database in front of one upstream, and Toggl users whose data
can be told apart: the stage for checking that a mirror only ever answers with the data of the
credential its connection holds."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import LiveServer, basic, start_live_server, stop_live_server
from tests.proxy.helpers import make_connection
from tests.replicas.helpers import complete_connect_page, connect_url
from tests.shield.sockets import gateway_env
from trackgate.config import load_settings
from trackgate.runtime import build_runtime

T = "/toggl-track/api/v9"
#: A Redis database of these tests' own (pub/sub channels are named after it too).
REDIS_URL = "redis://127.0.0.1:6379/13"
#: How long a process may go on using a credential it cached before a reconnect: the
#: announcement's delivery with Redis, the caches' expiry (5 s) without.
SETTLE_WITH_REDIS, SETTLE_WITHOUT = 1.5, 5.5


@dataclass(frozen=True)
class TogglUser:
    """An upstream user and everything that marks its data as its own."""

    id: int
    email: str
    api_token: str
    workspace_ids: frozenset[int]
    default_workspace_id: int


@dataclass
class Stage:
    upstream: LiveServer
    gateways: tuple[LiveServer, LiveServer]
    redis: bool

    def user(self, entries: int = 1) -> TogglUser:
        """A new upstream user with a project and ``entries`` stopped entries of its own."""
        made = self.upstream.cli(
            "users", "create", "--email", f"who-{uuid.uuid4().hex[:10]}@example.com",
            "--password", "correct horse battery",
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        user = json.loads(made.stdout)
        wid = user["default_workspace_id"]
        auth = basic(user["api_token"], "api_token")
        with httpx.Client(base_url=self.upstream.url + "/api/v9", headers=auth) as direct:
            project = direct.post(f"/workspaces/{wid}/projects", json={"name": user["email"]})
            assert project.status_code == 200, project.text
            for n in range(entries):
                entry = {
                    "workspace_id": wid,
                    "created_with": "tests",
                    "description": f"{user['email']} #{n}",
                    "start": _stamp(hours_ago=2 + n),
                    "duration": 600,
                }
                made_entry = direct.post(f"/workspaces/{wid}/time_entries", json=entry)
                assert made_entry.status_code == 200, made_entry.text
        return TogglUser(user["id"], user["email"], user["api_token"], frozenset({wid}), wid)

    def account(self, first: TogglUser) -> Account:
        """A gateway account with a key and one connection holding ``first``'s token."""
        gateway = self.gateways[0]
        made = gateway.cli("accounts", "create", "--name", "identity")
        assert made.returncode == 0, made.stderr
        key = json.loads(made.stdout)
        runtime = build_runtime(load_settings(gateway.env))
        try:
            connection_id = make_connection(runtime, key["account_id"], first.api_token)
        finally:
            runtime.close()
        return Account(self, {"Authorization": f"Bearer {key['api_key']}"}, connection_id, first)

    def settle(self) -> None:
        """Wait until every process uses the credential a reconnect stored."""
        time.sleep(SETTLE_WITH_REDIS if self.redis else SETTLE_WITHOUT)


@dataclass
class Account:
    stage: Stage
    bearer: dict[str, str]
    connection_id: str
    #: whose token the connection holds now
    holder: TogglUser

    def get(self, via: int, path: str, **headers: str) -> httpx.Response:
        server = self.stage.gateways[via]
        return httpx.get(server.url + T + path, headers={**self.bearer, **headers}, timeout=30)

    def send(self, via: int, method: str, path: str, body: Any) -> httpx.Response:
        server = self.stage.gateways[via]
        url = server.url + T + path
        return httpx.request(method, url, headers=self.bearer, json=body, timeout=30)

    def reconnect(self, via: int, user: TogglUser) -> None:
        """Complete the connect page of process ``via`` with ``user``'s token."""
        server = self.stage.gateways[via]
        complete_connect_page(
            server, connect_url(server, self.bearer, self.connection_id), user.api_token
        )
        self.holder = user

    def start_entry(self, via: int, description: str) -> httpx.Response:
        wid = self.holder.default_workspace_id
        body = {
            "workspace_id": wid,
            "created_with": "tests",
            "description": description,
            "start": _stamp(hours_ago=0.1),
            "duration": -1,
        }
        return self.send(via, "POST", f"/workspaces/{wid}/time_entries", body)


def owners(path: str, answer: Any, users: list[TogglUser]) -> set[int]:
    """Whose data an answer to ``path`` shows (user ids), as far as its content tells."""
    by_workspace = {w: u.id for u in users for w in u.workspace_ids}
    found: set[int] = set()
    items = answer if isinstance(answer, list) else [answer] if answer else []
    for item in items:
        if path.startswith("/me/workspaces"):
            found.add(by_workspace.get(item["id"], -1))
        elif path == "/me" or path.startswith("/me?"):
            found.add(next((u.id for u in users if u.email == item["email"]), -1))
        else:
            if "user_id" in item:
                found.add(item["user_id"])
            found.add(by_workspace.get(item.get("workspace_id", item.get("wid")), -1))
    return found


def _stamp(hours_ago: float) -> str:
    when = time.time() - hours_ago * 3600
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


@contextmanager
def stage(root: Path, *, redis: bool) -> Iterator[Stage]:
    """An upstream (no quota of its own) and two gateways on one database, with a freshness
    limit long enough that what the mirror holds is answered from it."""
    started: list[LiveServer] = []
    for part in ("upstream", "gateway"):
        (root / part).mkdir(parents=True, exist_ok=True)
    try:
        upstream = start_live_server(root / "upstream", "--no-gateway")
        started.append(upstream)
        env = {
            **gateway_env(),
            "TRACKGATE_SHIELD_MAX_AGE": "600",
            "TRACKGATE_RATE_LIMIT": "1000/second",
            "TRACKGATE_AUTH_FAILURE_LIMIT": "10000/minute",
        }
        if redis:
            env["TRACKGATE_REDIS_URL"] = REDIS_URL
        for _ in range(2):
            started.append(
                start_live_server(
                    root / "gateway", "--no-service", "--upstream", upstream.url, env=env
                )
            )
        yield Stage(upstream, (started[1], started[2]), redis)
    finally:
        for server in reversed(started):
            stop_live_server(server)
