"""The invalidation bus in one process, on the real Redis: what is announced is applied by
every listening process, a listener that (re)subscribes drops everything, and without Redis
the bus stays out of the way (the caches' expiry is then the bound)."""

from __future__ import annotations

import asyncio

import redis.asyncio

from tests.replicas.conftest import REDIS_URL
from trackgate.invalidation import (
    CONNECTION,
    EVERYTHING,
    KEY,
    Invalidation,
    Invalidations,
)
from trackgate.invalidation_bus import (
    InvalidationBus,
    RedisAnnouncer,
    channel_for,
    decode,
    encode,
)

GIVE_UP_SECONDS = 10.0


class Recorder:
    def __init__(self, hub: Invalidations) -> None:
        self.seen: list[Invalidation] = []
        hub.subscribe(self.seen.append)

    async def until(self, change: Invalidation) -> None:
        async def wait() -> None:
            while change not in self.seen:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(wait(), GIVE_UP_SECONDS)


def test_messages_are_spelled_and_read_back() -> None:
    change = Invalidation(CONNECTION, "c-1", "a-1")
    assert decode(encode(change)) == change
    assert decode(encode(Invalidation(KEY, "key_1"))) == Invalidation(KEY, "key_1")
    for junk in (b"", b"{", b"[]", b'{"kind": "nope", "id": "x"}', b'{"kind": "key", "id": 3}',
                 b'{"kind": "key", "id": "x", "account_id": 4}', b"x" * 5000, None, 7):  # fmt: skip
        assert decode(junk) is None


def test_the_channel_is_named_after_the_database() -> None:
    assert channel_for("redis://127.0.0.1:6379/12") == "trackgate:12:invalidations"
    assert channel_for("redis://127.0.0.1:6379") == "trackgate:0:invalidations"
    assert channel_for("unix:///run/redis.sock?db=3") == "trackgate:3:invalidations"


async def test_an_announcement_reaches_every_listening_process() -> None:
    here, there = Invalidations(), Invalidations()
    heard_here, heard_there = Recorder(here), Recorder(there)
    buses = [InvalidationBus(here, REDIS_URL), InvalidationBus(there, REDIS_URL)]
    for bus in buses:
        await bus.start()
    try:
        # each listener drops everything once subscribed: nothing missed before counts
        await heard_here.until(Invalidation(EVERYTHING))
        await heard_there.until(Invalidation(EVERYTHING))
        assert all(bus.listening for bus in buses)

        change = Invalidation(CONNECTION, "conn-bus-test", "acct-bus-test")
        here.announce(change)
        assert heard_here.seen[-1] == change  # applied here at once, before any message
        await heard_there.until(change)

        from_a_command = Invalidation(KEY, "key-from-a-command")
        await asyncio.to_thread(RedisAnnouncer(REDIS_URL), from_a_command)
        await heard_here.until(from_a_command)
        await heard_there.until(from_a_command)
    finally:
        for bus in buses:
            await bus.stop()
    assert here.sender is None  # the process's sender is restored


async def test_without_redis_the_bus_keeps_trying_and_changes_still_apply_here() -> None:
    hub = Invalidations()
    heard = Recorder(hub)
    bus = InvalidationBus(hub, "redis://127.0.0.1:1/0")
    await bus.start()
    try:
        await asyncio.sleep(0.5)  # a few failed attempts
        assert not bus.listening
        change = Invalidation(KEY, "key-no-redis")
        hub.announce(change)  # queued for a Redis that is not there: dropped, no error
        assert heard.seen == [change]
    finally:
        await bus.stop()


def test_an_announcer_without_redis_warns_and_returns() -> None:
    hub = Invalidations()
    heard = Recorder(hub)
    hub.sender = RedisAnnouncer("redis://127.0.0.1:1/0")
    hub.announce(Invalidation(KEY, "key-offline"))
    assert heard.seen == [Invalidation(KEY, "key-offline")]


async def test_a_listener_cut_off_reconnects_and_drops_everything_again() -> None:
    hub = Invalidations()
    heard = Recorder(hub)
    bus = InvalidationBus(hub, REDIS_URL)
    await bus.start()
    admin = redis.asyncio.Redis.from_url(REDIS_URL)
    try:
        await heard.until(Invalidation(EVERYTHING))
        listeners = [c["id"] for c in await admin.client_list() if c.get("name") == bus.client_name]
        assert listeners, "the listener is not named in CLIENT LIST"
        heard.seen.clear()
        for client_id in listeners:
            await admin.client_kill_filter(_id=client_id)

        await heard.until(Invalidation(EVERYTHING))  # back, and what it missed is dropped
        change = Invalidation(KEY, "key-after-reconnect")
        await asyncio.to_thread(RedisAnnouncer(REDIS_URL), change)
        await heard.until(change)
    finally:
        await admin.aclose()
        await bus.stop()
