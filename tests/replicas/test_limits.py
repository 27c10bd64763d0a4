"""The gateway's limits hold across replicas, through Redis: the per-account rate limit (the
sliding window counter of the ``limits`` library) and the pace of each connection upstream.

Calls go to both replicas in turn over real sockets; each counts what the other admitted.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest

from tests.replicas.conftest import PACE_PER_SECOND, RATE_PER_SECOND, Pair
from tests.replicas.helpers import PROXIED_ME, Tenant, make_tenant, proxied_me

pytestmark = pytest.mark.socket

DRIVE_SECONDS = 5
#: Pacing lets this many calls go at once and this many more wait for their turn.
PACE_BURST, PACE_QUEUE = 2, 10


async def _drive(
    pair: Pair, tenant: Tenant, per_second: float, seconds: float
) -> tuple[Counter[str], float]:
    """``per_second`` calls for ``seconds``, alternating replicas, each sent on schedule
    whatever the answers before it: the outcome of each (status, or gateway error code), and
    the seconds from the first call to the last admitted answer."""
    outcomes: Counter[str] = Counter()
    last_admitted = 0.0
    # Idle connections are let go well before the server would close them (5 s), so no
    # call is sent on a connection the server is closing.
    limits = httpx.Limits(max_connections=400, keepalive_expiry=1.0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def call(url: str) -> None:
            try:
                answer = await client.get(url, headers=tenant.bearer)
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1
                return
            if answer.status_code == 429:
                outcomes[answer.json()["error"]["code"]] += 1
            else:
                outcomes[str(answer.status_code)] += 1
                nonlocal last_admitted
                last_admitted = time.monotonic()

        started = time.monotonic()
        calls = []
        for i in range(int(per_second * seconds)):
            await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
            server = pair.both[i % 2]
            calls.append(asyncio.create_task(call(server.url + PROXIED_ME)))
        await asyncio.gather(*calls)
    return outcomes, last_admitted - started


def test_three_times_the_rate_limit_across_two_replicas_admits_the_limit(pair: Pair) -> None:
    tenant = make_tenant(pair.runtime, pair.first, pair.second)
    for server in pair.both:  # keys cached and the mirror filled: admitted calls are hits
        assert proxied_me(server, tenant).status_code == 200
    time.sleep(2.5)  # the warm-up calls leave the account's window (two windows of a second)

    outcomes, span = asyncio.run(_drive(pair, tenant, 3 * RATE_PER_SECOND, DRIVE_SECONDS))

    # The limit counts calls as the replicas reach them: when a loaded machine makes them
    # fall behind, the calls are counted over a longer time than they were sent in.
    expected = RATE_PER_SECOND * max(DRIVE_SECONDS, span)
    admitted = sum(n for outcome, n in outcomes.items() if outcome != "rate_limited")
    assert set(outcomes) <= {"200", "rate_limited"}, outcomes
    assert abs(admitted - expected) <= 0.15 * expected, (
        f"admitted {admitted} of {sum(outcomes.values())} over {span:.2f} s, "
        f"expected {expected:.0f} ± 15%"
    )


def test_the_pace_of_a_connection_holds_across_both_replicas(pair: Pair) -> None:
    """At once, half through each replica: the burst and the queue of one connection are
    shared, so the calls beyond them are refused (one pace per replica would admit all)."""
    tenant = make_tenant(pair.runtime, pair.first, pair.second)
    for server in pair.both:  # the key and the connection cached, so all arrive at once
        assert proxied_me(server, tenant).status_code == 200
    time.sleep(1.5)  # the warm-up's upstream call leaves the connection's schedule

    calls = 16  # at most 8 per replica: within what one replica's own pace would hold

    async def at_once() -> list[httpx.Response]:
        headers = {**tenant.bearer, "Cache-Control": "no-cache"}  # each call goes upstream
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.get(pair.both[i % 2].url + PROXIED_ME, headers=headers)
                    for i in range(calls)
                )
            )

    answers = asyncio.run(at_once())

    statuses = Counter(a.status_code for a in answers)
    busy = [a for a in answers if a.status_code == 429]
    assert set(statuses) <= {200, 429}, statuses
    assert all(a.json()["error"]["code"] == "upstream_busy" for a in busy)
    # Burst and queue: 12 booked at once; one more for each interval the calls took to
    # arrive (at 2/s, two more slots if they arrive over a second).
    booked = PACE_BURST + PACE_QUEUE
    assert booked <= statuses[200] <= booked + PACE_PER_SECOND, statuses
