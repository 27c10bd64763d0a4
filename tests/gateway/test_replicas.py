"""Two real `trackgate serve` processes on one database: what one of them (or a command) revokes,
deletes or re-connects stops working in the other within the promised time.

The other process is warmed first, so it holds the key and the credential in its caches; the
test then waits no longer than the promise (plus a margin for a loaded machine) for the change.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from click.testing import CliRunner

from tests.conftest import LiveServer, basic, start_live_server, stop_live_server
from tests.gateway.control_helpers import csrf_of
from tests.replicas.helpers import Tenant
from trackgate.cli.main import app as cli_app
from trackgate.gateway.auth import REVOCATION_SECONDS

pytestmark = pytest.mark.socket

#: Room for a loaded machine on top of the promise (far below what a stale cache would take).
MARGIN_SECONDS = 4.0
PROXIED_ME = "/toggl-track/api/v9/me"


@dataclass
class Replicas:
    first: LiveServer
    second: LiveServer


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    shared = tmp_path_factory.mktemp("replicas")  # one data dir and key file for both
    first = start_live_server(shared)
    try:
        second = start_live_server(shared)
    except BaseException:
        stop_live_server(first)
        raise
    yield Replicas(first, second)
    stop_live_server(second)
    stop_live_server(first)


def command(server: LiveServer, *args: str) -> dict[str, str]:
    """A `trackgate` command on the servers' data, run in this process (cheaper than a third
    process, which is not what these tests are about)."""
    result = CliRunner().invoke(cli_app, list(args), env=server.env)
    assert result.exit_code == 0, result.stderr
    parsed: dict[str, str] = json.loads(result.stdout)
    return parsed


def make_user(server: LiveServer) -> tuple[str, str]:
    email = f"replica-{uuid.uuid4().hex[:8]}@example.com"
    made = command(server, "users", "create", "--email", email, "--password", "secret123")
    return email, made["api_token"]


def connect(server: LiveServer, bearer: dict[str, str], connection_id: str, token: str) -> None:
    """Complete the connect page of ``connection_id`` with ``token``, as a browser would."""
    shown = httpx.get(f"{server.url}/connections/{connection_id}", headers=bearer, timeout=30)
    url = shown.json()["connection"]["url"]
    with httpx.Client(timeout=30) as browser:
        page = browser.get(url)
        done = browser.post(url, data={"api_token": token, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200, done.text


def make_tenant(server: LiveServer) -> Tenant:
    email, token = make_user(server)
    account = command(server, "accounts", "create", "--name", "replicas")
    bearer = {"Authorization": f"Bearer {account['api_key']}"}
    made = httpx.post(
        f"{server.url}/connections", json={"app": "toggl-track"}, headers=bearer, timeout=30
    )
    connection_id = made.json()["connection"]["connection_id"]
    connect(server, bearer, connection_id, token)
    return Tenant(
        email,
        token,
        account["account_id"],
        account["key_id"],
        account["api_key"],
        connection_id,
    )


def within_promise(check: Callable[[], bool]) -> float:
    """Seconds until ``check`` holds; fails once the promise and the margin are spent."""
    started = time.monotonic()
    deadline = started + REVOCATION_SECONDS + MARGIN_SECONDS
    while not check():
        assert time.monotonic() < deadline, (
            f"still not in effect after {REVOCATION_SECONDS} s (+{MARGIN_SECONDS} s margin)"
        )
        time.sleep(0.2)
    return time.monotonic() - started


def proxied_me(
    server: LiveServer, tenant: Tenant, connection: bool = False, fresh: bool = False
) -> httpx.Response:
    headers = dict(tenant.bearer)
    if connection:
        headers["Maton-Connection"] = tenant.connection_id
    if fresh:
        headers["Cache-Control"] = "no-cache"
    return httpx.get(server.url + PROXIED_ME, headers=headers, timeout=30)


def test_a_revoked_key_stops_working_in_every_running_server(replicas: Replicas) -> None:
    tenant = make_tenant(replicas.first)
    for server in (replicas.first, replicas.second):  # both now hold the key in their cache
        assert proxied_me(server, tenant).status_code == 200

    command(replicas.first, "keys", "revoke", tenant.key_id)

    for server in (replicas.second, replicas.first):
        within_promise(lambda s=server: proxied_me(s, tenant).status_code == 401)
        listed = httpx.get(f"{server.url}/connections", headers=tenant.bearer, timeout=30)
        assert listed.status_code == 401


def test_a_deleted_connection_stops_working_in_the_other_server(replicas: Replicas) -> None:
    tenant = make_tenant(replicas.first)
    assert proxied_me(replicas.second, tenant).status_code == 200
    assert proxied_me(replicas.second, tenant, connection=True).status_code == 200

    deleted = httpx.delete(
        f"{replicas.first.url}/connections/{tenant.connection_id}",
        headers=tenant.bearer,
        timeout=30,
    )
    assert deleted.status_code == 200, deleted.text
    assert proxied_me(replicas.first, tenant).status_code == 400  # at once where it was done

    within_promise(lambda: proxied_me(replicas.second, tenant, connection=True).status_code == 404)
    within_promise(lambda: proxied_me(replicas.second, tenant).status_code == 400)
    body = proxied_me(replicas.second, tenant).json()
    assert body["error"]["code"] == "no_connection"


def test_a_reconnected_connection_uses_the_new_account_in_the_other_server(
    replicas: Replicas,
) -> None:
    tenant = make_tenant(replicas.first)
    assert proxied_me(replicas.second, tenant).json()["email"] == tenant.email
    new_email, new_token = make_user(replicas.first)

    connect(replicas.first, tenant.bearer, tenant.connection_id, new_token)

    assert proxied_me(replicas.first, tenant).json()["email"] == new_email
    within_promise(lambda: proxied_me(replicas.second, tenant).json()["email"] == new_email)
    within_promise(
        lambda: proxied_me(replicas.second, tenant, connection=True).json()["email"] == new_email
    )


def test_a_reset_api_token_stops_working_at_once_in_the_other_server(
    replicas: Replicas,
) -> None:
    """The Toggl account's own credential revoked (a new API token): the service in the other
    process refuses the old token on the next call, and the connection holding it fails."""
    tenant = make_tenant(replicas.first)
    me = replicas.second.url + "/api/v9/me"
    assert httpx.get(me, headers=basic(tenant.api_token, "api_token")).status_code == 200
    assert proxied_me(replicas.second, tenant).status_code == 200

    new_token = command(replicas.first, "users", "reset-token", "--email", tenant.email)[
        "api_token"
    ]

    assert httpx.get(me, headers=basic(tenant.api_token, "api_token")).status_code == 403
    assert httpx.get(me, headers=basic(new_token, "api_token")).status_code == 200
    # the next call that reaches the upstream (a mirror copy of /me may be served until its
    # freshness limit, so this one asks past it)
    within_promise(lambda: proxied_me(replicas.second, tenant, fresh=True).status_code == 403)
    shown = httpx.get(
        f"{replicas.second.url}/connections/{tenant.connection_id}",
        headers=tenant.bearer,
        timeout=30,
    )
    assert shown.json()["connection"]["status"] == "FAILED"
