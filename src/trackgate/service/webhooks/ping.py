"""``POST /ping/{wid}/{sid}``: a dummy event posted at once, even to a subscription that is
disabled or not validated yet. For a subscription not validated, the event carries its
``validation_code`` (and the URL to validate it with a GET); an answer with
``{"validation_code": "<that code>"}`` validates it there and then (synchronous validation)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from trackgate.service.webhooks import delivery, spelling
from trackgate.storage.types import utcnow


@dataclass(frozen=True)
class PingTarget:
    subscription_id: int
    workspace_id: int
    creator_id: int
    url: str
    secret: str
    #: the code, while the subscription is not validated
    validation_code: str | None


def ping_body(target: PingTarget, user_id: int, root_url: str) -> bytes:
    extra: dict[str, Any] = {}
    if target.validation_code is not None:
        extra = {
            "validation_code": target.validation_code,
            "validation_code_url": (
                f"{root_url}/webhooks/api/v1/validate/{target.workspace_id}/"
                f"{target.subscription_id}/{target.validation_code}"
            ),
        }
    now = utcnow()
    return spelling.delivered_event(
        event_id=int(time.time() * 1000),
        created_at=now,
        creator_id=target.creator_id,
        metadata={"request_type": "POST", "event_user_id": user_id},
        payload="ping",
        subscription_id=target.subscription_id,
        url_callback=target.url,
        now=now,
        extra=extra,
    )


def answered_code(answer: bytes) -> str | None:
    try:
        body = json.loads(answer)
    except (ValueError, RecursionError):
        return None
    code = body.get("validation_code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


async def ping(
    target: PingTarget, user_id: int, root_url: str, *, allow_private: bool
) -> tuple[delivery.Outcome, bool]:
    """The outcome, and whether the answer validated the subscription."""
    body = ping_body(target, user_id, root_url)
    async with delivery.make_client() as client:
        outcome = await delivery.post_signed(
            client, delivery.Target(target.url, target.secret), body, allow_private=allow_private
        )
    code = answered_code(outcome.answer) if outcome.ok else None
    validated = target.validation_code is not None and code == target.validation_code
    return outcome, validated
