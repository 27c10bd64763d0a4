"""What the delivery worker needs of a queue of deliveries, whatever their targets are.

A queue holds *lines*: one per target (a subscription's callback today; a consumer endpoint
of the gateway could be another kind), each delivered in order by one worker at a time while
it holds the line's lease. The worker (:mod:`.worker`) signs, posts, retries and records
through this interface alone, so a new kind of target brings only its queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from trackgate.service.webhooks.delivery import Target

#: Events are kept (and retried) this long, then given up and dropped with their records.
RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class Job:
    """The head of one line, ready to post."""

    delivery_id: int
    line_id: int
    failures: int
    #: epoch seconds when the next attempt is due
    next_attempt_at: float
    #: when the event was recorded (events older than the retention are given up)
    created_at: datetime
    target: Target
    #: the body to post, given the instant of sending
    body: Callable[[datetime], bytes]


class DeliveryQueue(Protocol):
    def due(self, now: float, limit: int) -> list[int]:
        """Lines not leased by anyone whose oldest pending delivery is due."""

    def take(self, line_id: int, holder: str) -> bool:
        """Lease the line to ``holder``; False when another holds it."""

    def release(self, line_id: int, holder: str) -> None: ...

    def heads(self, line_id: int, limit: int) -> list[Job]:
        """The line's oldest pending deliveries, in order, while the line may receive
        events (a batch read at once; each is still recorded on its own)."""

    def succeeded(self, job: Job, holder: str) -> bool:
        """Record a delivery; False when the lease was lost meanwhile."""

    def failed(self, job: Job, holder: str, error: str, retry_in: float, give_up: bool) -> None:
        """Record a failed attempt, and when to try again (or that it is given up)."""

    def purge(self, now: datetime) -> int:
        """Drop what is past the retention."""


def expired(job: Job, now: datetime) -> bool:
    return now - job.created_at > RETENTION
