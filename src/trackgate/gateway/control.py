"""The control API, Maton's shape: ``/connections`` and ``/connections/{id}``.

Every answer is JSON; every failure is a gateway error. An account sees only its own
connections: another account's id is answered 404, exactly like an unknown one. Any key of the
account may use it, whatever its scopes: it manages connections, never Toggl data, and a key
does no more with a connection than both its scopes and the connection's grant allow. A
connection is shown with its ``failure_reason`` (null unless FAILED) and its ``budgets``: each
of the account's keys that has a budget, and the upstream requests it spent in the sliding
hour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from trackgate.gateway.auth import GatewayCaller
from trackgate.gateway.connections import (
    APPS,
    MAX_PENDING,
    STATUSES,
    TooManyPending,
    connect_url,
    connection_json,
    create_connection,
    delete_connection,
    ensure_tokens,
    list_connections,
    owned_connection,
)
from trackgate.gateway.credential_store import open_credential
from trackgate.gateway.errors import GatewayError, bad_request, not_found
from trackgate.gateway.keys import list_keys
from trackgate.gateway.shield_hooks import unsubscribe
from trackgate.gateway.state import GatewayState, gateway_state
from trackgate.invalidation import CONNECTION, Invalidation
from trackgate.shield import connection_quotas
from trackgate.shield.hooks import records as hook_records
from trackgate.storage.models import ApiKey, Connection

router = APIRouter(tags=["connections"])

MAX_BODY_BYTES = 16 * 1024


def unknown_app(app: str) -> GatewayError:
    return not_found("unknown_app", f"Unknown app {app!r}; known apps: {', '.join(APPS)}")


def unknown_connection() -> GatewayError:
    return not_found("connection_not_found", "No such connection")


def _caller(request: Request) -> GatewayCaller:
    return gateway_state(request).keys.caller(request)


@dataclass
class Rendered:
    """Connections as shown, before each gets the budgets of the account's keys."""

    connections: list[dict[str, Any]]
    #: the account's live keys that have a budget
    budgeted: list[ApiKey]


def _render(state: GatewayState, account_id: str, connections: list[Connection]) -> Rendered:
    runtime = state.runtime
    tokens = ensure_tokens(runtime.db, runtime.keyring, [c.id for c in connections])
    root = runtime.settings.root_url
    with runtime.db.read() as session:
        quotas = connection_quotas(session, [c.id for c in connections])
        budgeted = [
            key
            for key in list_keys(session, account_id)
            if key.revoked_at is None and key.budget is not None
        ]
    shown = [
        {
            **connection_json(c, connect_url(root, tokens[c.id]) if c.id in tokens else None),
            "quota": quotas[c.id],
        }
        for c in connections
    ]
    return Rendered(shown, budgeted)


async def _with_budgets(state: GatewayState, rendered: Rendered) -> list[dict[str, Any]]:
    """The connections, each with what the account's budgeted keys spent this hour."""
    proxy = state.proxy
    budgets = []
    for key in rendered.budgeted:
        assert key.budget is not None
        spent = await proxy.limits.budgets.spent(key.id, key.budget) if proxy else 0
        budgets.append({"key_id": key.id, "name": key.name, "budget": key.budget, "spent": spent})
    return [{**shown, "budgets": budgets} for shown in rendered.connections]


def _filters(request: Request) -> tuple[str | None, str | None]:
    app = request.query_params.get("app") or None
    status = request.query_params.get("status") or None
    if app is not None and app not in APPS:
        raise unknown_app(app)
    if status is not None:
        status = status.upper()
        if status not in STATUSES:
            raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    return app, status


def _listed(state: GatewayState, account_id: str, app: str | None, status: str | None) -> Rendered:
    with state.runtime.db.read() as session:
        found = list_connections(session, account_id, app, status)
    return _render(state, account_id, found)


@router.get("/connections", summary="List the caller's connections")
async def list_route(request: Request) -> JSONResponse:
    caller = await run_in_threadpool(_caller, request)
    app, status = _filters(request)
    state = gateway_state(request)
    rendered = await run_in_threadpool(_listed, state, caller.account_id, app, status)
    return JSONResponse({"connections": await _with_budgets(state, rendered)})


async def _read_app(request: Request) -> str:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise bad_request("The request body is too large")
    try:
        payload = json.loads(body or b"null")
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise bad_request('The request body must be JSON such as {"app": "toggl-track"}') from exc
    if not isinstance(payload, dict):
        raise bad_request('The request body must be a JSON object such as {"app": "toggl-track"}')
    app = payload.get("app")
    if not isinstance(app, str) or not app:
        raise bad_request('"app" is required, e.g. {"app": "toggl-track"}')
    if app not in APPS:
        raise unknown_app(app)
    return app


def _create(state: GatewayState, account_id: str, app: str) -> Rendered:
    try:
        with state.runtime.db.write() as session:
            connection = create_connection(session, account_id, app)
    except TooManyPending:
        raise bad_request(
            f"This account already has {MAX_PENDING} connections waiting to be completed; "
            "complete or delete one first",
            "too_many_pending",
        ) from None
    return _render(state, account_id, [connection])


@router.post("/connections", summary="Start a connection: PENDING, with a connect url")
async def create_route(request: Request) -> JSONResponse:
    caller = await run_in_threadpool(_caller, request)
    app = await _read_app(request)
    state = gateway_state(request)
    rendered = await run_in_threadpool(_create, state, caller.account_id, app)
    return JSONResponse({"connection": (await _with_budgets(state, rendered))[0]})


def _one(state: GatewayState, account_id: str, connection_id: str) -> Rendered:
    with state.runtime.db.read() as session:
        connection = owned_connection(session, account_id, connection_id)
    if connection is None:
        raise unknown_connection()
    return _render(state, account_id, [connection])


@router.get("/connections/{connection_id}", summary="One connection of the caller")
async def get_route(request: Request, connection_id: str) -> JSONResponse:
    caller = await run_in_threadpool(_caller, request)
    state = gateway_state(request)
    rendered = await run_in_threadpool(_one, state, caller.account_id, connection_id)
    return JSONResponse({"connection": (await _with_budgets(state, rendered))[0]})


@router.delete("/connections/{connection_id}", summary="Delete a connection and its credential")
def delete_route(request: Request, connection_id: str) -> JSONResponse:
    caller = _caller(request)
    state = gateway_state(request)
    with state.runtime.db.write() as session:
        connection = owned_connection(session, caller.account_id, connection_id)
        if connection is None:
            raise unknown_connection()
        deleted_id = connection.id
        hooks = hook_records.refs_of(session, deleted_id)
        sealed = connection.credential_ciphertext
        token = open_credential(state.runtime.keyring, deleted_id, sealed) if sealed else None
        delete_connection(session, connection)
    # committed: every process stops using it (this one at once)
    state.runtime.invalidations.announce(Invalidation(CONNECTION, deleted_id, caller.account_id))
    # its shield subscriptions go too, upstream, once answered
    later = BackgroundTask(unsubscribe, state, token, hooks) if hooks and token else None
    return JSONResponse({"connection_id": deleted_id, "deleted": True}, background=later)


@router.api_route("/connections", methods=["PUT", "PATCH"], include_in_schema=False)
@router.api_route(
    "/connections/{connection_id}", methods=["PUT", "PATCH", "POST"], include_in_schema=False
)
def not_allowed(request: Request) -> JSONResponse:
    _caller(request)
    raise GatewayError(405, "method_not_allowed", f"{request.method} is not allowed here")
