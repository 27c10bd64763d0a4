"""Invalidations between processes, through Redis pub/sub.

Each server process runs one :class:`InvalidationBus` for the life of its application: a
task that listens on the channel and applies what the others announce, and a task that
publishes what this process announces. Commands (``trackgate keys revoke``) publish with
:class:`RedisAnnouncer`. A message is JSON: ``{"kind", "id", "account_id"}``.

Pub/sub keeps nothing for a listener that is away, so whenever the listener (re)subscribes
it drops every cached entry: what it missed costs a reload, never a stale entry. While Redis
cannot be reached, the caches' own expiry (5 s) is the bound, as without Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis.asyncio
import redis.exceptions

from trackgate.invalidation import KINDS, Invalidation, Invalidations, Sender

log = logging.getLogger("trackgate.invalidation")

#: Pub/sub channels are shared by every database of a Redis server: the number is in the name.
CHANNEL = "trackgate:{db}:invalidations"
#: Waits between attempts to reach Redis again: from the first to the longest, doubling.
FIRST_RETRY_SECONDS = 0.25
LONGEST_RETRY_SECONDS = 10.0
#: Announcements older than this are not sent late: every cache has expired them anyway.
STALE_AFTER_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 2.0
#: The listener pings an idle connection this often, to notice a Redis that went away.
HEALTH_CHECK_SECONDS = 5
MAX_MESSAGE_BYTES = 1024


def channel_for(redis_url: str) -> str:
    """The channel of the database the URL names (``redis://host/3``, ``unix:...?db=3``)."""
    parts = urlsplit(redis_url)
    db = parts.path.strip("/") if parts.scheme != "unix" else ""
    if not db:
        db = parse_qs(parts.query).get("db", ["0"])[0]
    return CHANNEL.format(db=db if db.isdigit() else "0")


def encode(change: Invalidation) -> bytes:
    return json.dumps(
        {"kind": change.kind, "id": change.id, "account_id": change.account_id}
    ).encode()


def decode(data: Any) -> Invalidation | None:
    """The invalidation a message carries, or None for anything else on the channel."""
    if not isinstance(data, bytes | str) or len(data) > MAX_MESSAGE_BYTES:
        return None
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    kind, ident, account = body.get("kind"), body.get("id"), body.get("account_id")
    if kind not in KINDS or not isinstance(ident, str):
        return None
    if account is not None and not isinstance(account, str):
        return None
    return Invalidation(kind, ident, account)


def _jittered(delay: float) -> float:
    return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret


class RedisAnnouncer:
    """Publishes one announcement per call, synchronously: for commands, which run no loop."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.channel = channel_for(redis_url)

    def __call__(self, change: Invalidation) -> None:
        import redis as sync_redis

        try:
            client = sync_redis.Redis.from_url(
                self.redis_url,
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                socket_timeout=CONNECT_TIMEOUT_SECONDS,
            )
            try:
                client.publish(self.channel, encode(change))
            finally:
                client.close()
        except (redis.exceptions.RedisError, OSError) as exc:
            log.warning(
                "Redis unavailable (%s): running servers drop the %s within 5 s, when "
                "their caches expire",
                type(exc).__name__,
                change.kind,
            )


class InvalidationBus:
    """The listening and the publishing task of one server process."""

    def __init__(self, hub: Invalidations, redis_url: str) -> None:
        self.hub = hub
        self.redis_url = redis_url
        self.channel = channel_for(redis_url)
        self.client_name = f"trackgate-invalidations-{os.getpid()}-{id(self):x}"
        #: True while subscribed: announcements reach this process within milliseconds
        self.listening = False
        self._outbox: asyncio.Queue[tuple[float, Invalidation]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._previous_sender: Sender | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._warned = False

    def _client(self) -> redis.asyncio.Redis:
        return redis.asyncio.Redis.from_url(
            self.redis_url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_keepalive=True,
            health_check_interval=HEALTH_CHECK_SECONDS,
            client_name=self.client_name,  # who listens, in Redis's CLIENT LIST
        )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._previous_sender = self.hub.sender
        self.hub.sender = self._send
        self._tasks = [
            asyncio.create_task(self._listen(), name="invalidations-listen"),
            asyncio.create_task(self._publish(), name="invalidations-publish"),
        ]

    async def stop(self) -> None:
        self.hub.sender = self._previous_sender
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self.listening = False

    # --- announcing -----------------------------------------------------------------------

    def _send(self, change: Invalidation) -> None:
        """From any thread: queue the announcement for the publishing task."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._outbox.put_nowait, (time.monotonic(), change))
        except RuntimeError:  # the loop closed meanwhile: the caches' expiry covers it
            pass

    async def _publish(self) -> None:
        client = self._client()
        failing = False
        try:
            while True:
                queued_at, change = await self._outbox.get()
                if time.monotonic() - queued_at > STALE_AFTER_SECONDS:
                    continue
                try:
                    await client.publish(self.channel, encode(change))
                except (redis.exceptions.RedisError, OSError) as exc:
                    if not failing:
                        log.warning(
                            "invalidations not published: Redis unavailable (%s); other "
                            "processes drop changed entries within 5 s",
                            type(exc).__name__,
                        )
                    failing = True
                else:
                    if failing:
                        log.info("invalidations published again")
                    failing = False
        finally:
            await client.aclose()

    # --- listening ------------------------------------------------------------------------

    async def _listen(self) -> None:
        """Listen for as long as the application runs, reconnecting with backoff."""
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                await self._listen_once()
            except (redis.exceptions.RedisError, OSError) as exc:
                if self.listening:  # it was working: try again soon
                    delay = FIRST_RETRY_SECONDS
                if not self._warned:
                    log.warning(
                        "invalidations: not listening, Redis unavailable (%s); cached "
                        "entries expire within 5 s meanwhile",
                        type(exc).__name__,
                    )
                    self._warned = True
            finally:
                self.listening = False
            await asyncio.sleep(_jittered(delay))
            delay = min(LONGEST_RETRY_SECONDS, delay * 2)

    async def _listen_once(self) -> None:
        """Subscribe, drop what may have been missed, then apply messages until an error."""
        client = self._client()
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            deadline = time.monotonic() + CONNECT_TIMEOUT_SECONDS
            while True:  # the server's confirmation: from here on nothing is missed
                message = await pubsub.get_message(timeout=CONNECT_TIMEOUT_SECONDS)
                if message is not None and message.get("type") == "subscribe":
                    break
                if time.monotonic() > deadline:
                    raise redis.exceptions.TimeoutError("no confirmation of the subscription")
            self.hub.forget_everything()
            self.listening = True
            if self._warned:
                log.info("invalidations: listening again")
                self._warned = False
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                change = decode(message.get("data"))
                if change is not None:
                    self.hub.apply(change)
        finally:
            await pubsub.aclose()
            await client.aclose()


@asynccontextmanager
async def invalidations_running(hub: Invalidations, redis_url: str | None) -> AsyncIterator[None]:
    """The bus for the life of an application; nothing without Redis (the caches' expiry is
    then the bound)."""
    if not redis_url:
        yield
        return
    bus = InvalidationBus(hub, redis_url)
    await bus.start()
    try:
        yield
    finally:
        await bus.stop()
