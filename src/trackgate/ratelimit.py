"""Rate limits on top of the ``limits`` library: in memory, or in Redis for many replicas."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


def make_storage(redis_url: str | None) -> Storage:
    if redis_url:
        storage = storage_from_string(redis_url)
        assert isinstance(storage, Storage)
        return storage
    return MemoryStorage()


class FailureGuard:
    """Counts failed authentications per client address, so secrets cannot be guessed at speed.

    ``blocked`` is asked before checking a credential; ``failed`` is told after a wrong one.
    """

    def __init__(self, storage: Storage, limit: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._item: RateLimitItem = parse(limit)

    def blocked(self, client: str) -> bool:
        return not self._limiter.test(self._item, "authfail", client)

    def failed(self, client: str) -> None:
        self._limiter.hit(self._item, "authfail", client)

    def retry_after(self, client: str) -> int:
        reset, _remaining = self._limiter.get_window_stats(self._item, "authfail", client)
        return max(1, int(reset - time.time()) + 1)
