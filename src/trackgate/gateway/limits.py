"""The gateway's own limits: the per-account rate limit, each key's budget of upstream
requests, pacing per connection, and the retry policy for an upstream 429. (The quota shield,
which answers reads from a mirror, is the ``trackgate.shield`` package.)

The rate limit and the budgets use the sliding window counter of the ``limits`` library
(constant time and memory per account or key, whatever the limit): in memory for one process
(the same algorithm in a plain dictionary, see :class:`MemorySlidingWindow`), in Redis when
``TRACKGATE_REDIS_URL`` is set, so that replicas share one count. If Redis fails, calls are let
through with a warning rather than refused.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter as AsyncSlidingWindow
from limits.errors import StorageError
from limits.storage import storage_from_string

from trackgate.config import Settings
from trackgate.gateway.errors import GatewayError, too_many
from trackgate.gateway.pacing import Busy, Pacer, make_pacer
from trackgate.ratelimit import MemorySlidingWindow

if TYPE_CHECKING:
    from trackgate.metrics import Metrics

log = logging.getLogger("trackgate.limits")

#: Methods whose repetition is harmless; only these are retried after an upstream 429.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_TRIES = 3
#: Seconds a call may spend waiting between retries, in all; a longer wait is the caller's.
RETRY_BUDGET = 4.0


def _shared_window(redis_url: str | None) -> AsyncSlidingWindow | None:
    """The sliding window every replica counts in, when there is Redis to share."""
    if not redis_url:
        return None
    storage = storage_from_string(
        "async+" + redis_url, implementation="redispy", wrap_exceptions=True
    )
    return AsyncSlidingWindow(storage)


class AccountLimit:
    """At most ``limit`` calls per account; over it, 429 ``rate_limited`` with Retry-After."""

    def __init__(self, limit: str, redis_url: str | None) -> None:
        self.item: RateLimitItem = parse(limit)
        self._redis = _shared_window(redis_url)
        self._memory = None if self._redis else MemorySlidingWindow(self.item)

    async def _hit(self, account_id: str) -> tuple[bool, float]:
        """(allowed, epoch seconds when the window frees a slot)."""
        if self._memory is not None:
            if self._memory.hit(account_id):
                return True, 0.0
            return False, self._memory.reset_at(account_id)
        assert self._redis is not None
        try:
            if await self._redis.hit(self.item, "account", account_id):
                return True, 0.0
            stats = await self._redis.get_window_stats(self.item, "account", account_id)
            return False, float(stats[0])
        except StorageError as exc:
            cause = type(exc.storage_error).__name__
            log.warning("rate limit skipped: Redis unavailable (%s)", cause)
            return True, 0.0

    def check_local(self, account_id: str) -> bool:
        """Count the call in memory without awaiting (429 over the limit); False when the
        count is kept in Redis, for :meth:`check` to do."""
        memory = self._memory
        if memory is None:
            return False
        if not memory.hit(account_id):
            retry_after = max(1, math.ceil(memory.reset_at(account_id) - time.time()))
            raise too_many("rate_limited", "Too many requests for this account", retry_after)
        return True

    async def check(self, account_id: str) -> None:
        allowed, reset = await self._hit(account_id)
        if not allowed:
            retry_after = max(1, math.ceil(reset - time.time()))
            raise too_many("rate_limited", "Too many requests for this account", retry_after)


#: A key's budget counts upstream requests over a sliding hour.
BUDGET_PERIOD = "hour"


def budget_exhausted(retry_after: int) -> GatewayError:
    return too_many(
        "budget_exhausted",
        "This key has spent its budget of upstream requests for the hour; reads the quota "
        "shield can answer still work",
        retry_after,
    )


class KeyBudgets:
    """Upstream requests per key over a sliding hour, each key against its own budget."""

    def __init__(self, redis_url: str | None) -> None:
        self._items: dict[int, RateLimitItem] = {}
        self._redis = _shared_window(redis_url)
        self._memory = None if self._redis else MemorySlidingWindow(self._item(1))

    def _item(self, budget: int) -> RateLimitItem:
        item = self._items.get(budget)
        if item is None:
            item = self._items[budget] = parse(f"{budget}/{BUDGET_PERIOD}")
        return item

    async def spend(self, key_id: str, budget: int) -> None:
        """Count one upstream request of the key; 429 ``budget_exhausted`` past its budget."""
        memory = self._memory
        if memory is not None:
            if memory.hit(key_id, budget):
                return
            reset = memory.reset_at(key_id, budget)
        else:
            assert self._redis is not None
            item = self._item(budget)
            try:
                if await self._redis.hit(item, "budget", key_id):
                    return
                reset = float((await self._redis.get_window_stats(item, "budget", key_id))[0])
            except StorageError as exc:
                cause = type(exc.storage_error).__name__
                log.warning("budget skipped: Redis unavailable (%s)", cause)
                return
        raise budget_exhausted(max(1, math.ceil(reset - time.time())))

    async def spent(self, key_id: str, budget: int) -> int | None:
        """The key's upstream requests in the sliding hour (None if Redis cannot say)."""
        if self._memory is not None:
            return min(budget, math.ceil(self._memory.count(key_id) - 1e-9))
        assert self._redis is not None
        try:
            stats = await self._redis.get_window_stats(self._item(budget), "budget", key_id)
        except StorageError as exc:
            log.warning("budget unknown: Redis unavailable (%s)", type(exc.storage_error).__name__)
            return None
        return max(0, budget - int(stats[1]))


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if absent."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff(attempt: int) -> float:
    """Exponential with jitter: about 0.25 s, 0.5 s, 1 s ..."""
    base: float = min(2.0, 0.25 * 2**attempt)
    return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret


