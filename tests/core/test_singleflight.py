"""Loads shared by callers that miss a cache at the same moment."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from trackgate.singleflight import SingleFlight


def test_concurrent_misses_share_one_load():
    calls: list[int] = []
    lock = threading.Lock()

    def load() -> str:
        with lock:
            calls.append(1)
        time.sleep(0.2)
        return "value"

    async def main() -> list[str]:
        flights: SingleFlight[str] = SingleFlight()
        return await asyncio.gather(*(flights.run("k", load) for _ in range(20)))

    assert asyncio.run(main()) == ["value"] * 20
    assert len(calls) == 1


def test_different_keys_load_separately_and_a_later_miss_loads_again():
    seen: list[str] = []

    async def main() -> None:
        flights: SingleFlight[str] = SingleFlight()
        await asyncio.gather(
            flights.run("a", lambda: seen.append("a") or "a"),
            flights.run("b", lambda: seen.append("b") or "b"),
        )
        await flights.run("a", lambda: seen.append("a") or "a")

    asyncio.run(main())
    assert sorted(seen) == ["a", "a", "b"]


def test_a_failed_load_fails_every_waiter_and_is_not_kept():
    def broken() -> str:
        time.sleep(0.1)
        raise LookupError("no such key")

    async def main() -> None:
        flights: SingleFlight[str] = SingleFlight()
        results = await asyncio.gather(
            *(flights.run("k", broken) for _ in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, LookupError) for r in results)
        assert await flights.run("k", lambda: "fresh") == "fresh"

    asyncio.run(main())


@pytest.mark.parametrize("waiters", [1, 8])
def test_the_result_is_the_loaders(waiters: int):
    async def main() -> list[int]:
        flights: SingleFlight[int] = SingleFlight()
        return await asyncio.gather(*(flights.run("k", lambda: 42) for _ in range(waiters)))

    assert asyncio.run(main()) == [42] * waiters
