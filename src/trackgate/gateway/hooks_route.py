"""``POST /hooks/toggl/{id}``: where the upstream delivers the shield's subscription events.

Each post must be signed (``X-Webhook-Signature-256``) with the subscription's secret, for a
subscription this gateway made, and carry an event id not received before; anything else is
refused before it is read as an event. A ping carrying a ``validation_code`` is answered with
it (synchronous validation)."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from trackgate.crypto import DecryptError
from trackgate.gateway.errors import GatewayError
from trackgate.gateway.state import gateway_state
from trackgate.service.webhooks.signing import HEADER, verified
from trackgate.shield import store
from trackgate.shield.hooks import records
from trackgate.shield.hooks.apply import apply_event
from trackgate.storage.models import ShieldHook

router = APIRouter(include_in_schema=False)

#: an event is one object: anything longer is refused unread
MAX_BODY = 1024 * 1024


def _unknown() -> GatewayError:
    return GatewayError(404, "unknown_subscription", "No such subscription")


@router.post("/hooks/toggl/{hook_id}")
async def receive(request: Request, hook_id: str) -> JSONResponse:
    if len(hook_id) > 64:
        raise _unknown()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise GatewayError(413, "too_large", "The event is too large")
    signature = request.headers.get(HEADER)
    if not signature:
        raise GatewayError(401, "unsigned", f"The {HEADER} header is missing")
    state = gateway_state(request)
    answer = await run_in_threadpool(_received, state.runtime, hook_id, body, signature)
    return JSONResponse(answer)


def _received(runtime: Any, hook_id: str, body: bytes, signature: str) -> dict[str, Any]:
    now = time.time()
    with runtime.db.write() as session:
        hook = session.get(ShieldHook, hook_id)
        if hook is None:
            raise _unknown()
        try:
            secret = records.secret_of(runtime.keyring, hook)
        except DecryptError:
            secret = None
        if secret is None or not verified(secret, body, signature):
            raise GatewayError(401, "bad_signature", "The signature does not match")
        try:
            event = json.loads(body)
        except (ValueError, RecursionError):
            raise GatewayError(400, "bad_event", "The body is not a JSON event") from None
        event_id = event.get("event_id") if isinstance(event, dict) else None
        if not isinstance(event_id, int) or isinstance(event_id, bool):
            raise GatewayError(400, "bad_event", "The event has no event_id")
        if event.get("subscription_id") not in (None, hook.subscription_id):
            raise _unknown()
        if not records.first_receipt(session, hook.id, event_id, now):
            raise GatewayError(409, "replayed", "This event was received before")
        code = event.get("validation_code")
        if event.get("payload") == "ping":
            if isinstance(code, str) and hook.validated_at is None:
                hook.validated_at = now
        elif hook.validated_at is not None:
            try:
                store.require_bound(session, hook.connection_id, hook.credential_digest)
            except store.NotBound:
                pass  # the mirror is held for another credential now: nothing to patch
            else:
                apply_event(
                    session, hook.connection_id, event.get("metadata"), event.get("payload"), now
                )
        if hook.validated_at is not None:
            records.heard(session, hook, now)
        return {"validation_code": code} if isinstance(code, str) else {"ok": True}
