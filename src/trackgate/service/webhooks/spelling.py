"""How the Webhooks API v1 spells its objects: subscriptions, stored events, delivered events."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from trackgate.storage.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from trackgate.timefmt import precise_stamp

Json = dict[str, Any]


def subscription(sub: WebhookSubscription, secret: str, *, has_pending_events: bool) -> Json:
    """Toggl returns the secret to whoever may read the subscription: it is theirs to check
    signatures with. It is never logged."""
    return {
        "subscription_id": sub.id,
        "workspace_id": sub.workspace_id,
        "user_id": sub.user_id,
        "enabled": sub.enabled,
        "description": sub.description,
        "event_filters": [dict(f) for f in sub.event_filters],
        "url_callback": sub.url_callback,
        "secret": secret,
        "validated_at": precise_stamp(sub.validated_at),
        "has_pending_events": has_pending_events,
        "created_at": precise_stamp(sub.created_at),
        "updated_at": precise_stamp(sub.updated_at),
        "deleted_at": None,
    }


def stored_event(event: WebhookEvent, delivery: WebhookDelivery, creator_id: int) -> Json:
    """An event as ``GET /subscriptions/{wid}/{sid}/events`` lists it."""
    return {
        "event_id": event.id,
        "created_at": precise_stamp(event.created_at),
        "creator_id": creator_id,
        "metadata": json.loads(event.meta),
        "payload": json.loads(event.payload),
        "consumer_id": delivery.subscription_id,
        "last_delivery_attempt": precise_stamp(delivery.last_delivery_attempt),
        "last_delivery_error": delivery.last_delivery_error,
        "failed_delivery_attempts": delivery.failed_delivery_attempts,
    }


def delivered_event(
    *,
    event_id: int,
    created_at: datetime,
    creator_id: int,
    metadata: Json,
    payload: Any,
    subscription_id: int,
    url_callback: str,
    now: datetime,
    extra: Json | None = None,
) -> bytes:
    """The body posted to a callback: one event, as Toggl posts it."""
    body: Json = {
        "event_id": event_id,
        "created_at": precise_stamp(created_at),
        "creator_id": creator_id,
        "metadata": metadata,
        "payload": payload,
        "subscription_id": subscription_id,
        "timestamp": precise_stamp(now),
        "url_callback": url_callback,
        **(extra or {}),
    }
    return json.dumps(body, separators=(",", ":")).encode()
