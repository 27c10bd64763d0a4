"""The service's HTTP Basic auth: token or email and password, Toggl's refusals, the failure
limit per client address, and the cache that spares argon2 on every request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import _SESSION_KEY, TEST_DATABASE_URL, Person, basic, make_user
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from trackgate.app import create_app
from trackgate.config import load_settings
from trackgate.runtime import Runtime, build_runtime
from trackgate.service import passwords


def test_no_header_is_401_with_an_empty_body(client: TestClient) -> None:
    r = client.get(f"{API}/me")
    assert r.status_code == 401
    assert r.content == b""
    assert r.headers.get("x-authorization-missing") == "true"


def test_empty_header_is_401(client: TestClient) -> None:
    r = client.get(f"{API}/me", headers={"Authorization": ""})
    assert r.status_code == 401 and r.content == b""


def test_token_and_email_password_both_work(client: TestClient, user: Person) -> None:
    by_token = client.get(f"{API}/me", headers=basic(user.token, "api_token"))
    by_password = client.get(f"{API}/me", headers=basic(user.email, user.password))
    assert by_token.status_code == by_password.status_code == 200
    assert by_token.json()["id"] == by_password.json()["id"] == user.id


def test_email_is_case_insensitive(client: TestClient, user: Person) -> None:
    r = client.get(f"{API}/me", headers=basic(user.email.upper(), user.password))
    assert r.status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        ("0123456789abcdef0123456789abcdef", "api_token"),
        ("nobody@example.com", "correct horse battery"),
        ("{email}", "wrong password"),
        ("{token}", "not-api-token"),
        ("{email}", ""),
        ("", ""),
    ],
)
def test_wrong_credentials_are_403(
    client: TestClient, user: Person, credentials: tuple[str, str]
) -> None:
    name = credentials[0].format(email=user.email, token=user.token)
    r = client.get(f"{API}/me", headers=basic(name, credentials[1]))
    assert_error(r, 403)
    assert user.token not in r.text and user.password not in r.text


@pytest.mark.parametrize(
    "header",
    ["Bearer abc", "Basic", "Basic !!!notbase64", "Basic bm9jb2xvbg==", "Basic //79/w=="],
)
def test_malformed_authorization_is_403(client: TestClient, header: str) -> None:
    assert_error(client.get(f"{API}/me", headers={"Authorization": header}), 403)


def test_nul_in_the_user_name_is_refused_not_crashed(client: TestClient) -> None:
    assert_error(client.get(f"{API}/me", headers=basic("a\x00b@example.com", "secret1")), 403)


def test_logged_is_200_with_an_empty_body(client: TestClient, user: Person) -> None:
    r = client.get(f"{API}/me/logged", headers=user.auth)
    assert r.status_code == 200 and r.content == b""
    assert client.get(f"{API}/me/logged").status_code == 401
    assert client.get(f"{API}/me/logged", headers=basic(user.email, "nope")).status_code == 403


# --- failures limited per client address ---------------------------------------------------


@pytest.fixture
def strict_runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = load_settings(
        {},
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
def strict_client(strict_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(strict_runtime), raise_server_exceptions=False) as c:
        yield c


def test_failures_are_limited_per_address(
    strict_client: TestClient, strict_runtime: Runtime
) -> None:
    person = make_user(strict_runtime)
    for _ in range(3):
        assert strict_client.get(f"{API}/me", headers=basic(person.email, "bad")).status_code == 403
    blocked = strict_client.get(f"{API}/me", headers=basic(person.email, "bad"))
    message = assert_error(blocked, 429)
    assert "try again" in message.lower()
    assert int(blocked.headers["retry-after"]) >= 1
    # a password never used from this address is not even checked over the limit
    assert (
        strict_client.get(f"{API}/me", headers=basic(person.email, person.password)).status_code
        == 429
    )
    # another address is not affected
    other = TestClient(strict_client.app, client=("10.1.2.3", 5000))
    assert other.get(f"{API}/me", headers=basic(person.email, person.password)).status_code == 200


def test_successes_do_not_count(strict_client: TestClient, strict_runtime: Runtime) -> None:
    person = make_user(strict_runtime)
    for _ in range(6):
        assert strict_client.get(f"{API}/me/logged", headers=person.auth).status_code == 200
    for _ in range(3):
        assert strict_client.get(f"{API}/me", headers=basic(person.token, "x")).status_code == 403
    assert strict_client.get(f"{API}/me", headers=basic(person.token, "x")).status_code == 429


def test_missing_header_does_not_count(strict_client: TestClient, strict_runtime: Runtime) -> None:
    person = make_user(strict_runtime)
    for _ in range(5):
        assert strict_client.get(f"{API}/me").status_code == 401
    assert strict_client.get(f"{API}/me", headers=person.auth).status_code == 200


# --- the verified-password cache -----------------------------------------------------------


class CountingHasher:
    """Wraps the argon2 hasher and counts the slow verifications."""

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


def test_password_is_hashed_once_then_remembered(
    client: TestClient, user: Person, hasher: CountingHasher
) -> None:
    headers = basic(user.email, user.password)
    for _ in range(4):
        assert client.get(f"{API}/me/logged", headers=headers).status_code == 200
    assert hasher.verifications == 1


def test_wrong_password_is_never_remembered(
    client: TestClient, user: Person, hasher: CountingHasher
) -> None:
    assert (
        client.get(f"{API}/me/logged", headers=basic(user.email, user.password)).status_code == 200
    )
    for _ in range(2):
        r = client.get(f"{API}/me/logged", headers=basic(user.email, user.password + "x"))
        assert r.status_code == 403
    assert hasher.verifications == 3


def test_changed_password_invalidates_the_cache(
    client: TestClient, user: Person, hasher: CountingHasher
) -> None:
    old = basic(user.email, user.password)
    assert client.get(f"{API}/me/logged", headers=old).status_code == 200
    r = client.put(
        f"{API}/me",
        headers=old,
        json={"password": "a brand new secret", "current_password": user.password},
    )
    assert r.status_code == 200, r.text
    assert client.get(f"{API}/me/logged", headers=old).status_code == 403
    new = basic(user.email, "a brand new secret")
    assert client.get(f"{API}/me/logged", headers=new).status_code == 200
    before = hasher.verifications
    assert client.get(f"{API}/me/logged", headers=new).status_code == 200
    assert hasher.verifications == before


def test_cache_is_not_shared_between_users_with_the_same_password(
    client: TestClient, runtime: Runtime, hasher: CountingHasher
) -> None:
    first = make_user(runtime, password="same password")
    second = make_user(runtime, password="same password")
    assert client.get(f"{API}/me", headers=basic(first.email, "same password")).json()["id"] == (
        first.id
    )
    r = client.get(f"{API}/me", headers=basic(second.email, "same password"))
    assert r.json()["id"] == second.id
    assert hasher.verifications == 2
