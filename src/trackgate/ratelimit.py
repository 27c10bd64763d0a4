"""Rate limits on top of the ``limits`` library: in memory, or in Redis for many replicas."""

from __future__ import annotations

import hashlib
import logging
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.ratelimit")


def make_storage(redis_url: str | None) -> Storage:
    if redis_url:
        storage = storage_from_string(redis_url)
        assert isinstance(storage, Storage)
        return storage
    return MemoryStorage()


#: How long a successful email:password login keeps its (address, email) pair trusted.
REMEMBER_SECONDS = 24 * 3600
REMEMBER_REFRESH_SECONDS = 3600.0


def _pair_key(client: str, name: str) -> str:
    pair = f"{client}\0{name.casefold()}".encode()
    return "authok/" + hashlib.sha256(pair).hexdigest()


class FailureGuard:
    """Counts failed authentications per client address, so secrets cannot be guessed at speed.

    ``blocked`` is asked before checking a credential; ``failed`` is told after a wrong one.
    A blocked address is not locked out: cheap credentials (keys, API tokens) are still
    checked, and so is a password for an email that logged in from that address lately
    (``remember`` / ``remembered``), so one guesser cannot shut out everyone behind a proxy.
    When the shared storage (Redis) is down the guard lets checks through and says so in the
    log: a credential is still verified, so an outage costs the limit, never a 500.
    """

    def __init__(self, storage: Storage, limit: str) -> None:
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._item: RateLimitItem = parse(limit)
        #: pairs written to the storage lately, so a busy login does not write on every call
        self._noted: TtlCache[str, bool] = TtlCache(REMEMBER_REFRESH_SECONDS)

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

    def remember(self, client: str, name: str) -> None:
        """``name`` logged in with its password from ``client``: trust the pair for a day."""
        key = _pair_key(client, name)
        if self._noted.get(key):
            return
        try:
            self._storage.clear(key)
            self._storage.incr(key, REMEMBER_SECONDS)
        except Exception as exc:  # noqa: BLE001 - any storage failure
            log.warning("failure limit storage unavailable: %s", exc.__class__.__name__)
            return
        self._noted.put(key, True)

    def remembered(self, client: str, name: str) -> bool:
        try:
            return self._storage.get(_pair_key(client, name)) > 0
        except Exception as exc:  # noqa: BLE001 - any storage failure
            log.warning("failure limit storage unavailable: %s", exc.__class__.__name__)
            return False


class MemorySlidingWindow:
    """The sliding window counter of ``limits`` for one process, without its storage layer:
    the previous window's count, weighted by how much of it still overlaps, plus the current
    one. A dictionary look-up per call, where the library's generic storage costs tens of
    microseconds on the proxy's hot path. Used from the event loop only. A call may give its
    own ``limit`` (per key budgets share one window length, each with its own amount)."""

    def __init__(self, item: RateLimitItem) -> None:
        self.limit = item.amount
        self.period = float(item.get_expiry())
        #: key -> (start of the current window, its count, the previous window's count)
        self._windows: dict[str, tuple[float, int, int]] = {}

    def _current(self, key: str, now: float) -> tuple[float, int, int]:
        start = now - now % self.period
        window = self._windows.get(key)
        if window is None or window[0] < start - self.period:
            return start, 0, 0
        if window[0] < start:
            return start, 0, window[1]
        return window

    def _weighted(self, window: tuple[float, int, int], now: float) -> float:
        start, count, previous = window
        return previous * (1 - (now - start) / self.period) + count

    def hit(self, key: str, limit: int | None = None) -> bool:
        now = time.time()
        window = self._current(key, now)
        if self._weighted(window, now) + 1 > (self.limit if limit is None else limit):
            self._windows[key] = window
            return False
        self._windows[key] = (window[0], window[1] + 1, window[2])
        if len(self._windows) > 100_000:
            self._forget_before(now - 2 * self.period)
        return True

    def count(self, key: str) -> float:
        """The calls counted against ``key`` now (the previous window's, weighted)."""
        now = time.time()
        return self._weighted(self._current(key, now), now)

    def reset_at(self, key: str, limit: int | None = None) -> float:
        """Epoch seconds when a call would be allowed again."""
        amount = self.limit if limit is None else limit
        now = time.time()
        start, count, previous = self._current(key, now)
        if count + 1 > amount or previous == 0:
            return start + self.period
        # The previous window's weight falls linearly to zero over this window.
        needed = 1 - (amount - 1 - count) / previous
        return start + max(0.0, needed) * self.period

    def _forget_before(self, cutoff: float) -> None:
        self._windows = {k: w for k, w in self._windows.items() if w[0] >= cutoff}
