"""Rate limits on top of the ``limits`` library: in memory, or in Redis for many replicas."""

from __future__ import annotations

import logging
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("trackgate.ratelimit")


def make_storage(redis_url: str | None) -> Storage:
    if redis_url:
        storage = storage_from_string(redis_url)
        assert isinstance(storage, Storage)
        return storage
    return MemoryStorage()


class FailureGuard:
    """Counts failed authentications per client address, so secrets cannot be guessed at speed.

    ``blocked`` is asked before checking a credential; ``failed`` is told after a wrong one.
    When the shared storage (Redis) is down the guard lets checks through and says so in the
    log: a credential is still verified, so an outage costs the limit, never a 500.
    """

    def __init__(self, storage: Storage, limit: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._item: RateLimitItem = parse(limit)

    def blocked(self, client: str) -> bool:
        try:
            return not self._limiter.test(self._item, "authfail", client)
        except Exception as exc:  # noqa: BLE001 - any storage failure
            log.warning("failure limit storage unavailable: %s", exc.__class__.__name__)
            return False

    def failed(self, client: str) -> None:
        try:
            self._limiter.hit(self._item, "authfail", client)
        except Exception as exc:  # noqa: BLE001 - any storage failure
            log.warning("failure limit storage unavailable: %s", exc.__class__.__name__)

    def retry_after(self, client: str) -> int:
        try:
            reset, _remaining = self._limiter.get_window_stats(self._item, "authfail", client)
        except Exception:  # noqa: BLE001 - any storage failure
            return 60
        return max(1, int(reset - time.time()) + 1)
