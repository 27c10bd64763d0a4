"""The delivery worker: a task of ``serve`` that posts each pending event to its
subscription's callback, signed, in order, retried with backoff and jitter.

It never runs in a request: database work happens in worker threads and posts on the event
loop, and a slow or dead callback holds up only its own subscription's line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator

import httpx

from trackgate.runtime import Runtime
from trackgate.service.webhooks import delivery, queue, spelling
from trackgate.service.webhooks.wakeup import WAKEUP
from trackgate.storage.types import utcnow

log = logging.getLogger("trackgate.webhooks")

#: Seconds between looks for due deliveries when nothing woke the worker.
POLL_SECONDS = 0.5
#: Subscriptions posted to at once by one worker.
CONCURRENCY = 8
PURGE_EVERY_SECONDS = 600.0
#: Seconds to wait after the database failed, before trying again.
PAUSE_AFTER_ERROR = 2.0


class DeliveryWorker:
    def __init__(self, runtime: Runtime) -> None:
        self.db = runtime.db
        self.keyring = runtime.keyring
        self.allow_private = runtime.settings.webhook_allow_private
        self.holder = str(uuid.uuid4())
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._purged_at = 0.0

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
        due = await asyncio.to_thread(
            queue.due_subscriptions, self.db, time.time(), 4 * CONCURRENCY
        )
        if not due:
            return False
        await asyncio.gather(*(self._drain(client, sid) for sid in due))
        return True

    async def _drain(self, client: httpx.AsyncClient, subscription_id: int) -> None:
        async with self._slots:
            taken = await asyncio.to_thread(queue.take_lease, self.db, subscription_id, self.holder)
            if not taken:
                return
            try:
                while await self._post_head(client, subscription_id):
                    pass
            finally:
                await asyncio.shield(
                    asyncio.to_thread(queue.release_lease, self.db, subscription_id, self.holder)
                )

    async def _post_head(self, client: httpx.AsyncClient, subscription_id: int) -> bool:
        """Post the subscription's oldest pending event; True to go on with the next one."""
        job = await asyncio.to_thread(queue.head_job, self.db, self.keyring, subscription_id)
        if job is None or job.next_attempt_at > time.time():
            return False
        now = utcnow()
        if queue.expired(job, now):
            await asyncio.to_thread(
                queue.record_failure, self.db, job, self.holder, "expired: kept a week", 0.0, True
            )
            return True
        body = spelling.delivered_event(
            event_id=job.event_id,
            created_at=job.event_created_at,
            creator_id=job.creator_id,
            metadata=job.metadata,
            payload=job.payload,
            subscription_id=job.subscription_id,
            url_callback=job.url,
            now=now,
        )
        target = delivery.Target(job.url, job.secret)
        outcome = await delivery.post_signed(client, target, body, allow_private=self.allow_private)
        if outcome.ok:
            return await asyncio.to_thread(queue.record_success, self.db, job, self.holder)
        failures = job.failures + 1
        give_up = failures >= delivery.MAX_ATTEMPTS
        await asyncio.to_thread(
            queue.record_failure,
            self.db,
            job,
            self.holder,
            outcome.error or "failed",
            delivery.retry_delay(failures),
            give_up,
        )
        return give_up

    async def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        await asyncio.to_thread(queue.purge, self.db, utcnow())


@contextlib.asynccontextmanager
async def delivery_running(runtime: Runtime) -> AsyncIterator[DeliveryWorker]:
    """The worker, for the life of the application."""
    worker = DeliveryWorker(runtime)
    task = asyncio.create_task(worker.run(), name="trackgate-webhook-delivery")
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
