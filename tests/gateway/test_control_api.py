"""The control API: ``/connections`` in Maton's shape, per-account isolation, every error."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import LiveServer, Person, basic
from tests.gateway.control_helpers import (
    CONNECTION_KEYS,
    STAMP,
    GatewayAccount,
    connect_path,
    make_account,
    session_token,
    start_connection,
    stored_connection,
    stored_session,
)
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.crypto import Keyring, digest, generate_key
from trackgate.gateway.connections import Verified, activate, session_context
from trackgate.gateway.keys import revoke_key
from trackgate.runtime import Runtime, build_runtime
from trackgate.storage.models import Connection, ConnectSession
from trackgate.storage.types import utcnow


@pytest.fixture
def alice(runtime: Runtime) -> GatewayAccount:
    return make_account(runtime, "alice's team")


@pytest.fixture
def bob(runtime: Runtime) -> GatewayAccount:
    return make_account(runtime, "bob's team")


def assert_error(r: Any, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code


def make_active(runtime: Runtime, connection_id: str, person: Person) -> None:
    metadata = {"user_id": person.id, "email": person.email}
    with runtime.db.write() as session:
        connection = session.get(Connection, connection_id)
        assert connection is not None
        activate(session, runtime.keyring, connection, Verified("API_KEY", person.token, metadata))


# --- the shape --------------------------------------------------------------------------------


def test_create_answers_a_pending_connection_with_a_connect_url(
    client: TestClient, alice: GatewayAccount, settings: Settings
) -> None:
    connection = start_connection(client, alice)
    assert set(connection) == CONNECTION_KEYS
    assert connection["status"] == "PENDING" and connection["failure_reason"] is None
    assert connection["app"] == "toggl-track"
    assert connection["method"] is None and connection["metadata"] == {}
    assert str(uuid.UUID(connection["connection_id"])) == connection["connection_id"]
    assert STAMP.match(connection["creation_time"]) and STAMP.match(connection["last_updated_time"])
    assert connection["url"].startswith(f"{settings.root_url}/connect?session_token=")
    assert len(session_token(connection["url"])) >= 40


def test_get_and_list_show_the_same_connection(client: TestClient, alice: GatewayAccount) -> None:
    made = start_connection(client, alice)
    got = client.get(f"/connections/{made['connection_id']}", headers=alice.headers)
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"
    assert got.json() == {"connection": made}
    listed = client.get("/connections", headers=alice.headers)
    assert listed.status_code == 200 and listed.json() == {"connections": [made]}


def test_a_live_url_is_stable_and_stored_only_as_digest_and_ciphertext(
    client: TestClient, alice: GatewayAccount, runtime: Runtime
) -> None:
    made = start_connection(client, alice)
    again = client.get(f"/connections/{made['connection_id']}", headers=alice.headers).json()
    assert again["connection"]["url"] == made["url"]
    token = session_token(made["url"])
    row = stored_session(runtime, made["url"])
    assert row is not None and row.token_digest == digest(token)
    assert token not in row.token_ciphertext
    assert timedelta(minutes=29) < row.expires_at - utcnow() <= timedelta(minutes=30)


@pytest.mark.parametrize("spend", ["consumed", "expired", "exhausted"])
def test_a_spent_session_is_replaced_when_the_connection_is_read(
    client: TestClient, alice: GatewayAccount, runtime: Runtime, spend: str
) -> None:
    made = start_connection(client, alice)
    with runtime.db.write() as session:
        row = session.get(ConnectSession, digest(session_token(made["url"])))
        assert row is not None
        if spend == "consumed":
            row.consumed_at = utcnow()
        elif spend == "expired":
            row.expires_at = utcnow() - timedelta(seconds=1)
        else:
            row.failed_attempts = 5
    fresh = client.get(f"/connections/{made['connection_id']}", headers=alice.headers).json()
    url = fresh["connection"]["url"]
    assert url != made["url"]
    assert client.get(connect_path(url)).status_code == 200
    assert client.get(connect_path(made["url"])).status_code in (404, 410)
    listed = client.get("/connections", headers=alice.headers).json()["connections"]
    assert [c["url"] for c in listed] == [url]


def test_a_session_sealed_by_a_retired_key_is_replaced(
    client: TestClient, alice: GatewayAccount, runtime: Runtime
) -> None:
    made = start_connection(client, alice)
    token = session_token(made["url"])
    retired = Keyring((generate_key(),))
    with runtime.db.write() as session:
        row = session.get(ConnectSession, digest(token))
        assert row is not None
        row.token_ciphertext = retired.encrypt(token, session_context(row.token_digest))
    got = client.get(f"/connections/{made['connection_id']}", headers=alice.headers)
    assert got.status_code == 200
    assert got.json()["connection"]["url"] not in (None, made["url"])


def test_filters_by_app_and_status(
    client: TestClient, alice: GatewayAccount, runtime: Runtime, user: Person
) -> None:
    pending = start_connection(client, alice)
    active = start_connection(client, alice)
    make_active(runtime, active["connection_id"], user)

    def ids(query: str) -> list[str]:
        r = client.get(f"/connections{query}", headers=alice.headers)
        assert r.status_code == 200, r.text
        return [c["connection_id"] for c in r.json()["connections"]]

    assert ids("") == [pending["connection_id"], active["connection_id"]]
    assert ids("?app=toggl-track&status=ACTIVE") == [active["connection_id"]]
    assert ids("?status=pending") == [pending["connection_id"]]
    assert ids("?status=FAILED") == []
    assert ids("?app=&status=") == [pending["connection_id"], active["connection_id"]]


def test_an_active_connection_shows_method_and_metadata_but_no_secret(
    client: TestClient, alice: GatewayAccount, runtime: Runtime, user: Person
) -> None:
    made = start_connection(client, alice)
    make_active(runtime, made["connection_id"], user)
    r = client.get(f"/connections/{made['connection_id']}", headers=alice.headers)
    body = r.json()["connection"]
    assert body["status"] == "ACTIVE" and body["method"] == "API_KEY"
    assert body["metadata"] == {"user_id": user.id, "email": user.email}
    assert body["last_updated_time"] >= body["creation_time"]
    listing = client.get("/connections", headers=alice.headers).text
    assert user.token not in r.text and user.token not in listing
    assert alice.api_key not in listing


# --- isolation between accounts -----------------------------------------------------------


def test_an_account_sees_only_its_own_connections(
    client: TestClient, alice: GatewayAccount, bob: GatewayAccount
) -> None:
    mine = start_connection(client, alice)
    theirs = start_connection(client, bob)
    alice_ids = [
        c["connection_id"]
        for c in client.get("/connections", headers=alice.headers).json()["connections"]
    ]
    assert alice_ids == [mine["connection_id"]]
    bob_ids = [
        c["connection_id"]
        for c in client.get("/connections", headers=bob.headers).json()["connections"]
    ]
    assert bob_ids == [theirs["connection_id"]]


def test_another_accounts_connection_is_answered_as_if_it_did_not_exist(
    client: TestClient, alice: GatewayAccount, bob: GatewayAccount, runtime: Runtime
) -> None:
    theirs = start_connection(client, bob)
    foreign = client.get(f"/connections/{theirs['connection_id']}", headers=alice.headers)
    unknown = client.get(f"/connections/{uuid.uuid4()}", headers=alice.headers)
    assert_error(foreign, 404, "connection_not_found")
    assert foreign.json() == unknown.json()
    assert theirs["url"] not in foreign.text
    deleted = client.delete(f"/connections/{theirs['connection_id']}", headers=alice.headers)
    assert_error(deleted, 404, "connection_not_found")
    assert stored_connection(runtime, theirs["connection_id"]) is not None


# --- delete ----------------------------------------------------------------------------------


def test_delete_destroys_the_connection_its_credential_and_sessions(
    client: TestClient, alice: GatewayAccount, runtime: Runtime, user: Person
) -> None:
    made = start_connection(client, alice)
    cid = made["connection_id"]
    make_active(runtime, cid, user)
    state = client.app.state.gateway  # type: ignore[attr-defined]
    state.credentials.put(cid, user.token)
    r = client.delete(f"/connections/{cid}", headers=alice.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["connection_id"] == cid
    assert state.credentials.get(cid) is None
    assert stored_connection(runtime, cid) is None
    with runtime.db.read() as session:
        left = session.scalars(select(ConnectSession).where(ConnectSession.connection_id == cid))
        assert list(left) == []
    assert_error(client.get(f"/connections/{cid}", headers=alice.headers), 404)
    assert client.get(connect_path(made["url"])).status_code == 404
    assert_error(client.delete(f"/connections/{cid}", headers=alice.headers), 404)


# --- errors ----------------------------------------------------------------------------------


def test_caller_authentication(client: TestClient, alice: GatewayAccount, runtime: Runtime) -> None:
    assert_error(client.get("/connections"), 401, "unauthorized")
    assert_error(client.get("/connections", headers={"Authorization": "Bearer tgk_nope"}), 401)
    assert_error(client.post("/connections", json={"app": "toggl-track"}), 401)
    assert_error(client.delete(f"/connections/{uuid.uuid4()}"), 401)
    as_toggl_client = client.get("/connections", headers=basic(alice.api_key, "api_token"))
    assert as_toggl_client.status_code == 200
    with runtime.db.write() as session:
        revoke_key(session, alice.key_id)
    client.app.state.gateway.keys.forget(alice.key_id)  # type: ignore[attr-defined]
    assert_error(client.get("/connections", headers=alice.headers), 401)


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 400, "bad_request"),
        (b"not json", 400, "bad_request"),
        (b'["toggl-track"]', 400, "bad_request"),
        (b"{}", 400, "bad_request"),
        (b'{"app": 5}', 400, "bad_request"),
        (b'{"app": ""}', 400, "bad_request"),
        (b"\xff\xfe", 400, "bad_request"),
        (b'{"app": "github"}', 404, "unknown_app"),
    ],
)
def test_create_refuses_a_bad_body(
    client: TestClient, alice: GatewayAccount, content: bytes, status: int, code: str
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    assert_error(client.post("/connections", content=content, headers=headers), status, code)
    assert client.get("/connections", headers=alice.headers).json() == {"connections": []}


def test_create_refuses_a_huge_body(client: TestClient, alice: GatewayAccount) -> None:
    huge = json.dumps({"app": "toggl-track", "pad": "x" * 100_000}).encode()
    assert_error(client.post("/connections", content=huge, headers=alice.headers), 400)


def test_list_refuses_unknown_filters(client: TestClient, alice: GatewayAccount) -> None:
    assert_error(client.get("/connections?app=github", headers=alice.headers), 404, "unknown_app")
    assert_error(client.get("/connections?status=DONE", headers=alice.headers), 400, "bad_request")


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", "' OR 1=1 --", "%00"])
def test_an_id_that_cannot_be_a_connection_is_not_found(
    client: TestClient, alice: GatewayAccount, bad_id: str
) -> None:
    assert_error(client.get(f"/connections/{bad_id}", headers=alice.headers), 404)
    assert_error(client.delete(f"/connections/{bad_id}", headers=alice.headers), 404)


def test_other_methods_are_refused_as_gateway_errors(
    client: TestClient, alice: GatewayAccount
) -> None:
    made = start_connection(client, alice)
    cid = made["connection_id"]
    assert_error(client.put(f"/connections/{cid}", json={}, headers=alice.headers), 405)
    assert_error(client.patch("/connections", json={}, headers=alice.headers), 405)
    assert_error(client.put(f"/connections/{cid}", json={}), 401)


# --- the connect url comes from settings, never from the Host header ------------------------


@pytest.fixture
def public_client(settings: Settings) -> Iterator[TestClient]:
    public = dataclasses.replace(settings, public_url="https://gateway.example.test/")
    rt = build_runtime(public)
    try:
        with TestClient(create_app(rt), raise_server_exceptions=False) as test_client:
            test_client.app.state.test_runtime = rt  # type: ignore[attr-defined]
            yield test_client
    finally:
        rt.close()


def test_connect_url_uses_the_public_url_not_the_host_header(public_client: TestClient) -> None:
    runtime: Runtime = public_client.app.state.test_runtime  # type: ignore[attr-defined]
    account = make_account(runtime)
    r = public_client.post(
        "/connections",
        json={"app": "toggl-track"},
        headers={**account.headers, "Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    url = r.json()["connection"]["url"]
    assert url.startswith("https://gateway.example.test/connect?session_token=")
    assert "evil" not in r.text


# --- the seed's own snippets, against a real server ---------------------------------------

SEED_LIST = """
import urllib.request, os, json
req = urllib.request.Request('{base}/connections?app=toggl-track&status=ACTIVE')
req.add_header('Authorization', f'Bearer {{os.environ["MATON_API_KEY"]}}')
print(json.dumps(json.load(urllib.request.urlopen(req)), indent=2))
"""
SEED_CREATE = """
import urllib.request, os, json
data = json.dumps({{'app': 'toggl-track'}}).encode()
req = urllib.request.Request('{base}/connections', data=data, method='POST')
req.add_header('Authorization', f'Bearer {{os.environ["MATON_API_KEY"]}}')
req.add_header('Content-Type', 'application/json')
print(json.dumps(json.load(urllib.request.urlopen(req)), indent=2))
"""
SEED_GET = """
import urllib.request, os, json
req = urllib.request.Request('{base}/connections/{connection_id}')
req.add_header('Authorization', f'Bearer {{os.environ["MATON_API_KEY"]}}')
print(json.dumps(json.load(urllib.request.urlopen(req)), indent=2))
"""
SEED_DELETE = """
import urllib.request, os, json
req = urllib.request.Request('{base}/connections/{connection_id}', method='DELETE')
req.add_header('Authorization', f'Bearer {{os.environ["MATON_API_KEY"]}}')
print(json.dumps(json.load(urllib.request.urlopen(req)), indent=2))
"""


def run_snippet(template: str, api_key: str, **values: str) -> dict[str, object]:
    """Run a snippet as the seed does (a separate ``python``), with only the base URL changed."""
    done = subprocess.run(
        [sys.executable, "-c", template.format(**values)],
        env={"MATON_API_KEY": api_key, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.socket
def test_the_seed_connection_management_snippets_work_against_a_real_server(
    live_server: LiveServer,
) -> None:
    made = live_server.cli("accounts", "create", "--name", "seed")
    assert made.returncode == 0, made.stderr
    api_key = json.loads(made.stdout)["api_key"]
    base = live_server.url
    created = run_snippet(SEED_CREATE, api_key, base=base)
    connection = created["connection"]
    assert isinstance(connection, dict) and connection["status"] == "PENDING"
    assert str(connection["url"]).startswith(f"{base}/connect?session_token=")
    cid = str(connection["connection_id"])
    got = run_snippet(SEED_GET, api_key, base=base, connection_id=cid)
    assert got == {"connection": connection}
    assert run_snippet(SEED_LIST, api_key, base=base) == {"connections": []}  # none ACTIVE yet
    deleted = run_snippet(SEED_DELETE, api_key, base=base, connection_id=cid)
    assert deleted["connection_id"] == cid
    missing = subprocess.run(
        [sys.executable, "-c", SEED_GET.format(base=base, connection_id=cid)],
        env={"MATON_API_KEY": api_key},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert missing.returncode != 0 and "HTTP Error 404" in missing.stderr
