"""The gateway's own limits: per-account rate limit (memory and Redis; an account's keys share
it), pacing per connection with a bounded queue (whichever key calls), and the retry policy for
an upstream 429."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_user
from tests.proxy.conftest import Remote
from tests.proxy.helpers import (
    FakeUpstream,
    another_key,
    assert_gateway_error,
    make_account,
    make_connection,
)
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.gateway import limits
from trackgate.gateway.errors import GatewayError
from trackgate.gateway.pacing import Busy, MemoryPacer, Pace, RedisPacer, parse_pace
from trackgate.gateway.proxy import proxy_endpoint
from trackgate.runtime import build_runtime

REDIS_URL = "redis://127.0.0.1:6379"
ME = "/toggl-track/api/v9/me"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


#: Skipped on a developer's machine without Redis; in CI (which starts it) never skipped.
needs_redis = pytest.mark.skipif(
    not os.environ.get("CI") and not redis_reachable(), reason="Redis is not reachable"
)


def _gateway(settings: Settings, **overrides: Any) -> Any:
    runtime = build_runtime(settings.with_overrides(**overrides))
    return runtime, create_app(runtime)


# --- the per-account rate limit -------------------------------------------------------------


def _rate_limit_holds(settings: Settings, **overrides: Any) -> None:
    runtime, app = _gateway(settings, rate_limit="3/minute", **overrides)
    try:
        user = make_user(runtime)
        account, other = make_account(runtime), make_account(runtime)
        make_connection(runtime, account.account_id, user.token)
        make_connection(runtime, other.account_id, user.token)
        with TestClient(app) as client:
            assert [client.get(ME, headers=account.bearer).status_code for _ in range(3)] == [
                200
            ] * 3
            r = client.get(ME, headers=account.bearer)
            assert_gateway_error(r, 429, "rate_limited")
            assert 1 <= int(r.headers["retry-after"]) <= 60
            # another account has its own budget
            assert client.get(ME, headers=other.bearer).status_code == 200
    finally:
        runtime.close()


def test_rate_limit_per_account_in_memory(settings: Settings):
    _rate_limit_holds(settings)


@needs_redis
def test_rate_limit_per_account_in_redis(settings: Settings):
    _rate_limit_holds(settings, redis_url=REDIS_URL)


@needs_redis
def test_rate_limit_in_redis_is_shared_by_replicas(settings: Settings):
    first_rt, first = _gateway(settings, rate_limit="2/minute", redis_url=REDIS_URL)
    second_rt, second = _gateway(settings, rate_limit="2/minute", redis_url=REDIS_URL)
    try:
        user = make_user(first_rt)
        account = make_account(first_rt)
        make_connection(first_rt, account.account_id, user.token)
        with TestClient(first) as a, TestClient(second) as b:
            assert a.get(ME, headers=account.bearer).status_code == 200
            assert b.get(ME, headers=account.bearer).status_code == 200
            assert_gateway_error(a.get(ME, headers=account.bearer), 429, "rate_limited")
            assert_gateway_error(b.get(ME, headers=account.bearer), 429, "rate_limited")
    finally:
        first_rt.close()
        second_rt.close()


def _two_keys_share_the_account_limit(settings: Settings, **overrides: Any) -> None:
    """An account holding two keys, called with each in turn, is refused at the account's
    limit (4), not at twice it; a key counts the same whether sent as Bearer or Basic."""
    runtime, app = _gateway(settings, rate_limit="4/minute", **overrides)
    try:
        user = make_user(runtime)
        account = make_account(runtime)
        second = another_key(runtime, account)
        make_connection(runtime, account.account_id, user.token)
        keys = [account.bearer, second.bearer, account.basic, second.basic]
        with TestClient(app) as client:
            assert [client.get(ME, headers=h).status_code for h in keys] == [200] * 4
            for headers in (account.bearer, second.bearer, second.basic):
                assert_gateway_error(client.get(ME, headers=headers), 429, "rate_limited")
    finally:
        runtime.close()


def test_two_keys_of_one_account_share_its_rate_limit_in_memory(settings: Settings):
    _two_keys_share_the_account_limit(settings)


@needs_redis
def test_two_keys_of_one_account_share_its_rate_limit_in_redis(settings: Settings):
    _two_keys_share_the_account_limit(settings, redis_url=REDIS_URL)


@needs_redis
def test_two_keys_on_two_replicas_share_the_accounts_count(settings: Settings):
    first_rt, first = _gateway(settings, rate_limit="2/minute", redis_url=REDIS_URL)
    second_rt, second = _gateway(settings, rate_limit="2/minute", redis_url=REDIS_URL)
    try:
        user = make_user(first_rt)
        account = make_account(first_rt)
        other_key = another_key(first_rt, account)
        make_connection(first_rt, account.account_id, user.token)
        with TestClient(first) as a, TestClient(second) as b:
            assert a.get(ME, headers=account.bearer).status_code == 200
            assert b.get(ME, headers=other_key.bearer).status_code == 200
            assert_gateway_error(a.get(ME, headers=other_key.bearer), 429, "rate_limited")
            assert_gateway_error(b.get(ME, headers=account.bearer), 429, "rate_limited")
    finally:
        first_rt.close()
        second_rt.close()


# --- pacing ---------------------------------------------------------------------------------


def test_with_pacing_a_burst_waits_instead_of_failing(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url, upstream_pacing="2/second")
    started = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        answers = list(
            pool.map(
                lambda i: gw.client.get(f"/toggl-track/echo/{i}", headers=gw.headers), range(5)
            )
        )
    assert [r.status_code for r in answers] == [200] * 5
    assert sorted(upstream.paths()) == [f"/echo/{i}" for i in range(5)]
    # five calls at 2/s with a burst of 2: the last one waited for its turn (about 1.5 s)
    assert time.monotonic() - started >= 1.0


def test_a_full_pacing_queue_answers_upstream_busy(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url, upstream_pacing="2/second")
    endpoint = proxy_endpoint(gw.app)
    assert endpoint is not None
    endpoint.limits.pacer = MemoryPacer(Pace(interval=30.0, burst=1, queue=0))
    assert gw.client.get("/toggl-track/echo", headers=gw.headers).status_code == 200
    r = gw.client.get("/toggl-track/echo", headers=gw.headers)
    assert_gateway_error(r, 429, "upstream_busy")
    assert 1 <= int(r.headers["retry-after"]) <= 30
    assert upstream.paths() == ["/echo"]


def test_two_keys_of_one_account_wait_in_one_pacing_queue(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    endpoint = proxy_endpoint(gw.app)
    assert endpoint is not None
    endpoint.limits.pacer = MemoryPacer(Pace(interval=30.0, burst=1, queue=0))
    second = another_key(gw.runtime, gw.account)
    assert gw.client.get("/toggl-track/echo", headers=gw.headers).status_code == 200
    r = gw.client.get("/toggl-track/echo", headers=second.bearer)
    assert_gateway_error(r, 429, "upstream_busy")  # the connection's queue, whichever key
    assert upstream.paths() == ["/echo"]


def test_pacing_is_per_connection(remote_gateway: Callable[..., Remote], upstream: FakeUpstream):
    gw = remote_gateway(upstream.url)
    endpoint = proxy_endpoint(gw.app)
    assert endpoint is not None
    endpoint.limits.pacer = MemoryPacer(Pace(interval=30.0, burst=1, queue=0))
    second = make_connection(gw.runtime, gw.account.account_id, "tok-second")
    assert gw.client.get("/toggl-track/echo", headers=gw.headers).status_code == 200
    other = gw.client.get("/toggl-track/echo", headers={**gw.headers, "Maton-Connection": second})
    assert other.status_code == 200


def test_pacing_defaults():
    assert Settings(upstream_url="https://api.track.toggl.com").pacing == "1/second"
    assert Settings().pacing is None
    pace = parse_pace("2/second")
    assert pace.interval == 0.5 and pace.burst >= 1 and pace.queue >= 1


async def test_memory_pacer_books_burst_then_queue_then_refuses():
    pacer = MemoryPacer(Pace(interval=10.0, burst=2, queue=2))
    waits = [await pacer.reserve("c") for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]
    assert 9.0 < waits[2] <= 10.0 and 19.0 < waits[3] <= 20.0
    with pytest.raises(Busy) as busy:
        await pacer.reserve("c")
    assert 1 <= busy.value.retry_after <= 10
    assert await pacer.reserve("another connection") == 0.0


@needs_redis
async def test_redis_pacer_books_like_the_memory_one():
    pacer = RedisPacer(Pace(interval=10.0, burst=1, queue=1), REDIS_URL)
    key = f"test-{uuid.uuid4()}"
    try:
        assert await pacer.reserve(key) == 0.0
        assert 9.0 < await pacer.reserve(key) <= 10.0
        with pytest.raises(Busy):
            await pacer.reserve(key)
    finally:
        await pacer.close()


async def test_redis_pacer_lets_calls_through_when_redis_is_down():
    pacer = RedisPacer(Pace(interval=10.0, burst=1, queue=0), "redis://127.0.0.1:1")
    try:
        assert [await pacer.reserve("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    finally:
        await pacer.close()


# --- retry policy ---------------------------------------------------------------------------


def test_retry_after_is_read_as_seconds_or_a_date():
    assert limits.retry_after_seconds("3") == 3.0
    assert limits.retry_after_seconds(None) is None
    assert limits.retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (limits.retry_after_seconds(later) or 0) <= 31


def test_retry_policy():
    assert limits.retry_delay("GET", 0, "1", 0.0) == 1.0
    assert limits.retry_delay("POST", 0, "0", 0.0) is None
    assert limits.retry_delay("PATCH", 0, "0", 0.0) is None
    assert limits.retry_delay("GET", limits.MAX_TRIES - 1, "0", 0.0) is None
    assert limits.retry_delay("GET", 0, "3600", 0.0) is None  # beyond the budget
    assert limits.retry_delay("GET", 1, "2", limits.RETRY_BUDGET - 1) is None
    backoff = limits.retry_delay("DELETE", 0, None, 0.0)
    assert backoff is not None and 0 < backoff <= 1


async def test_the_rate_limit_lets_calls_through_when_redis_is_down():
    limit = limits.AccountLimit("1/minute", "redis://127.0.0.1:1")
    for _ in range(3):
        await limit.check("account")  # no 429, no crash
    memory = limits.AccountLimit("1/minute", None)
    await memory.check("account")
    with pytest.raises(GatewayError) as caught:
        await memory.check("account")
    assert caught.value.code == "rate_limited"


# --- each key's budget of upstream requests ----------------------------------------------------


async def _budget_holds(first: limits.KeyBudgets, second: limits.KeyBudgets) -> None:
    """Three requests an hour for one key, spent alternately through ``first`` and
    ``second`` (one process, or two replicas sharing Redis)."""
    key = "key_" + uuid.uuid4().hex[:12]
    for budgets in (first, second, first):
        await budgets.spend(key, 3)
    with pytest.raises(GatewayError) as caught:
        await second.spend(key, 3)
    assert caught.value.status == 429 and caught.value.code == "budget_exhausted"
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 3600
    assert await first.spent(key, 3) == 3 and await second.spent(key, 3) == 3
    other = "key_" + uuid.uuid4().hex[:12]
    await first.spend(other, 3)  # another key has its own count
    assert await second.spent(other, 3) == 1


async def test_a_keys_budget_in_memory() -> None:
    budgets = limits.KeyBudgets(None)
    await _budget_holds(budgets, budgets)


@needs_redis
async def test_a_keys_budget_in_redis_is_shared_by_replicas() -> None:
    await _budget_holds(limits.KeyBudgets(REDIS_URL), limits.KeyBudgets(REDIS_URL))


async def test_budgets_let_calls_through_when_redis_is_down() -> None:
    budgets = limits.KeyBudgets("redis://127.0.0.1:1")
    for _ in range(3):
        await budgets.spend("key", 1)  # no 429, no crash
    assert await budgets.spent("key", 1) is None
