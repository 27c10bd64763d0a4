"""Pacing per connection: calls to the upstream wait their turn instead of failing.

A *generic cell rate* schedule: each call reserves the next slot, ``interval`` after the last
one; up to ``burst`` calls go at once, up to ``queue`` more wait for their slot, and a call that
would wait longer is refused (the caller answers 429 ``upstream_busy`` with ``Retry-After``).
One number per connection -- the time its schedule is booked until -- so the same arithmetic
runs in memory (one process) or in Redis (replicas sharing one pace).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio
import redis.exceptions
from limits import parse

log = logging.getLogger("trackgate.pacing")

#: Calls that may go at once before pacing starts, and calls that may wait for their turn.
DEFAULT_BURST = 2
DEFAULT_QUEUE = 10


@dataclass(frozen=True)
class Pace:
    interval: float
    burst: int = DEFAULT_BURST
    queue: int = DEFAULT_QUEUE


def parse_pace(text: str, *, burst: int = DEFAULT_BURST, queue: int = DEFAULT_QUEUE) -> Pace:
    """``"1/second"`` and the other spellings of the ``limits`` library."""
    item = parse(text)
    return Pace(interval=item.get_expiry() / item.amount, burst=burst, queue=queue)


class Busy(Exception):
    """The queue is full; try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Pacer(Protocol):
    async def reserve(self, key: str) -> float:
        """Book the next slot for ``key``: seconds to wait before calling. Raises Busy."""
        ...

    async def close(self) -> None: ...


def _book(pace: Pace, booked_until: float, now: float) -> tuple[float, float]:
    """(new booked-until, seconds to wait); raises Busy when the wait would exceed the queue."""
    booked = max(booked_until, now) + pace.interval
    wait = booked - now - pace.burst * pace.interval
    excess = wait - pace.queue * pace.interval
    if excess > 1e-9:
        raise Busy(max(1, math.ceil(excess)))
    return booked, max(0.0, wait)


class MemoryPacer:
    """Pacing within one process; nothing awaits between reading and booking, so no lock."""

    def __init__(self, pace: Pace, max_keys: int = 100_000) -> None:
        self.pace = pace
        self._booked: dict[str, float] = {}
        self._max_keys = max_keys

    async def reserve(self, key: str) -> float:
        now = time.monotonic()
        booked, wait = _book(self.pace, self._booked.get(key, now), now)
        if len(self._booked) >= self._max_keys:
            self._booked = {k: v for k, v in self._booked.items() if v > now}
        self._booked[key] = booked
        return wait

    async def close(self) -> None:
        return None


#: The same booking as :func:`_book`, atomic in Redis, on the server's clock.
_BOOK_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local queue = tonumber(ARGV[3])
local booked = tonumber(redis.call('GET', KEYS[1]) or '0')
if booked < now then booked = now end
booked = booked + interval
local wait = booked - now - burst * interval
local excess = wait - queue * interval
if excess > 1e-9 then
  return {0, tostring(excess)}
end
redis.call('SET', KEYS[1], tostring(booked), 'PX', math.ceil((booked - now) * 1000) + 1000)
if wait < 0 then wait = 0 end
return {1, tostring(wait)}
"""


class RedisPacer:
    """Pacing shared by every replica that uses the same Redis.

    If Redis cannot be reached the call goes unpaced (and a warning is logged): pacing
    protects the upstream's quota, and is not worth an outage of the gateway.
    """

    def __init__(self, pace: Pace, redis_url: str, prefix: str = "trackgate:pace:") -> None:
        self.pace = pace
        self.redis_url = redis_url
        self.prefix = prefix
        self._client: redis.asyncio.Redis | None = None

    def _redis(self) -> redis.asyncio.Redis:
        """Made on first use, so that it belongs to the running loop."""
        if self._client is None:
            self._client = redis.asyncio.Redis.from_url(
                self.redis_url, socket_connect_timeout=2, socket_timeout=2
            )
        return self._client

    async def reserve(self, key: str) -> float:
        p = self.pace
        try:
            ok, value = await self._redis().eval(
                _BOOK_SCRIPT, 1, self.prefix + key, p.interval, p.burst, p.queue
            )
        except (redis.exceptions.RedisError, OSError) as exc:
            log.warning("pacing skipped: Redis unavailable (%s)", type(exc).__name__)
            return 0.0
        seconds = float(value)
        if not int(ok):
            raise Busy(max(1, math.ceil(seconds)))
        return seconds

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def make_pacer(pacing: str | None, redis_url: str | None) -> Pacer | None:
    if not pacing:
        return None
    pace = parse_pace(pacing)
    return RedisPacer(pace, redis_url) if redis_url else MemoryPacer(pace)
