"""Connections that say when they break, over real sockets: a gateway in front of a separate
upstream (``trackgate serve --no-gateway``). The Toggl token behind a connection is revoked on
the upstream directly, behind the gateway's back; the next call (or the periodic health check,
without any call) turns the connection FAILED with its reason, its calls get 400
``connection_failed``, and completing the connect page again brings it back with the same id.
A 403 that only says the user may not do something keeps the connection as it is."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, Person, basic, start_live_server, stop_live_server
from tests.replicas.helpers import complete_connect_page, connect_url, start_connection
from tests.shield.sockets import gateway_env
from tests.teams.team_helpers import make_team
from trackgate.config import load_settings
from trackgate.gateway.keys import create_account, issue_key
from trackgate.runtime import Runtime, build_runtime

pytestmark = pytest.mark.socket

T = "/toggl-track/api/v9"


@dataclass
class Servers:
    upstream: LiveServer
    gateway: LiveServer
    #: the upstream's own data, where its users are made directly
    upstream_runtime: Runtime
    gateway_runtime: Runtime


@dataclass
class Connected:
    """A gateway account (one key) whose one connection holds ``person``'s Toggl token."""

    person: Person
    bearer: dict[str, str]
    connection_id: str


def start_pair(
    root: Path, stack: ExitStack, *, own_database: bool = False, **gateway_settings: str
) -> Servers:
    """The upstream and a gateway in front of it; ``own_database``: the gateway keeps a SQLite
    database of its own even in the PostgreSQL pass (whose shared database holds every other
    test's connections, which a health check would go through too)."""
    for part in ("upstream", "gateway"):
        (root / part).mkdir(parents=True, exist_ok=True)
    upstream = start_live_server(root / "upstream", "--no-gateway")
    stack.callback(stop_live_server, upstream)
    shared = {} if own_database else gateway_env()
    env = {**shared, "TRACKGATE_RATE_LIMIT": "1000/second", **gateway_settings}
    gateway = start_live_server(
        root / "gateway", "--no-service", "--upstream", upstream.url, env=env
    )
    stack.callback(stop_live_server, gateway)
    upstream_runtime = build_runtime(load_settings(upstream.env))
    stack.callback(upstream_runtime.close)
    gateway_runtime = build_runtime(load_settings(gateway.env))
    stack.callback(gateway_runtime.close)
    return Servers(upstream, gateway, upstream_runtime, gateway_runtime)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    with ExitStack() as stack:
        yield start_pair(tmp_path, stack)


def connect(servers: Servers, person: Person) -> Connected:
    """A new account and key on the gateway; its connection completed on the connect page."""
    with servers.gateway_runtime.db.write() as session:
        account = create_account(session, "agents")
        issued = issue_key(session, account.id)
    bearer = {"Authorization": f"Bearer {issued.api_key}"}
    connection_id = start_connection(servers.gateway, bearer)
    url = connect_url(servers.gateway, bearer, connection_id)
    complete_connect_page(servers.gateway, url, person.token)
    return Connected(person, bearer, connection_id)


def shown(servers: Servers, connected: Connected) -> dict[str, Any]:
    answer = httpx.get(
        f"{servers.gateway.url}/connections/{connected.connection_id}",
        headers=connected.bearer,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    connection: dict[str, Any] = answer.json()["connection"]
    return connection


def proxied(
    servers: Servers, connected: Connected, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    headers = {**connected.bearer, "Cache-Control": "no-cache", **kwargs.pop("headers", {})}
    return httpx.request(
        method, servers.gateway.url + T + path, headers=headers, timeout=30, **kwargs
    )


def revoke(servers: Servers, person: Person) -> str:
    """A new API token, asked of the upstream itself: the one the gateway holds stops working."""
    answer = httpx.post(
        f"{servers.upstream.url}/api/v9/me/reset_token",
        headers=basic(person.token, "api_token"),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    new_token: str = answer.json()
    return new_token


def assert_failed_error(answer: httpx.Response, connection_id: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "connection_failed"
    assert f"GET /connections/{connection_id}" in error["message"]
    assert "reconnect" in error["message"]


def wait_for(check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not so after {seconds} s"
        time.sleep(0.2)


def test_a_revoked_token_fails_on_the_next_call_and_a_reconnect_restores_it(
    servers: Servers,
) -> None:
    person = make_team(servers.upstream_runtime).admin
    connected = connect(servers, person)
    assert proxied(servers, connected, "GET", "/me").status_code == 200
    before = shown(servers, connected)
    assert before["status"] == "ACTIVE" and before["failure_reason"] is None

    new_token = revoke(servers, person)
    refused = proxied(servers, connected, "GET", "/me/workspaces")
    assert refused.status_code in (401, 403)  # the upstream's own answer passes through

    after = shown(servers, connected)
    assert after["status"] == "FAILED"
    reason = after["failure_reason"]
    assert reason and "GET /me" in reason and str(refused.status_code) in reason
    assert "reconnect" in reason and new_token not in reason and person.token not in reason
    listed = httpx.get(f"{servers.gateway.url}/connections", headers=connected.bearer, timeout=30)
    assert listed.json()["connections"][0]["failure_reason"] == reason

    chosen = {"Maton-Connection": connected.connection_id}
    assert_failed_error(
        proxied(servers, connected, "GET", "/me", headers=chosen), connected.connection_id
    )
    # the account's only connection: a call that names none is told the same
    assert_failed_error(proxied(servers, connected, "GET", "/me"), connected.connection_id)

    url = after["url"]
    complete_connect_page(servers.gateway, url, new_token)
    restored = shown(servers, connected)
    assert restored["connection_id"] == connected.connection_id
    assert restored["status"] == "ACTIVE" and restored["failure_reason"] is None
    again = proxied(servers, connected, "GET", "/me", headers=chosen)
    assert again.status_code == 200 and again.json()["id"] == person.id


def test_a_member_forbidden_an_admin_action_keeps_the_connection(servers: Servers) -> None:
    team = make_team(servers.upstream_runtime)
    made = httpx.post(
        f"{servers.upstream.url}/api/v9/workspaces/{team.workspace_id}/tags",
        json={"name": "billing"},
        headers=basic(team.admin.token, "api_token"),
        timeout=30,
    )
    assert made.status_code == 200, made.text
    connected = connect(servers, team.member)
    tag = f"/workspaces/{team.workspace_id}/tags/{made.json()['id']}"
    forbidden = proxied(servers, connected, "PUT", tag, json={"name": "mine"})
    assert forbidden.status_code == 403, forbidden.text

    still = shown(servers, connected)
    assert still["status"] == "ACTIVE" and still["failure_reason"] is None
    assert proxied(servers, connected, "GET", "/me").status_code == 200


def test_the_health_check_finds_a_revoked_token_without_a_call(tmp_path: Path) -> None:
    with ExitStack() as stack:
        servers = start_pair(tmp_path, stack, own_database=True, TRACKGATE_CONNECTION_CHECK="2s")
        team = make_team(servers.upstream_runtime)
        broken = connect(servers, team.admin)
        working = connect(servers, team.member)
        revoke(servers, team.admin)

        wait_for(lambda: shown(servers, broken)["status"] == "FAILED", 30)
        reason = shown(servers, broken)["failure_reason"]
        assert reason and "GET /me" in reason and "reconnect" in reason
        time.sleep(2.5)  # at least one more round: a token that works stays ACTIVE
        assert shown(servers, working)["status"] == "ACTIVE"
        assert shown(servers, working)["failure_reason"] is None
