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
        self._background: set[asyncio.Task[None]] = set()

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

    def refresh(
        self,
        key: Hashable,
        load: Callable[[], T],
        keep: Callable[[T], None],
        drop: Callable[[Exception], None],
    ) -> None:
        """``load()`` in the background, unless a load for ``key`` is running: ``keep`` gets
        its result, ``drop`` its exception. Callers go on with what they hold meanwhile, so a
        hot entry is renewed before it expires and no call waits for its reload."""
        if key in self._flights:
            return

        async def reload() -> None:
            try:
                result = await self.run(key, load)
            except Exception as exc:  # noqa: BLE001 - handed to drop
                drop(exc)
                return
            keep(result)

        task = asyncio.get_running_loop().create_task(reload())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
