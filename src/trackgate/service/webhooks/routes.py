"""The Webhooks API v1 routes, on Toggl's paths under ``/webhooks/api/v1``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackgate.service.access import membership
from trackgate.service.auth import Caller, current_caller
from trackgate.service.errors import BadRequest
from trackgate.service.params import PathId
from trackgate.service.responses import TogglJSON
from trackgate.service.webhooks import filters, limits, spelling
from trackgate.service.webhooks import subscriptions as domain
from trackgate.service.webhooks.ping import PingTarget, ping
from trackgate.service.webhooks.wakeup import WAKEUP
from trackgate.storage.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from trackgate.storage.types import utcnow
from trackgate.timefmt import precise_stamp

router = APIRouter(tags=["webhooks"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
BodyDep = Annotated[Any, Body()]
SUBSCRIPTION = "/subscriptions/{workspace_id}/{subscription_id}"
MAX_CODE = 128


@router.get("/status")
def status() -> Response:
    return TogglJSON({"status": "OK"})


@router.get("/event_filters")
def event_filters(caller: CallerDep) -> Response:
    return TogglJSON(filters.catalogue())


@router.get("/limits/{workspace_id}")
def workspace_limits(caller: CallerDep, workspace_id: PathId) -> Response:
    with caller.runtime.db.read() as session:
        membership(session, caller.user_id, workspace_id)
    return TogglJSON(limits.limits_for(caller.runtime.settings.webhook_limits).wire())


@router.get("/subscriptions/{workspace_id}")
def list_subscriptions(caller: CallerDep, workspace_id: PathId) -> Response:
    keyring = caller.runtime.keyring
    with caller.runtime.db.read() as session:
        subs = domain.visible(session, caller.user_id, workspace_id)
        return TogglJSON([domain.render(session, keyring, s) for s in subs])


@router.post("/subscriptions/{workspace_id}")
def create_subscription(caller: CallerDep, workspace_id: PathId, body: BodyDep = None) -> Response:
    runtime = caller.runtime
    fields = domain.fields_of(body, runtime.settings)
    with runtime.db.write() as session:
        sub, _secret = domain.create(
            session, runtime.keyring, runtime.settings, caller.user_id, workspace_id, fields
        )
        return TogglJSON(domain.render(session, runtime.keyring, sub))


@router.put(SUBSCRIPTION)
def update_subscription(
    caller: CallerDep, workspace_id: PathId, subscription_id: PathId, body: BodyDep = None
) -> Response:
    runtime = caller.runtime
    fields = domain.fields_of(body, runtime.settings)
    with runtime.db.write() as session:
        sub = domain.get(session, caller.user_id, workspace_id, subscription_id)
        domain.update(session, runtime.keyring, runtime.settings, sub, fields)
        session.flush()
        answer = domain.render(session, runtime.keyring, sub)
    WAKEUP.notify()
    return TogglJSON(answer)


@router.patch(SUBSCRIPTION)
def set_enabled(
    caller: CallerDep, workspace_id: PathId, subscription_id: PathId, body: BodyDep = None
) -> Response:
    enabled = domain.enabled_of(body)
    runtime = caller.runtime
    with runtime.db.write() as session:
        sub = domain.get(session, caller.user_id, workspace_id, subscription_id)
        sub.enabled = enabled
        sub.updated_at = utcnow()
        session.flush()
        answer = domain.render(session, runtime.keyring, sub)
    WAKEUP.notify()
    return TogglJSON(answer)


@router.delete(SUBSCRIPTION)
def delete_subscription(
    caller: CallerDep, workspace_id: PathId, subscription_id: PathId
) -> Response:
    runtime = caller.runtime
    with runtime.db.write() as session:
        sub = domain.get(session, caller.user_id, workspace_id, subscription_id)
        answer = domain.render(session, runtime.keyring, sub)
        answer["deleted_at"] = precise_stamp(utcnow())
        session.delete(sub)
    return TogglJSON(answer)


@router.get(SUBSCRIPTION + "/events")
def subscription_events(
    caller: CallerDep, workspace_id: PathId, subscription_id: PathId
) -> Response:
    with caller.runtime.db.read() as session:
        sub = domain.get(session, caller.user_id, workspace_id, subscription_id)
        query = (
            select(WebhookEvent, WebhookDelivery)
            .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
            .where(WebhookDelivery.subscription_id == sub.id)
            .order_by(WebhookDelivery.id)
        )
        rows = session.execute(query).all()
        total = session.scalar(
            select(func.count()).where(WebhookDelivery.subscription_id == sub.id)
        )
        events = [spelling.stored_event(e, d, sub.user_id) for e, d in rows]
    return TogglJSON({"total": int(total or 0), "events": events})


def _ping_target(caller: Caller, workspace_id: int, subscription_id: int) -> PingTarget:
    with caller.runtime.db.read() as session:
        sub = domain.get(session, caller.user_id, workspace_id, subscription_id)
        return PingTarget(
            subscription_id=sub.id,
            workspace_id=sub.workspace_id,
            creator_id=sub.user_id,
            url=sub.url_callback,
            secret=domain.secret_of(caller.runtime.keyring, sub),
            validation_code=sub.validation_code if sub.validated_at is None else None,
        )


def _mark_validated(caller: Caller, subscription_id: int, code: str) -> None:
    with caller.runtime.db.write() as session:
        sub = session.get(WebhookSubscription, subscription_id)
        if sub is not None and sub.validated_at is None and sub.validation_code == code:
            sub.validated_at = utcnow()


@router.post("/ping/{workspace_id}/{subscription_id}")
async def ping_subscription(
    caller: CallerDep, workspace_id: PathId, subscription_id: PathId
) -> Response:
    target = await run_in_threadpool(_ping_target, caller, workspace_id, subscription_id)
    settings = caller.runtime.settings
    outcome, validated = await ping(
        target, caller.user_id, settings.root_url, allow_private=settings.webhook_allow_private
    )
    if validated and target.validation_code is not None:
        await run_in_threadpool(
            _mark_validated, caller, target.subscription_id, target.validation_code
        )
        WAKEUP.notify()
    if not outcome.ok:
        raise BadRequest(f"Ping failed: {outcome.error}")
    return TogglJSON({"status": "ok"})


@router.get("/validate/{workspace_id}/{subscription_id}/{validation_code}")
def validate(
    caller: CallerDep, workspace_id: PathId, subscription_id: PathId, validation_code: str
) -> Response:
    if len(validation_code) > MAX_CODE:
        raise BadRequest("Invalid validation code")
    with caller.runtime.db.write() as session:
        domain.validate(session, caller.user_id, workspace_id, subscription_id, validation_code)
    WAKEUP.notify()
    return TogglJSON("OK")