def retry_delay(method: str, attempt: int, retry_after: str | None, waited: float) -> float | None:
    """How long to wait before trying an upstream 429 again, or None to pass it through."""
    if method not in IDEMPOTENT or attempt + 1 >= MAX_TRIES:
        return None
    asked = retry_after_seconds(retry_after)
    delay = backoff(attempt) if asked is None else asked
    return delay if waited + delay <= RETRY_BUDGET else None


class GatewayLimits:
    """The limits one gateway process applies, built from the settings; what they do is
    counted in ``metrics`` when given."""

    def __init__(self, settings: Settings, metrics: Metrics | None = None) -> None:
        self.limit = AccountLimit(settings.rate_limit, settings.redis_url)
        self.budgets = KeyBudgets(settings.redis_url)
        self.pacer: Pacer | None = make_pacer(settings.pacing, settings.redis_url)
        self.metrics = metrics

    def admit_local(self, account_id: str) -> bool:
        """:meth:`admit` with no await when the count is in memory; False when it is in Redis
        (then :meth:`admit` does it)."""
        try:
            return self.limit.check_local(account_id)
        except GatewayError:
            if self.metrics is not None:
                self.metrics.refused("rate_limited")
            raise

    async def admit(self, account_id: str) -> None:
        try:
            await self.limit.check(account_id)
        except GatewayError:
            if self.metrics is not None:
                self.metrics.refused("rate_limited")
            raise

    async def spend(self, key_id: str, budget: int) -> None:
        """Count one upstream request against the key's budget (429 past it)."""
        try:
            await self.budgets.spend(key_id, budget)
        except GatewayError:
            if self.metrics is not None:
                self.metrics.refused("budget_exhausted")
            raise

    def retry_delay(
        self, method: str, attempt: int, retry_after: str | None, waited: float
    ) -> float | None:
        """:func:`retry_delay`, counting the retries it allows."""
        delay = retry_delay(method, attempt, retry_after, waited)
        if delay is not None and self.metrics is not None:
            self.metrics.upstream_retries.inc()
        return delay

    async def pace(self, connection_id: str) -> None:
        """Wait for the connection's turn; 429 ``upstream_busy`` if its queue is full."""
        if self.pacer is None:
            return
        try:
            wait = await self.pacer.reserve(connection_id)
        except Busy as exc:
            if self.metrics is not None:
                self.metrics.refused("upstream_busy")
            raise too_many(
                "upstream_busy",
                "Too many calls are waiting for this connection's upstream; try again later",
                exc.retry_after,
            ) from exc
        if wait <= 0:
            return
        if self.metrics is None:
            await asyncio.sleep(wait)
            return
        self.metrics.pacing_waiting.inc()
        try:
            await asyncio.sleep(wait)
        finally:
            self.metrics.pacing_waiting.dec()

    async def close(self) -> None:
        if self.pacer is not None:
            await self.pacer.close()
