"""Who calls and through which connection: keys, Maton-Connection, the oldest ACTIVE default,
and accounts that cannot see each other's connections."""

from __future__ import annotations

import base64
import uuid

from fastapi.testclient import TestClient

from tests.conftest import make_user
from tests.proxy.conftest import Gate
from tests.proxy.helpers import assert_gateway_error, make_account, make_connection
from trackgate.runtime import Runtime

ME = "/toggl-track/api/v9/me"


def test_bearer_and_basic_key_api_token_both_work(client: TestClient, gate: Gate):
    assert client.get(ME, headers=gate.account.bearer).json()["id"] == gate.user.id
    assert client.get(ME, headers=gate.account.basic).json()["id"] == gate.user.id


def test_missing_and_wrong_keys_are_401(client: TestClient, gate: Gate):
    assert_gateway_error(client.get(ME), 401, "unauthorized")
    assert_gateway_error(
        client.get(ME, headers={"Authorization": "Bearer tgk_nope"}), 401, "unauthorized"
    )
    wrong_password = base64.b64encode(f"{gate.account.api_key}:secret".encode()).decode()
    r = client.get(ME, headers={"Authorization": f"Basic {wrong_password}"})
    assert_gateway_error(r, 401, "unauthorized")
    # the service's own credentials are no gateway key
    assert_gateway_error(client.get(ME, headers=gate.user.auth), 401, "unauthorized")


def test_unknown_app_is_404(client: TestClient, gate: Gate):
    assert_gateway_error(client.get("/slack/api/v9/me", headers=gate.headers), 404, "unknown_app")
    assert_gateway_error(client.get("/toggl%2Dtrac/x", headers=gate.headers), 404, "unknown_app")


def test_the_proxy_shadows_no_other_route(client: TestClient, gate: Gate):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
    assert client.get("/connections", headers=gate.headers).status_code == 200
    assert client.get("/api/v9/me", headers=gate.user.auth).json()["id"] == gate.user.id
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
    assert client.get("/").headers["content-type"].startswith("text/html")


def test_maton_connection_picks_the_connection(client: TestClient, runtime: Runtime, gate: Gate):
    second_user = make_user(runtime)
    second = make_connection(runtime, gate.account.account_id, second_user.token)
    chosen = client.get(ME, headers={**gate.headers, "Maton-Connection": second})
    assert chosen.json()["id"] == second_user.id
    default = client.get(ME, headers=gate.headers)
    assert default.json()["id"] == gate.user.id  # the older of the two
    upper = client.get(ME, headers={**gate.headers, "Maton-Connection": second.upper()})
    assert upper.json()["id"] == second_user.id


def test_default_is_the_oldest_active_connection(client: TestClient, runtime: Runtime):
    account = make_account(runtime)
    oldest, middle, newest = make_user(runtime), make_user(runtime), make_user(runtime)
    make_connection(runtime, account.account_id, newest.token, age_minutes=1)
    make_connection(runtime, account.account_id, middle.token, age_minutes=5)
    make_connection(runtime, account.account_id, oldest.token, age_minutes=9, status="FAILED")
    make_connection(runtime, account.account_id, None, age_minutes=20, status="PENDING")
    assert client.get(ME, headers=account.bearer).json()["id"] == middle.id


def test_connection_errors(client: TestClient, runtime: Runtime, gate: Gate):
    def with_connection(value: str) -> dict[str, str]:
        return {**gate.headers, "Maton-Connection": value}

    r = client.get(ME, headers=with_connection(str(uuid.uuid4())))
    assert_gateway_error(r, 404, "connection_not_found")
    assert_gateway_error(
        client.get(ME, headers=with_connection("not-a-uuid")), 404, "connection_not_found"
    )
    pending = make_connection(runtime, gate.account.account_id, None, status="PENDING")
    assert_gateway_error(
        client.get(ME, headers=with_connection(pending)), 400, "connection_not_active"
    )
    failed = make_connection(runtime, gate.account.account_id, gate.user.token, status="FAILED")
    body = assert_gateway_error(
        client.get(ME, headers=with_connection(failed)), 400, "connection_failed"
    )
    assert f"GET /connections/{failed} gives its connect url" in body["error"]["message"]

    lonely = make_account(runtime, "no connections")
    assert_gateway_error(client.get(ME, headers=lonely.bearer), 400, "no_connection")


def test_accounts_are_isolated(client: TestClient, runtime: Runtime, gate: Gate):
    other_user = make_user(runtime)
    other = make_account(runtime, "other team")
    other_connection = make_connection(runtime, other.account_id, other_user.token)

    # each account reaches its own Toggl account by default
    assert client.get(ME, headers=other.bearer).json()["id"] == other_user.id
    assert client.get(ME, headers=gate.headers).json()["id"] == gate.user.id
    # naming the other account's connection is answered as if it did not exist
    stolen = client.get(ME, headers={**gate.headers, "Maton-Connection": other_connection})
    assert_gateway_error(stolen, 404, "connection_not_found")
    stolen_back = client.get(ME, headers={**other.bearer, "Maton-Connection": gate.connection_id})
    assert_gateway_error(stolen_back, 404, "connection_not_found")


def test_a_deleted_connection_stops_working_at_once(client: TestClient, gate: Gate):
    assert client.get(ME, headers=gate.headers).status_code == 200  # now cached
    deleted = client.delete(f"/connections/{gate.connection_id}", headers=gate.headers)
    assert deleted.status_code == 200
    assert_gateway_error(client.get(ME, headers=gate.headers), 400, "no_connection")
    named = client.get(ME, headers={**gate.headers, "Maton-Connection": gate.connection_id})
    assert_gateway_error(named, 404, "connection_not_found")


def test_request_id_on_every_answer(client: TestClient, gate: Gate):
    answers = [
        client.get(ME, headers=gate.headers),
        client.get(ME),
        client.get("/nope/x", headers=gate.headers),
        client.get("/toggl-track/api/v9/me/time_entries/1", headers=gate.headers),
    ]
    ids = [r.headers.get("x-request-id") for r in answers]
    assert all(ids) and len(set(ids)) == len(ids)
