"""The connect page in-process: the form, CSRF, verification upstream, single use, limits."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.gateway.control_helpers import (
    GatewayAccount,
    assert_page_headers,
    connect_path,
    csrf_of,
    make_account,
    session_token,
    start_connection,
    stored_connection,
    stored_session,
)
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.crypto import digest
from trackgate.gateway import csrf
from trackgate.gateway.credential_store import open_credential
from trackgate.gateway.upstream import UpstreamResponse, UpstreamTimeout, UpstreamUnreachable
from trackgate.runtime import Runtime, build_runtime
from trackgate.storage.models import ConnectSession
from trackgate.storage.types import utcnow


@pytest.fixture
def account(runtime: Runtime) -> GatewayAccount:
    return make_account(runtime)


@pytest.fixture
def pending(client: TestClient, account: GatewayAccount) -> dict[str, Any]:
    return start_connection(client, account)


def alerts(html: str) -> str:
    return " ".join(re.findall(r'role="(?:alert|status)">([^<]*)<', html))


def submit(client: TestClient, url: str, **fields: str) -> Any:
    """Open the form like a browser, then post it with the given fields (csrf included)."""
    path = connect_path(url)
    form = client.get(path)
    assert form.status_code == 200, form.text
    return client.post(path, data={"csrf_token": csrf_of(form.text), **fields})


def reread(client: TestClient, account: GatewayAccount, connection_id: str) -> dict[str, Any]:
    r = client.get(f"/connections/{connection_id}", headers=account.headers)
    assert r.status_code == 200
    connection: dict[str, Any] = r.json()["connection"]
    return connection


# --- the form ------------------------------------------------------------------------------


def test_the_form_posts_to_itself_with_the_three_fields_none_required(
    client: TestClient, pending: dict[str, Any]
) -> None:
    r = client.get(connect_path(pending["url"]))
    assert r.status_code == 200
    assert_page_headers(r.headers)
    html = r.text
    form = re.search(r"<form[^>]*>", html)
    assert form and 'method="post"' in form.group(0) and "action=" not in form.group(0)
    for name in ("api_token", "email", "password"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert field, name
        assert "required" not in field.group(0)
    assert csrf_of(html)
    assert "<script" not in html


def test_opening_the_page_does_not_consume_the_link(
    client: TestClient, pending: dict[str, Any], runtime: Runtime
) -> None:
    for _ in range(3):
        assert client.get(connect_path(pending["url"])).status_code == 200
    row = stored_session(runtime, pending["url"])
    assert row is not None and row.consumed_at is None


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 400), ("?session_token=", 400), ("?session_token=nonsense", 404)],
)
def test_a_missing_or_unknown_token_gets_an_error_page(
    client: TestClient, query: str, status: int
) -> None:
    for r in (client.get(f"/connect{query}"), client.post(f"/connect{query}", data={})):
        assert r.status_code == status
        assert_page_headers(r.headers)
        assert "<form" not in r.text and alerts(r.text)


# --- success -------------------------------------------------------------------------------


def test_a_good_api_token_activates_the_connection(
    client: TestClient,
    account: GatewayAccount,
    pending: dict[str, Any],
    runtime: Runtime,
    user: Person,
) -> None:
    r = submit(client, pending["url"], api_token=user.token)
    assert r.status_code == 200, alerts(r.text)
    assert_page_headers(r.headers)
    assert "connected" in r.text.lower() and user.email in r.text
    assert user.token not in r.text
    connection = reread(client, account, pending["connection_id"])
    assert connection["status"] == "ACTIVE" and connection["method"] == "API_KEY"
    assert connection["metadata"] == {
        "user_id": user.id,
        "email": user.email,
        "fullname": "Jane Doe",
        "default_workspace_id": user.workspace_id,
    }
    stored = stored_connection(runtime, pending["connection_id"])
    assert stored is not None and stored.credential_ciphertext
    assert user.token not in stored.credential_ciphertext
    assert open_credential(runtime.keyring, stored.id, stored.credential_ciphertext) == user.token
    spent = stored_session(runtime, pending["url"])
    assert spent is None or spent.consumed_at is not None


def test_email_and_password_store_the_api_token_never_the_password(
    client: TestClient,
    account: GatewayAccount,
    pending: dict[str, Any],
    runtime: Runtime,
    user: Person,
) -> None:
    r = submit(client, pending["url"], email=user.email.upper(), password=user.password)
    assert r.status_code == 200, alerts(r.text)
    assert user.email in r.text
    connection = reread(client, account, pending["connection_id"])
    assert connection["method"] == "BASIC" and connection["status"] == "ACTIVE"
    stored = stored_connection(runtime, pending["connection_id"])
    assert stored is not None and stored.credential_ciphertext
    assert open_credential(runtime.keyring, stored.id, stored.credential_ciphertext) == user.token
    assert user.password not in str(stored.details)


def test_a_link_is_single_use(
    client: TestClient, pending: dict[str, Any], user: Person, other_user: Person
) -> None:
    path = connect_path(pending["url"])
    form = client.get(path)
    token = csrf_of(form.text)
    assert client.post(path, data={"csrf_token": token, "api_token": user.token}).status_code == 200
    again = client.post(path, data={"csrf_token": token, "api_token": other_user.token})
    assert again.status_code == 410 and "already used" in alerts(again.text)
    assert_page_headers(again.headers)
    assert client.get(path).status_code == 410


def test_completing_again_replaces_the_credential_of_an_active_connection(
    client: TestClient,
    account: GatewayAccount,
    pending: dict[str, Any],
    runtime: Runtime,
    user: Person,
    other_user: Person,
) -> None:
    assert submit(client, pending["url"], api_token=user.token).status_code == 200
    state = client.app.state.gateway  # type: ignore[attr-defined]
    state.credentials.put(pending["connection_id"], user.token)
    fresh = reread(client, account, pending["connection_id"])
    assert fresh["url"] != pending["url"]
    assert "this replaces the sign-in it had" in client.get(connect_path(fresh["url"])).text
    r = submit(client, fresh["url"], api_token=other_user.token)
    assert r.status_code == 200 and other_user.email in r.text
    assert state.credentials.get(pending["connection_id"]) is None
    after = reread(client, account, pending["connection_id"])
    assert after["status"] == "ACTIVE" and after["metadata"]["user_id"] == other_user.id
    stored = stored_connection(runtime, pending["connection_id"])
    assert stored is not None and stored.credential_ciphertext
    opened = open_credential(runtime.keyring, stored.id, stored.credential_ciphertext)
    assert opened == other_user.token


def test_everything_rendered_is_escaped(
    client: TestClient, pending: dict[str, Any], runtime: Runtime
) -> None:
    sneaky = make_user(runtime, fullname='<script>alert("x")</script>')
    r = submit(client, pending["url"], api_token=sneaky.token)
    assert r.status_code == 200
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


# --- failures ------------------------------------------------------------------------------


def test_a_bad_token_answers_400_with_the_reason_and_the_form(
    client: TestClient, account: GatewayAccount, pending: dict[str, Any], runtime: Runtime
) -> None:
    r = submit(client, pending["url"], api_token="0" * 32)
    assert r.status_code == 400
    assert_page_headers(r.headers)
    assert "did not accept this API token" in alerts(r.text) and "4 attempts left" in r.text
    assert csrf_of(r.text) and 'name="api_token"' in r.text
    assert reread(client, account, pending["connection_id"])["status"] == "PENDING"
    row = stored_session(runtime, pending["url"])
    assert row is not None and row.failed_attempts == 1 and row.consumed_at is None


def test_a_wrong_password_says_so(
    client: TestClient, pending: dict[str, Any], user: Person
) -> None:
    r = submit(client, pending["url"], email=user.email, password="not the password")
    assert r.status_code == 400 and "email and password" in alerts(r.text)
    assert "not the password" not in r.text


@pytest.mark.parametrize(
    "fields",
    [{}, {"email": "someone@example.com"}, {"password": "x"}, {"api_token": "   "}],
)
def test_an_incomplete_form_is_refused_without_counting_a_failure(
    client: TestClient, pending: dict[str, Any], runtime: Runtime, fields: dict[str, str]
) -> None:
    r = submit(client, pending["url"], **fields)
    assert r.status_code == 400 and "API token, or its email and password" in alerts(r.text)
    row = stored_session(runtime, pending["url"])
    assert row is not None and row.failed_attempts == 0


def test_five_failed_submits_close_the_link_and_fail_a_pending_connection(
    client: TestClient, account: GatewayAccount, pending: dict[str, Any], user: Person
) -> None:
    path = connect_path(pending["url"])
    token = csrf_of(client.get(path).text)
    answers = [
        client.post(path, data={"csrf_token": token, "api_token": f"wrong{i}"}) for i in range(5)
    ]
    assert [a.status_code for a in answers] == [400] * 5
    assert "1 attempt left" in answers[3].text
    assert "<form" not in answers[4].text and "closed this link" in alerts(answers[4].text)
    after = client.post(path, data={"csrf_token": token, "api_token": user.token})
    assert after.status_code == 410 and client.get(path).status_code == 410
    connection = reread(client, account, pending["connection_id"])
    assert connection["status"] == "FAILED"
    retry = submit(client, connection["url"], api_token=user.token)  # a fresh link still works
    assert retry.status_code == 200
    assert reread(client, account, pending["connection_id"])["status"] == "ACTIVE"


def test_failures_on_an_active_connection_leave_it_active(
    client: TestClient, account: GatewayAccount, pending: dict[str, Any], user: Person
) -> None:
    assert submit(client, pending["url"], api_token=user.token).status_code == 200
    fresh = reread(client, account, pending["connection_id"])["url"]
    for i in range(5):
        assert submit(client, fresh, api_token=f"wrong{i}").status_code == 400
    assert reread(client, account, pending["connection_id"])["status"] == "ACTIVE"


def test_an_expired_link_is_refused(
    client: TestClient, pending: dict[str, Any], runtime: Runtime, user: Person
) -> None:
    path = connect_path(pending["url"])
    token = csrf_of(client.get(path).text)
    with runtime.db.write() as session:
        row = session.get(ConnectSession, digest(session_token(pending["url"])))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    for r in (client.get(path), client.post(path, data={"csrf_token": token, "api_token": "x"})):
        assert r.status_code == 410 and "expired" in alerts(r.text)
        assert_page_headers(r.headers)
    late = client.post(path, data={"csrf_token": token, "api_token": user.token})
    assert late.status_code == 410


# --- CSRF ----------------------------------------------------------------------------------


def _forged(runtime: Runtime, url: str, other_url: str) -> dict[str, str]:
    real = csrf.make_token(runtime.keyring, digest(session_token(url)), 600)
    expires, _, mac = real.partition(".")
    return {
        "missing": "",
        "garbage": "not-a-token",
        "tampered_mac": f"{expires}.{'0' * len(mac)}",
        "extended_expiry": f"{int(expires) + 3600}.{mac}",
        "other_session": csrf.make_token(runtime.keyring, digest(session_token(other_url)), 600),
        "expired": csrf.make_token(runtime.keyring, digest(session_token(url)), -1),
    }


@pytest.mark.parametrize(
    "case",
    ["missing", "garbage", "tampered_mac", "extended_expiry", "other_session", "expired"],
)
def test_a_missing_or_forged_csrf_token_is_refused(
    client: TestClient,
    account: GatewayAccount,
    pending: dict[str, Any],
    runtime: Runtime,
    user: Person,
    case: str,
) -> None:
    other = start_connection(client, account)
    token = _forged(runtime, pending["url"], other["url"])[case]
    data = {"api_token": user.token, **({"csrf_token": token} if token else {})}
    r = client.post(connect_path(pending["url"]), data=data)
    assert r.status_code == 403
    assert_page_headers(r.headers)
    assert csrf_of(r.text)  # a fresh form to submit again
    assert reread(client, account, pending["connection_id"])["status"] == "PENDING"
    row = stored_session(runtime, pending["url"])
    assert row is not None and row.consumed_at is None


def test_the_csrf_token_works_on_another_replica_with_the_same_key(
    settings: Settings, client: TestClient, pending: dict[str, Any], user: Person
) -> None:
    token = csrf_of(client.get(connect_path(pending["url"])).text)
    replica_runtime = build_runtime(settings)
    try:
        with TestClient(create_app(replica_runtime), raise_server_exceptions=False) as replica:
            r = replica.post(
                connect_path(pending["url"]), data={"csrf_token": token, "api_token": user.token}
            )
        assert r.status_code == 200, alerts(r.text)
    finally:
        replica_runtime.close()


# --- limits per client address, and secrets out of logs -----------------------------------


@pytest.fixture
def strict_client(settings: Settings) -> Iterator[TestClient]:
    strict = dataclasses.replace(settings, auth_failure_limit="2/minute")
    rt = build_runtime(strict)
    try:
        with TestClient(create_app(rt), raise_server_exceptions=False) as test_client:
            test_client.app.state.test_runtime = rt  # type: ignore[attr-defined]
            yield test_client
    finally:
        rt.close()


def test_failed_submits_are_limited_per_client_address(strict_client: TestClient) -> None:
    """Over the address's limit, guessed links are refused; a link that works is no guess:
    its form still submits (wrong credentials still count), and a right one connects."""
    runtime: Runtime = strict_client.app.state.test_runtime  # type: ignore[attr-defined]
    person = make_user(runtime)
    account = make_account(runtime)
    first = start_connection(strict_client, account)
    second = start_connection(strict_client, account)
    assert submit(strict_client, first["url"], api_token="wrong-1").status_code == 400
    assert submit(strict_client, second["url"], api_token="wrong-2").status_code == 400
    token = csrf_of(strict_client.get(connect_path(second["url"])).text)
    guessed = strict_client.post(
        "/connect?session_token=guessed", data={"csrf_token": token, "api_token": person.token}
    )
    assert guessed.status_code == 429 and int(guessed.headers["retry-after"]) >= 1
    assert_page_headers(guessed.headers)
    assert "session_token" not in guessed.text
    # the link that works: a wrong credential is refused and counted against the link...
    assert submit(strict_client, second["url"], api_token="wrong-3").status_code == 400
    row = stored_session(runtime, second["url"])
    assert row is not None and row.consumed_at is None and row.failed_attempts == 2
    # ...and the right one connects, from the same address over its limit
    done = submit(strict_client, second["url"], api_token=person.token)
    assert done.status_code == 200, alerts(done.text)
    connected = stored_connection(runtime, second["connection_id"])
    assert connected is not None and connected.status == "ACTIVE"
    # guesses are still refused afterwards
    assert strict_client.get("/connect?session_token=guess-again").status_code == 429


def test_the_session_token_and_credentials_never_reach_the_logs(
    client: TestClient, pending: dict[str, Any], user: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    submit(client, pending["url"], api_token="wrong-token-value")
    submit(client, pending["url"], email=user.email, password=user.password)
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # the test's
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in server_side)
    assert "/connect" in logged  # the access log saw the requests
    for secret in (session_token(pending["url"]), user.token, user.password, "wrong-token-value"):
        assert secret not in logged


# --- an upstream that cannot judge the credential ------------------------------------------


class FakeUpstream:
    def __init__(self, outcome: Exception | UpstreamResponse) -> None:
        self.outcome = outcome

    async def send(self, *_: Any, **__: Any) -> UpstreamResponse:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    async def close(self) -> None:
        return None


async def _body(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (UpstreamUnreachable("down"), 502),
        (UpstreamTimeout("slow"), 504),
        (NotImplementedError("a broken upstream client"), 502),
        (UpstreamResponse(429, [("Retry-After", "7")], _body(b'"slow down"')), 429),
        (UpstreamResponse(500, [], _body(b"oops")), 502),
        (UpstreamResponse(200, [], _body(b"not json")), 502),
    ],
)
def test_an_upstream_that_cannot_answer_is_not_counted_as_a_failure(
    client: TestClient,
    account: GatewayAccount,
    pending: dict[str, Any],
    runtime: Runtime,
    outcome: Exception | UpstreamResponse,
    status: int,
) -> None:
    client.app.state.gateway.upstream = FakeUpstream(outcome)  # type: ignore[attr-defined]
    r = submit(client, pending["url"], api_token="a" * 32)
    assert r.status_code == status
    assert_page_headers(r.headers)
    assert "Try again" in r.text
    if status == 429:
        assert r.headers["retry-after"] == "7"
    row = stored_session(runtime, pending["url"])
    assert row is not None and row.failed_attempts == 0 and row.consumed_at is None
    assert reread(client, account, pending["connection_id"])["status"] == "PENDING"


def test_a_form_too_large_or_malformed_is_refused(
    client: TestClient, pending: dict[str, Any]
) -> None:
    path = connect_path(pending["url"])
    token = csrf_of(client.get(path).text)
    huge = client.post(path, data={"csrf_token": token, "api_token": "x" * 20_000})
    assert huge.status_code == 413
    long_field = client.post(path, data={"csrf_token": token, "api_token": "x" * 2_000})
    assert long_field.status_code == 400
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    bad_bytes = client.post(path, content=b"api_token=\xff\xfe", headers=headers)
    assert bad_bytes.status_code == 400
    many = "&".join(f"f{i}=1" for i in range(50)).encode()
    assert client.post(path, content=many, headers=headers).status_code == 400
