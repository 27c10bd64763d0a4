"""The delivery worker: a task of ``serve`` that posts each pending event to its target,
signed, in order per line, retried with backoff and jitter, recorded.

It never runs in a request: database work happens in worker threads and posts on the event
loop, and a slow or dead target holds up only its own line. It works on any
:class:`~.lines.DeliveryQueue`; the service's subscriptions are one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator

import httpx

from trackgate.runtime import Runtime
from trackgate.service.webhooks import delivery
from trackgate.service.webhooks.lines import DeliveryQueue, Job, expired
from trackgate.service.webhooks.queue import SubscriptionQueue
from trackgate.service.webhooks.wakeup import WAKEUP
from trackgate.storage.types import utcnow

log = logging.getLogger("trackgate.webhooks")

#: Seconds between looks for due deliveries when nothing woke the worker.
POLL_SECONDS = 0.5
#: Lines posted to at once by one worker.
CONCURRENCY = 8
#: Pending deliveries of a line read at once.
BATCH = 50
PURGE_EVERY_SECONDS = 600.0
#: Seconds to wait after the database failed, before trying again.
PAUSE_AFTER_ERROR = 2.0


class DeliveryWorker:
    def __init__(self, queue: DeliveryQueue, *, allow_private: bool) -> None:
        self.queue = queue
        self.allow_private = allow_private
        self.holder = str(uuid.uuid4())
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._purged_at = 0.0

    @classmethod
    def for_subscriptions(cls, runtime: Runtime) -> DeliveryWorker:
        queue = SubscriptionQueue(runtime.db, runtime.keyring)
        return cls(queue, allow_private=runtime.settings.webhook_allow_private)

    async def run(self) -> None:
        wake = WAKEUP.bind()
        try:
            async with delivery.make_client() as client:
                while True:
                    wake.clear()
                    try:
                        busy = await self._round(client)
                        await self._purge_now_and_then()
                    except Exception as exc:  # noqa: BLE001 - a database outage: try later
                        log.warning("webhook delivery paused: %s", type(exc).__name__)
                        busy = False
                        await asyncio.sleep(PAUSE_AFTER_ERROR)
                    if not busy:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(wake.wait(), POLL_SECONDS)
        finally:
            WAKEUP.unbind()

    async def _round(self, client: httpx.AsyncClient) -> bool:
        due = await asyncio.to_thread(self.queue.due, time.time(), 4 * CONCURRENCY)
        if not due:
            return False
        await asyncio.gather(*(self._drain(client, line) for line in due))
        return True

    async def _drain(self, client: httpx.AsyncClient, line: int) -> None:
        async with self._slots:
            if not await asyncio.to_thread(self.queue.take, line, self.holder):
                return
            try:
                while await self._post_batch(client, line):
                    pass
            finally:
                await asyncio.shield(asyncio.to_thread(self.queue.release, line, self.holder))

    async def _post_batch(self, client: httpx.AsyncClient, line: int) -> bool:
        """Post the line's oldest pending events in order; True when all of a full batch went
        (there may be more)."""
        jobs = await asyncio.to_thread(self.queue.heads, line, BATCH)
        for job in jobs:
            if not await self._post(client, job):
                return False
        return len(jobs) == BATCH

    async def _post(self, client: httpx.AsyncClient, job: Job) -> bool:
        """Post one event; True to go on with the next one of its line."""
        if job.next_attempt_at > time.time():
            return False
        now = utcnow()
        if expired(job, now):
            reason = "expired: kept a week"
            await asyncio.to_thread(self.queue.failed, job, self.holder, reason, 0.0, True)
            return True
        outcome = await delivery.post_signed(
            client, job.target, job.body(now), allow_private=self.allow_private
        )
        if outcome.ok:
            return await asyncio.to_thread(self.queue.succeeded, job, self.holder)
        failures = job.failures + 1
        give_up = failures >= delivery.MAX_ATTEMPTS
        error = outcome.error or "failed"
        retry_in = delivery.retry_delay(failures)
        await asyncio.to_thread(self.queue.failed, job, self.holder, error, retry_in, give_up)
        return give_up

    async def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        await asyncio.to_thread(self.queue.purge, utcnow())


@contextlib.asynccontextmanager
async def delivery_running(runtime: Runtime) -> AsyncIterator[DeliveryWorker]:
    """The worker of the service's subscriptions, for the life of the application."""
    worker = DeliveryWorker.for_subscriptions(runtime)
    task = asyncio.create_task(worker.run(), name="trackgate-webhook-delivery")
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
