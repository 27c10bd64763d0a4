"""A guesser over the failure limit cannot lock out the valid callers on its address, nor make
the server hash a password per guess; forwarded addresses count only through trusted proxies;
the authentication comes before the body; unknown emails cost a hash like known ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import _SESSION_KEY, TEST_DATABASE_URL, basic, make_user
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from trackgate.app import create_app
from trackgate.config import load_settings
from trackgate.runtime import Runtime, build_runtime
from trackgate.service import passwords

PROXY = ("10.9.0.2", 40000)


@pytest.fixture
def strict_runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = load_settings(
        {"TRACKGATE_TRUSTED_PROXIES": "10.9.0.0/24, 2001:db8::/32"},
        data_dir=tmp_path / "data",
        key_file=tmp_path / "config" / "secret.key",
        database_url=TEST_DATABASE_URL,
        secret_key=_SESSION_KEY if TEST_DATABASE_URL else None,
        auth_failure_limit="3/minute",
    )
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def app(strict_runtime: Runtime) -> Any:
    return create_app(strict_runtime)


def client_at(app: Any, host: str = "192.0.2.7") -> TestClient:
    return TestClient(app, client=(host, 5000), raise_server_exceptions=False)


class CountingHasher:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.verifications = 0

    def verify(self, stored: str, password: str) -> bool:
        self.verifications += 1
        result: bool = self.inner.verify(stored, password)
        return result

    def hash(self, password: str) -> str:
        result: str = self.inner.hash(password)
        return result


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    return counting


def exhaust(client: TestClient, headers: dict[str, str] | None = None) -> None:
    for _ in range(3):
        r = client.get(
            f"{API}/me", headers={**basic("nobody@example.com", "guess"), **(headers or {})}
        )
        assert r.status_code == 403
    blocked = client.get(
        f"{API}/me", headers={**basic("nobody@example.com", "guess"), **(headers or {})}
    )
    assert_error(blocked, 429)


def test_a_valid_api_token_gets_through_over_the_limit(app: Any, strict_runtime: Runtime) -> None:
    person = make_user(strict_runtime)
    client = client_at(app)
    exhaust(client)
    assert client.get(f"{API}/me", headers=person.auth).status_code == 200
    assert_error(client.get(f"{API}/me", headers=basic("0" * 32, "api_token")), 429)


def test_over_the_limit_a_password_is_checked_only_for_an_email_seen_from_the_address(
    app: Any, strict_runtime: Runtime, hasher: CountingHasher
) -> None:
    regular = make_user(strict_runtime)
    stranger = make_user(strict_runtime)
    client = client_at(app)
    assert (
        client.get(f"{API}/me", headers=basic(regular.email, regular.password)).status_code == 200
    )
    exhaust(client)
    before = hasher.verifications
    # the email that logged in from here keeps working (its pair is remembered)
    r = client.get(f"{API}/me", headers=basic(regular.email.upper(), regular.password))
    assert r.status_code == 200, r.text
    # a wrong password for it is checked and refused with the limit's 429
    assert_error(client.get(f"{API}/me", headers=basic(regular.email, "wrong")), 429)
    checked = hasher.verifications - before
    # another email is refused without any hash: guesses cost the server nothing
    for password in (stranger.password, "guess"):
        assert_error(client.get(f"{API}/me", headers=basic(stranger.email, password)), 429)
    assert hasher.verifications - before == checked
    # and the same email from another address is a stranger there
    elsewhere = client_at(app, "192.0.2.99")
    assert (
        elsewhere.get(f"{API}/me", headers=basic(stranger.email, stranger.password)).status_code
        == 200
    )


def test_an_unknown_email_costs_a_hash_like_a_known_one(
    client: TestClient, hasher: CountingHasher
) -> None:
    assert (
        client.get(f"{API}/me", headers=basic("nobody@example.com", "some guess")).status_code
        == 403
    )
    assert hasher.verifications == 1


def test_forwarded_addresses_count_only_through_trusted_proxies(
    app: Any, strict_runtime: Runtime
) -> None:
    person = make_user(strict_runtime)
    proxy = TestClient(app, client=PROXY, raise_server_exceptions=False)
    guesser = {"X-Forwarded-For": "198.51.100.1"}
    exhaust(proxy, guesser)
    # another caller behind the same proxy is not blocked by the guesser
    neighbour = {"X-Forwarded-For": "198.51.100.2", **basic(person.email, person.password)}
    assert proxy.get(f"{API}/me", headers=neighbour).status_code == 200
    # a forged hop left of the real one changes nothing: the rightmost untrusted hop counts
    forged = {
        "X-Forwarded-For": "203.0.113.5, 198.51.100.1",
        **basic(person.email, person.password),
    }
    assert_error(proxy.get(f"{API}/me", headers=forged), 429)
    # RFC 7239 spelling, through two trusted proxies
    hops = {"Forwarded": 'for=198.51.100.1;proto=https, for="[2001:db8::7]:443"'}
    assert_error(
        proxy.get(f"{API}/me", headers={**hops, **basic(person.email, person.password)}), 429
    )
    # two headers naming different callers: one is forged, the proxy's own address counts
    both = {"X-Forwarded-For": "198.51.100.1", "Forwarded": "for=198.51.100.3"}
    assert (
        proxy.get(f"{API}/me", headers={**both, **basic(person.email, person.password)}).status_code
        == 200
    )


def test_an_untrusted_peer_cannot_pick_its_address(app: Any, strict_runtime: Runtime) -> None:
    person = make_user(strict_runtime)
    client = client_at(app)
    for n in range(3):
        spoofed = {"X-Forwarded-For": f"198.51.100.{n}", **basic(person.email, "guess")}
        assert client.get(f"{API}/me", headers=spoofed).status_code == 403
    fresh = {"X-Forwarded-For": "198.51.100.200", **basic(person.email, "guess")}
    assert_error(client.get(f"{API}/me", headers=fresh), 429)


# --- authentication before the body --------------------------------------------------------


async def _call(app: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, bool]:
    """POST a body the app must not read; answers (status, whether the body was read)."""
    read = False
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read = True
        return {"type": "http.request", "body": b"{not json", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{API}/workspaces/1/time_entries",
        "raw_path": f"{API}/workspaces/1/time_entries".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("192.0.2.50", 1),
        "server": ("127.0.0.1", 8080),
    }
    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    return start["status"], read


@pytest.mark.parametrize(
    ("headers", "status"),
    [([], 401), ([(b"authorization", b"Basic " + b"bm9ib2R5OmFwaV90b2tlbg==")], 403)],
)
async def test_no_body_is_read_before_the_caller_is_known(
    client: TestClient, headers: list[tuple[bytes, bytes]], status: int
) -> None:
    status_seen, read = await _call(client.app, headers)
    assert (status_seen, read) == (status, False)


def test_an_invalid_body_without_credentials_is_401_not_400(client: TestClient) -> None:
    r = client.post(
        f"{API}/workspaces/1/time_entries",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 401 and r.content == b""


@pytest.mark.socket
def test_a_live_server_refuses_before_the_body_arrives(live_server: Any) -> None:
    """Headers promising 200 MB, and no body: the refusal comes at once, nothing is awaited."""
    import socket

    request = (
        f"POST {API}/workspaces/1/time_entries HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{live_server.port}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 500000\r\n\r\n"  # under the body cap: no 413 first
    ).encode()
    for extra in (b"", b"Authorization: Basic bm9ib2R5OmFwaV90b2tlbg==\r\n"):
        with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
            sock.sendall(request[:-2] + extra + b"\r\n")
            answer = sock.recv(4096)
        status = answer.split(b"\r\n", 1)[0]
        assert status == (b"HTTP/1.1 401 Unauthorized" if not extra else b"HTTP/1.1 403 Forbidden")
