"""Toggl's request limits, emulated by the service when asked (``--emulate-quota``,
``--emulate-rate``), so clients and the gateway meet them offline.

Toggl counts each request in one of two sliding-hour buckets: per user per organization for
requests that name a workspace or organization (``/workspaces/{wid}/...``,
``/organizations/{oid}/...``, reports), per user for the rest (``/me...``). Every counted
answer says how much of its bucket is left in ``X-Toggl-Quota-Remaining`` and when a slot
frees in ``X-Toggl-Quota-Resets-In``; past the limit the answer is 402. A short-term rate limit
(a leaky bucket per user and address in Toggl) answers 429 with ``Retry-After``.

This module holds the rules (which bucket a request is charged to, what the counts say);
:mod:`trackgate.service.quota_middleware` applies them to requests.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from trackgate.config import Settings
from trackgate.setting_values import quota_sizes

REMAINING = "X-Toggl-Quota-Remaining"
RESETS_IN = "X-Toggl-Quota-Resets-In"

_WORKSPACE = re.compile(r"/workspaces?/(\d+)(?:/|$)")
_ORGANIZATION = re.compile(r"/organizations/(\d+)(?:/|$)")


@dataclass(frozen=True)
class Scope:
    """What a request names: a workspace, an organization, or neither (the user bucket)."""

    workspace_id: int | None = None
    organization_id: int | None = None


def scope_of(path: str) -> Scope:
    """The bucket a path is charged to, before workspaces are mapped to organizations."""
    if found := _ORGANIZATION.search(path):
        return Scope(organization_id=int(found.group(1)))
    if found := _WORKSPACE.search(path):
        return Scope(workspace_id=int(found.group(1)))
    return Scope()


@dataclass(frozen=True)
class Charge:
    """The outcome of counting one request against its bucket."""

    allowed: bool
    remaining: int
    resets_in: int

    def headers(self) -> dict[str, str]:
        return {REMAINING: str(self.remaining), RESETS_IN: str(self.resets_in)}


@dataclass(frozen=True)
class BucketState:
    """One bucket as ``GET /me/quota`` shows it."""

    organization_id: int | None
    remaining: int
    resets_in_secs: int
    total: int


def _storage(redis_url: str | None, namespace: str) -> Storage:
    if redis_url:
        storage = storage_from_string(
            "async+" + redis_url,
            implementation="redispy",
            wrap_exceptions=True,
            key_prefix=f"trackgate-quota-{namespace}",
        )
        assert isinstance(storage, Storage)
        return storage
    return MemoryStorage()


class QuotaEmulation:
    """The two hourly buckets and the short-term rate, counted in memory or in Redis."""

    def __init__(
        self,
        org_limit: int,
        user_limit: int,
        rate: str | None,
        redis_url: str | None,
        namespace: str = "",
    ) -> None:
        self.org_item: RateLimitItem = RateLimitItemPerHour(org_limit)
        self.user_item: RateLimitItem = RateLimitItemPerHour(user_limit)
        self.rate_item: RateLimitItem | None = parse(rate) if rate else None
        self.limiter = MovingWindowRateLimiter(_storage(redis_url, namespace))

    @classmethod
    def from_settings(cls, settings: Settings, namespace: str) -> QuotaEmulation | None:
        """None when neither limit is asked for. ``namespace`` keeps the counts of services
        with different databases apart when they share one Redis (user ids repeat)."""
        if settings.emulate_quota is None and settings.emulate_rate is None:
            return None
        org, user = quota_sizes(settings.emulate_quota) if settings.emulate_quota else (0, 0)
        return cls(org, user, settings.emulate_rate, settings.redis_url, namespace)

    @property
    def counts_quota(self) -> bool:
        return self.user_item.amount > 0

    def _bucket(self, user_id: int, organization_id: int | None) -> tuple[RateLimitItem, str]:
        if organization_id is None:
            return self.user_item, f"user:{user_id}"
        return self.org_item, f"org:{organization_id}:user:{user_id}"

    async def rate_retry_after(self, user_id: int, client: str) -> int | None:
        """Seconds to wait when the short-term rate is exceeded; None when the call may go."""
        if self.rate_item is None:
            return None
        if await self.limiter.hit(self.rate_item, "toggl-rate", str(user_id), client):
            return None
        reset, _ = await self.limiter.get_window_stats(
            self.rate_item, "toggl-rate", str(user_id), client
        )
        return max(1, math.ceil(reset - time.time()))

    async def charge(self, user_id: int, organization_id: int | None) -> Charge:
        """Count one request; a refused one is not counted (the slot stays free)."""
        item, key = self._bucket(user_id, organization_id)
        allowed = await self.limiter.hit(item, "toggl-quota", key)
        reset, remaining = await self.limiter.get_window_stats(item, "toggl-quota", key)
        return Charge(allowed, max(0, remaining), max(0, math.ceil(reset - time.time())))

    async def state(self, user_id: int, organization_id: int | None) -> BucketState:
        item, key = self._bucket(user_id, organization_id)
        reset, remaining = await self.limiter.get_window_stats(item, "toggl-quota", key)
        resets_in = max(0, math.ceil(reset - time.time()))
        return BucketState(organization_id, remaining, resets_in, item.amount)


def spent_message(resets_in: int) -> str:
    """The 402 body: Toggl sends a JSON string; no real one is recorded, so ours says what and
    when."""
    return (
        "You have used up your hourly quota of API requests; "
        f"it frees a request in {resets_in} seconds"
    )
