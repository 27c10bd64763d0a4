"""The delivery queue in the database: which subscriptions have a due event at the head of
their line, the lease that lets one worker (of any replica) post them, and the record of
each attempt.

Order per subscription: only the oldest pending delivery of a subscription is ever tried, so
a failing event holds the ones after it until it is delivered or given up. Once: a worker
posts a subscription's events only while it holds the subscription's lease, taken with a
conditional update that one replica wins (the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import aliased

from trackgate.crypto import Keyring
from trackgate.service.webhooks import spelling
from trackgate.service.webhooks.delivery import Target
from trackgate.service.webhooks.lines import RETENTION, Job
from trackgate.service.webhooks.subscriptions import secret_of
from trackgate.storage.database import Database
from trackgate.storage.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from trackgate.storage.types import utcnow

#: Seconds a lease lasts; renewed after every attempt, so longer than one attempt can take.
LEASE_SECONDS = 30.0


def due_subscriptions(db: Database, now: float, limit: int) -> list[int]:
    """Subscriptions, enabled and validated and not leased by anyone, whose oldest pending
    delivery is due."""
    head = aliased(WebhookDelivery)
    oldest = (
        select(head.id)
        .where(head.subscription_id == WebhookDelivery.subscription_id, head.state == "pending")
        .order_by(head.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(WebhookDelivery.subscription_id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.state == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookDelivery.id == oldest,
            WebhookSubscription.enabled.is_(True),
            WebhookSubscription.validated_at.is_not(None),
            or_(WebhookSubscription.lease_until.is_(None), WebhookSubscription.lease_until < now),
        )
        .limit(limit)
    )
    with db.read() as session:
        return list(session.scalars(query))


def take_lease(db: Database, subscription_id: int, holder: str) -> bool:
    now = time.time()
    with db.write() as session:
        result = session.execute(
            update(WebhookSubscription)
            .where(
                WebhookSubscription.id == subscription_id,
                or_(
                    WebhookSubscription.lease_until.is_(None),
                    WebhookSubscription.lease_until < now,
                    WebhookSubscription.lease_holder == holder,
                ),
            )
            .values(lease_holder=holder, lease_until=now + LEASE_SECONDS)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def release_lease(db: Database, subscription_id: int, holder: str) -> None:
    with db.write() as session:
        session.execute(
            update(WebhookSubscription)
            .where(
                WebhookSubscription.id == subscription_id,
                WebhookSubscription.lease_holder == holder,
            )
            .values(lease_holder=None, lease_until=None)
        )


def head_jobs(db: Database, keyring: Keyring, subscription_id: int, limit: int) -> list[Job]:
    """The oldest pending deliveries of the subscription, in order, while it may still
    receive events."""
    with db.read() as session:
        sub = session.get(WebhookSubscription, subscription_id)
        if sub is None or not sub.enabled or sub.validated_at is None:
            return []
        rows = session.execute(
            select(WebhookDelivery, WebhookEvent)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(
                WebhookDelivery.subscription_id == subscription_id,
                WebhookDelivery.state == "pending",
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        ).all()
        secret = secret_of(keyring, sub) if rows else ""
        return [_job(sub, d, e, secret) for d, e in rows]


def _job(sub: WebhookSubscription, d: WebhookDelivery, e: WebhookEvent, secret: str) -> Job:
    metadata, payload = json.loads(e.meta), json.loads(e.payload)
    event_id, created_at = e.id, e.created_at
    subscription_id, creator_id, url = sub.id, sub.user_id, sub.url_callback

    def body(now: datetime) -> bytes:
        return spelling.delivered_event(
            event_id=event_id,
            created_at=created_at,
            creator_id=creator_id,
            metadata=metadata,
            payload=payload,
            subscription_id=subscription_id,
            url_callback=url,
            now=now,
        )

    return Job(
        delivery_id=d.id,
        line_id=subscription_id,
        failures=d.failed_delivery_attempts,
        next_attempt_at=d.next_attempt_at,
        created_at=created_at,
        target=Target(url, secret),
        body=body,
    )


def _renew(session: Any, subscription_id: int, holder: str) -> bool:
    result = session.execute(
        update(WebhookSubscription)
        .where(
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.lease_holder == holder,
        )
        .values(lease_until=time.time() + LEASE_SECONDS)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def record_success(db: Database, job: Job, holder: str) -> bool:
    """Mark the delivery done; False when the lease was lost meanwhile (stop this line)."""
    with db.write() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == job.delivery_id)
            .values(state="delivered", last_delivery_attempt=utcnow(), last_delivery_error=None)
        )
        return _renew(session, job.line_id, holder)


def record_failure(
    db: Database, job: Job, holder: str, error: str, retry_in: float, give_up: bool
) -> None:
    with db.write() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == job.delivery_id)
            .values(
                state="failed" if give_up else "pending",
                failed_delivery_attempts=job.failures + 1,
                last_delivery_attempt=utcnow(),
                last_delivery_error=error[:500],
                next_attempt_at=time.time() + retry_in,
            )
        )
        _renew(session, job.line_id, holder)


def purge(db: Database, now: datetime) -> int:
    """Drop the events of more than a week ago, and their records."""
    cutoff = now - RETENTION
    with db.write() as session:
        old = select(WebhookEvent.id).where(WebhookEvent.created_at < cutoff)
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(old)))
        result = session.execute(delete(WebhookEvent).where(WebhookEvent.created_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)


class SubscriptionQueue:
    """The deliveries owed to the service's webhook subscriptions, as a :class:`DeliveryQueue`."""

    def __init__(self, db: Database, keyring: Keyring) -> None:
        self.db = db
        self.keyring = keyring

    def due(self, now: float, limit: int) -> list[int]:
        return due_subscriptions(self.db, now, limit)

    def take(self, line_id: int, holder: str) -> bool:
        return take_lease(self.db, line_id, holder)

    def release(self, line_id: int, holder: str) -> None:
        release_lease(self.db, line_id, holder)

    def heads(self, line_id: int, limit: int) -> list[Job]:
        return head_jobs(self.db, self.keyring, line_id, limit)

    def succeeded(self, job: Job, holder: str) -> bool:
        return record_success(self.db, job, holder)

    def failed(self, job: Job, holder: str, error: str, retry_in: float, give_up: bool) -> None:
        record_failure(self.db, job, holder, error, retry_in, give_up)

    def purge(self, now: datetime) -> int:
        return purge(self.db, now)
