"""What a webhook subscription may be, and who may see or change it.

A subscription belongs to a workspace and its creator. Members of the workspace list and
change their own subscriptions; its admins everyone's. Secrets are stored encrypted and
given back only in the answers to those who may read the subscription."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from trackgate.config import Settings
from trackgate.crypto import Keyring
from trackgate.service.access import NO_ACCESS, membership
from trackgate.service.errors import BadRequest, NotFound, TogglError
from trackgate.service.webhooks import callback_urls, filters, limits, signing, spelling
from trackgate.storage.models import WebhookDelivery, WebhookSubscription, Workspace
from trackgate.storage.types import utcnow

MAX_DESCRIPTION = 255
MAX_SECRET = 255
NOT_FOUND = "Subscription not found"


def secret_context(subscription_id: int) -> str:
    return f"webhook-secret:{subscription_id}"


@dataclass(frozen=True)
class Fields:
    """A create's or update's body, checked."""

    url_callback: str
    event_filters: list[dict[str, str]]
    description: str
    enabled: bool
    secret: str | None


def _text(body: dict[str, Any], name: str, longest: int, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name}: a non-empty string is required")
    if len(value) > longest:
        raise BadRequest(f"{name}: at most {longest} characters")
    return value


def json_body(body: Any) -> Any:
    """The body as JSON, whatever its content type said: Toggl's own examples post JSON with
    ``curl -d``, which labels it a form."""
    if isinstance(body, bytes | str):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise BadRequest("Invalid JSON input") from None
    return body


def fields_of(raw: Any, settings: Settings) -> Fields:
    body = json_body(raw)
    if not isinstance(body, dict):
        raise BadRequest(
            "A JSON object with url_callback, event_filters and description is required"
        )
    url = _text(body, "url_callback", callback_urls.MAX_URL_LENGTH, required=True)
    assert url is not None
    description = _text(body, "description", MAX_DESCRIPTION, required=True)
    assert description is not None
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise BadRequest("enabled: must be true or false")
    return Fields(
        url_callback=callback_urls.check(url, allow_private=settings.webhook_allow_private),
        event_filters=filters.parsed(body.get("event_filters")),
        description=description.strip(),
        enabled=enabled,
        secret=_text(body, "secret", MAX_SECRET, required=False),
    )


def enabled_of(raw: Any) -> bool:
    body = json_body(raw)
    if not isinstance(body, dict) or not isinstance(body.get("enabled"), bool):
        raise BadRequest("enabled: must be true or false")
    return bool(body["enabled"])


def _lock_workspace(session: Session, workspace_id: int) -> None:
    """Creates in one workspace one at a time, so its plan's limit holds under races."""
    session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())


def _description_taken(
    session: Session, workspace_id: int, description: str, but: int | None = None
) -> bool:
    query = select(WebhookSubscription.id).where(
        WebhookSubscription.workspace_id == workspace_id,
        WebhookSubscription.description == description,
    )
    return any(found != but for found in session.scalars(query))


def visible(session: Session, user_id: int, workspace_id: int) -> list[WebhookSubscription]:
    member = membership(session, user_id, workspace_id)
    query = select(WebhookSubscription).where(WebhookSubscription.workspace_id == workspace_id)
    if not member.admin:
        query = query.where(WebhookSubscription.user_id == user_id)
    return list(session.scalars(query.order_by(WebhookSubscription.id)))


def get(session: Session, user_id: int, workspace_id: int, sid: int) -> WebhookSubscription:
    member = membership(session, user_id, workspace_id)
    sub = session.get(WebhookSubscription, sid)
    if sub is None or sub.workspace_id != workspace_id:
        raise NotFound(NOT_FOUND)
    if sub.user_id != user_id and not member.admin:
        raise TogglError(403, NO_ACCESS)
    return sub


def create(
    session: Session,
    keyring: Keyring,
    settings: Settings,
    user_id: int,
    workspace_id: int,
    f: Fields,
) -> tuple[WebhookSubscription, str]:
    membership(session, user_id, workspace_id)
    _lock_workspace(session, workspace_id)
    plan = limits.limits_for(settings.webhook_limits)
    limits.check_filters(plan, f.event_filters)
    count = session.scalar(
        select(func.count()).where(WebhookSubscription.workspace_id == workspace_id)
    )
    limits.check_count(plan, int(count or 0))
    if _description_taken(session, workspace_id, f.description):
        raise BadRequest("description: a subscription with this description already exists")
    secret = f.secret or signing.new_secret()
    sub = WebhookSubscription(
        workspace_id=workspace_id,
        user_id=user_id,
        description=f.description,
        url_callback=f.url_callback,
        secret_ciphertext="",
        enabled=f.enabled,
        event_filters=f.event_filters,
        validation_code=secrets.token_hex(16),
        created_at=utcnow(),
    )
    session.add(sub)
    session.flush()
    sub.secret_ciphertext = keyring.encrypt(secret, secret_context(sub.id))
    return sub, secret


def update(
    session: Session, keyring: Keyring, settings: Settings, sub: WebhookSubscription, f: Fields
) -> str:
    """A PUT: every field replaced; the secret kept when none is sent. A new callback URL
    must be validated again."""
    limits.check_filters(limits.limits_for(settings.webhook_limits), f.event_filters)
    if _description_taken(session, sub.workspace_id, f.description, but=sub.id):
        raise BadRequest("description: a subscription with this description already exists")
    if f.url_callback != sub.url_callback:
        sub.validated_at = None
        sub.validation_code = secrets.token_hex(16)
    sub.url_callback = f.url_callback
    sub.event_filters = f.event_filters
    sub.description = f.description
    sub.enabled = f.enabled
    if f.secret is not None:
        sub.secret_ciphertext = keyring.encrypt(f.secret, secret_context(sub.id))
    sub.updated_at = utcnow()
    return secret_of(keyring, sub)


def secret_of(keyring: Keyring, sub: WebhookSubscription) -> str:
    return keyring.decrypt(sub.secret_ciphertext, secret_context(sub.id))


def has_pending(session: Session, sub_id: int) -> bool:
    query = select(
        exists().where(
            WebhookDelivery.subscription_id == sub_id, WebhookDelivery.state == "pending"
        )
    )
    return bool(session.scalar(query))


def render(session: Session, keyring: Keyring, sub: WebhookSubscription) -> spelling.Json:
    return spelling.subscription(
        sub, secret_of(keyring, sub), has_pending_events=has_pending(session, sub.id)
    )


def validate(session: Session, user_id: int, workspace_id: int, sid: int, code: str) -> None:
    """Asynchronous validation: the code of the subscription's PING, sent back by a GET."""
    membership(session, user_id, workspace_id)
    sub = session.get(WebhookSubscription, sid)
    if sub is None or sub.workspace_id != workspace_id:
        raise BadRequest("Invalid validation code")
    if not secrets.compare_digest(sub.validation_code.encode(), code.encode()):
        raise BadRequest("Invalid validation code")
    if sub.validated_at is None:
        sub.validated_at = utcnow()
