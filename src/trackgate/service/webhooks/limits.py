"""Toggl's plan limits on webhooks, emulated by ``--emulate-webhook-limits``."""

from __future__ import annotations

from dataclasses import dataclass

from trackgate.service.errors import BadRequest


@dataclass(frozen=True)
class WebhookLimits:
    max_webhooks: int
    max_events_per_webhook: int

    def wire(self) -> dict[str, int]:
        return {
            "max_webhooks": self.max_webhooks,
            "max_events_per_webhook": self.max_events_per_webhook,
        }


#: Per workspace, as Toggl's 2025 plans set them.
PLANS = {
    "free": WebhookLimits(1, 3),
    "starter": WebhookLimits(2, 6),
    "premium": WebhookLimits(3, 12),
}
#: Without emulation: more than anyone needs, reported as numbers so clients can compare.
UNLIMITED = WebhookLimits(1000, 1000)


def limits_for(plan: str | None) -> WebhookLimits:
    return PLANS.get(plan or "", UNLIMITED)


def check_filters(limits: WebhookLimits, filters: list[dict[str, str]]) -> None:
    if len(filters) > limits.max_events_per_webhook:
        raise BadRequest(
            f"event_filters: at most {limits.max_events_per_webhook} event filters per "
            "subscription on this workspace's plan"
        )


def check_count(limits: WebhookLimits, existing: int) -> None:
    if existing >= limits.max_webhooks:
        raise BadRequest(
            f"Maximum number of subscriptions ({limits.max_webhooks}) reached for this "
            "workspace's plan"
        )
