"""One load at a time per key: callers that miss a cache together share the first one's
result instead of each running the same database look-up (a burst of identical loads
whenever a cached entry expires under load)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Future[T]] = {}

    async def run(self, key: Hashable, load: Callable[[], T]) -> T:
        """``load()`` in a worker thread, or the result of the one already running for
        ``key``; its exception, if it raises, is every waiter's."""
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        try:
            result = await run_in_threadpool(load)
        except BaseException as exc:
            if not flight.done():
                flight.set_exception(exc)
                flight.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            flight.set_result(result)
            return result
        finally:
            del self._flights[key]
