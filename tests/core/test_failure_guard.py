"""The failed-authentication guard: per address, and never a 500 when Redis is away."""

from __future__ import annotations

import pytest
from limits.storage import MemoryStorage, storage_from_string

from trackgate.ratelimit import FailureGuard


def test_guard_blocks_an_address_after_its_failures_only() -> None:
    guard = FailureGuard(MemoryStorage(), "2/minute")
    guard.failed("10.0.0.1")
    assert not guard.blocked("10.0.0.1")
    guard.failed("10.0.0.1")
    assert guard.blocked("10.0.0.1")
    assert not guard.blocked("10.0.0.2")
    assert 1 <= guard.retry_after("10.0.0.1") <= 61


def test_guard_lets_checks_through_when_its_storage_is_down() -> None:
    # nothing listens on port 1: every storage call fails at once
    guard = FailureGuard(storage_from_string("redis://127.0.0.1:1/0"), "1/minute")
    guard.failed("10.0.0.1")
    assert guard.blocked("10.0.0.1") is False
    assert guard.retry_after("10.0.0.1") == 60


def test_a_remembered_login_is_per_address_and_email() -> None:
    guard = FailureGuard(MemoryStorage(), "2/minute")
    guard.remember("10.0.0.1", "Jane@Example.com")
    assert guard.remembered("10.0.0.1", "jane@example.com")
    assert not guard.remembered("10.0.0.2", "jane@example.com")
    assert not guard.remembered("10.0.0.1", "john@example.com")


def test_replicas_share_remembered_logins_through_redis() -> None:
    import socket
    import uuid

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("Redis is not reachable")
    address = f"10.{uuid.uuid4().int % 250}.0.1"
    email = f"{uuid.uuid4().hex}@example.com"
    one = FailureGuard(storage_from_string("redis://127.0.0.1:6379"), "2/minute")
    other = FailureGuard(storage_from_string("redis://127.0.0.1:6379"), "2/minute")
    assert not other.remembered(address, email)
    one.remember(address, email)
    assert other.remembered(address, email)


def test_remembering_fails_closed_when_its_storage_is_down() -> None:
    guard = FailureGuard(storage_from_string("redis://127.0.0.1:1/0"), "1/minute")
    guard.remember("10.0.0.1", "jane@example.com")  # logged, not raised
    assert guard.remembered("10.0.0.1", "jane@example.com") is False
