"""The gateway's side of the failure limit: valid keys still work over it, wrong session
tokens on the connect page count toward it, and an account's waiting connections are capped
(whichever of its keys asks)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import basic
from tests.gateway.control_helpers import GatewayAccount, connect_path, make_account
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.gateway.connections import MAX_PENDING
from trackgate.gateway.keys import issue_key
from trackgate.runtime import Runtime, build_runtime
from trackgate.storage.models import Connection, ConnectSession
from trackgate.storage.types import utcnow


@pytest.fixture
def strict_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(dataclasses.replace(settings, auth_failure_limit="3/minute"))
    yield rt
    rt.close()


@pytest.fixture
def strict_client(strict_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(strict_runtime), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_gateway_error(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_valid_keys_get_through_an_address_over_the_limit(
    strict_client: TestClient, strict_runtime: Runtime
) -> None:
    account = make_account(strict_runtime)
    wrong = {"Authorization": "Bearer tg_not_a_real_key"}
    for _ in range(3):
        assert_gateway_error(strict_client.get("/connections", headers=wrong), 401, "unauthorized")
    blocked = strict_client.get("/connections", headers=wrong)
    assert_gateway_error(blocked, 429, "too_many_failures")
    assert int(blocked.headers["retry-after"]) >= 1
    # a key never seen before (not in any cache) is still verified and served
    assert strict_client.get("/connections", headers=account.headers).status_code == 200
    as_basic = basic(account.api_key, "api_token")
    assert strict_client.get("/connections", headers=as_basic).status_code == 200
    # and through the proxy (no connection yet: the gateway's 400, not the limit's 429)
    other = make_account(strict_runtime, "other")
    r = strict_client.get("/toggl-track/api/v9/me", headers=other.headers)
    assert_gateway_error(r, 400, "no_connection")


def test_wrong_session_tokens_on_the_connect_page_count_as_failures(
    strict_client: TestClient, strict_runtime: Runtime
) -> None:
    account = make_account(strict_runtime)
    r = strict_client.post("/connections", json={"app": "toggl-track"}, headers=account.headers)
    url = r.json()["connection"]["url"]
    for n in range(3):
        assert strict_client.get(f"/connect?session_token=guess{n}").status_code == 404
    blocked = strict_client.get("/connect?session_token=guess-again")
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert "session_token" not in blocked.text
    # a link that works still opens its form
    assert strict_client.get(connect_path(url)).status_code == 200
    # the limit is the address's: the control API refuses wrong keys now too
    wrong = {"Authorization": "Bearer tg_not_a_real_key"}
    assert_gateway_error(strict_client.get("/connections", headers=wrong), 429, "too_many_failures")


def _create(client: TestClient, account: GatewayAccount) -> Any:
    return client.post("/connections", json={"app": "toggl-track"}, headers=account.headers)


def test_an_account_has_at_most_twenty_pending_connections(
    client: TestClient, runtime: Runtime
) -> None:
    account = make_account(runtime)
    neighbour = make_account(runtime, "neighbour")
    made = [_create(client, account) for _ in range(MAX_PENDING)]
    assert all(r.status_code == 200 for r in made)
    refused = _create(client, account)
    assert_gateway_error(refused, 400, "too_many_pending")
    assert "20" in refused.json()["error"]["message"]
    # another account is not affected
    assert _create(client, neighbour).status_code == 200
    # deleting one makes room again
    first = made[0].json()["connection"]["connection_id"]
    assert client.delete(f"/connections/{first}", headers=account.headers).status_code == 200
    assert _create(client, account).status_code == 200
    assert_gateway_error(_create(client, account), 400, "too_many_pending")
    listed = client.get("/connections", headers=account.headers).json()["connections"]
    assert len(listed) == MAX_PENDING


def test_two_keys_of_one_account_share_its_pending_connections(
    client: TestClient, runtime: Runtime
) -> None:
    account = make_account(runtime)
    with runtime.db.write() as session:
        issued = issue_key(session, account.account_id, "second")
    second = GatewayAccount(account.account_id, issued.key_id, issued.api_key)
    half = MAX_PENDING // 2
    made = [_create(client, key) for key in [account] * half + [second] * (MAX_PENDING - half)]
    assert [r.status_code for r in made] == [200] * MAX_PENDING
    for key in (account, second):  # the account's twenty, whichever key asks
        assert_gateway_error(_create(client, key), 400, "too_many_pending")
        listed = client.get("/connections", headers=key.headers).json()["connections"]
        assert len(listed) == MAX_PENDING
    # one deleted with either key makes room for one, with either key
    first = made[0].json()["connection"]["connection_id"]
    assert client.delete(f"/connections/{first}", headers=second.headers).status_code == 200
    assert _create(client, second).status_code == 200
    assert_gateway_error(_create(client, account), 400, "too_many_pending")


def test_expired_pending_connections_do_not_count(client: TestClient, runtime: Runtime) -> None:
    account = make_account(runtime)
    for _ in range(MAX_PENDING):
        assert _create(client, account).status_code == 200
    assert_gateway_error(_create(client, account), 400, "too_many_pending")
    past = utcnow() - timedelta(hours=1)
    with runtime.db.write() as session:
        session.execute(update(Connection).values(created_at=past))
        session.execute(update(ConnectSession).values(expires_at=past))
    assert _create(client, account).status_code == 200
