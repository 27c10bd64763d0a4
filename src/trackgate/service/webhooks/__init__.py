"""Toggl's Webhooks API v1 in the service: subscriptions, the outbox of events written with
each change, and the worker that delivers them signed, in order, with retries."""

from trackgate.service.webhooks.app import WEBHOOKS_PREFIX, create_webhooks_app
from trackgate.service.webhooks.worker import delivery_running

__all__ = ["WEBHOOKS_PREFIX", "create_webhooks_app", "delivery_running"]
