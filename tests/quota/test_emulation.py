"""The service's emulation of Toggl's hourly quota and short-term rate limit."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, basic, free_port, make_user
from trackgate.app import create_app
from trackgate.config import Settings, load_settings
from trackgate.runtime import Runtime, build_runtime

REMAINING = "x-toggl-quota-remaining"
RESETS_IN = "x-toggl-quota-resets-in"


def _client(settings: Settings, **changes: Any) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = build_runtime(dataclasses.replace(settings, **changes))
    try:
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            yield client, runtime
    finally:
        runtime.close()


@pytest.fixture
def limited(settings: Settings) -> Iterator[tuple[TestClient, Runtime]]:
    yield from _client(settings, emulate_quota="4,3")


def test_the_user_bucket_counts_down_then_answers_402(
    limited: tuple[TestClient, Runtime],
) -> None:
    client, runtime = limited
    person = make_user(runtime)
    seen = []
    for _ in range(3):
        answer = client.get("/api/v9/me", headers=person.auth)
        assert answer.status_code == 200
        seen.append(int(answer.headers[REMAINING]))
        assert 0 < int(answer.headers[RESETS_IN]) <= 3600
    assert seen == [2, 1, 0]
    refused = client.get("/api/v9/me/time_entries", headers=person.auth)
    assert refused.status_code == 402
    assert refused.headers["content-type"] == "application/json; charset=utf-8"
    message = refused.json()
    assert isinstance(message, str) and "quota" in message
    assert refused.headers[REMAINING] == "0"
    assert 0 < int(refused.headers[RESETS_IN]) <= 3600


def test_workspace_requests_count_in_the_organization_bucket_apart(
    limited: tuple[TestClient, Runtime],
) -> None:
    client, runtime = limited
    person = make_user(runtime)
    for _ in range(3):
        assert client.get("/api/v9/me", headers=person.auth).status_code == 200
    assert client.get("/api/v9/me", headers=person.auth).status_code == 402
    wid = person.workspace_id
    remaining = []
    for _ in range(4):
        answer = client.get(f"/api/v9/workspaces/{wid}/projects", headers=person.auth)
        assert answer.status_code == 200
        remaining.append(int(answer.headers[REMAINING]))
    assert remaining == [3, 2, 1, 0]
    assert client.get(f"/api/v9/workspaces/{wid}/tags", headers=person.auth).status_code == 402


def test_each_user_has_their_own_buckets(limited: tuple[TestClient, Runtime]) -> None:
    client, runtime = limited
    first, second = make_user(runtime), make_user(runtime)
    for _ in range(3):
        client.get("/api/v9/me", headers=first.auth)
    assert client.get("/api/v9/me", headers=first.auth).status_code == 402
    assert client.get("/api/v9/me", headers=second.auth).headers[REMAINING] == "2"


def test_refused_credentials_are_not_counted(limited: tuple[TestClient, Runtime]) -> None:
    client, runtime = limited
    person = make_user(runtime)
    for _ in range(5):
        wrong = client.get("/api/v9/me", headers=basic("f" * 32, "api_token"))
        assert wrong.status_code == 403
        assert REMAINING not in wrong.headers
    assert client.get("/api/v9/me", headers=basic(person.email, "wrong")).status_code == 403
    by_password = client.get("/api/v9/me", headers=basic(person.email, person.password))
    assert by_password.headers[REMAINING] == "2"


def test_me_quota_shows_both_buckets_in_toggls_shape(
    limited: tuple[TestClient, Runtime],
) -> None:
    client, runtime = limited
    person = make_user(runtime)
    client.get("/api/v9/me", headers=person.auth)
    client.get(f"/api/v9/workspaces/{person.workspace_id}/clients", headers=person.auth)
    client.get(f"/api/v9/workspaces/{person.workspace_id}/clients", headers=person.auth)
    answer = client.get("/api/v9/me/quota", headers=person.auth)
    assert answer.status_code == 200
    assert REMAINING not in answer.headers  # asking what is left costs nothing
    user_bucket, org_bucket = answer.json()
    assert list(user_bucket) == ["organization_id", "remaining", "resets_in_secs", "total"]
    assert user_bucket["organization_id"] is None
    assert (user_bucket["remaining"], user_bucket["total"]) == (2, 3)
    me = client.get("/api/v9/me/workspaces", headers=person.auth).json()
    assert org_bucket["organization_id"] == me[0]["organization_id"]
    assert (org_bucket["remaining"], org_bucket["total"]) == (2, 4)
    assert 0 < org_bucket["resets_in_secs"] <= 3600


def test_without_emulation_nothing_is_counted(client: TestClient, user: Person) -> None:
    answer = client.get("/api/v9/me", headers=user.auth)
    assert answer.status_code == 200 and REMAINING not in answer.headers
    assert client.get("/api/v9/me/quota", headers=user.auth).json() == []


def test_the_short_term_rate_answers_429_with_retry_after(settings: Settings) -> None:
    for client, runtime in _client(settings, emulate_rate="2/minute"):
        person = make_user(runtime)
        assert client.get("/api/v9/me", headers=person.auth).status_code == 200
        assert client.get("/api/v9/me", headers=person.auth).status_code == 200
        refused = client.get("/api/v9/me", headers=person.auth)
        assert refused.status_code == 429
        assert isinstance(refused.json(), str)
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert REMAINING not in refused.headers  # no quota asked for


def test_replicas_share_the_count_through_redis(settings: Settings) -> None:
    shared = dataclasses.replace(settings, emulate_quota="3", redis_url="redis://127.0.0.1:6379/0")
    first = build_runtime(shared)
    second = build_runtime(shared)
    try:
        person = make_user(first, email=f"redis-{uuid.uuid4().hex[:8]}@example.com")
        with (
            TestClient(create_app(first)) as one,
            TestClient(create_app(second)) as two,
        ):
            seen = [
                int(c.get("/api/v9/me", headers=person.auth).headers[REMAINING])
                for c in (one, two, one)
            ]
            assert seen == [2, 1, 0]
            assert two.get("/api/v9/me", headers=person.auth).status_code == 402
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("value", ["0", "a", "1,2,3", "-5", "3,"])
def test_bad_quota_settings_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="TRACKGATE_EMULATE_QUOTA must be N or ORG,USER"):
        load_settings({"TRACKGATE_EMULATE_QUOTA": value})
    with pytest.raises(ValueError, match="--emulate-quota must be N or ORG,USER"):
        load_settings({}, emulate_quota=value)


def test_settings_read_the_environment() -> None:
    env = {"TRACKGATE_EMULATE_QUOTA": "30", "TRACKGATE_EMULATE_RATE": "1/second"}
    settings = load_settings(env)
    assert (settings.emulate_quota, settings.emulate_rate) == ("30", "1/second")
    with pytest.raises(ValueError, match="TRACKGATE_EMULATE_RATE must be a rate"):
        load_settings({"TRACKGATE_EMULATE_RATE": "often"})


def test_serve_refuses_a_malformed_quota_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKGATE_DATA_DIR": str(tmp_path / "data")}
    env.pop("TRACKGATE_TEST_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "trackgate", "serve", "--port", str(free_port())]
        + ["--emulate-quota", "lots"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "--emulate-quota must be" in done.stderr
