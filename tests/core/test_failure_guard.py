"""The failed-authentication guard: per address, and never a 500 when Redis is away."""

from __future__ import annotations

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
