"""Who is calling the service: HTTP Basic with ``token:api_token`` or ``email:password``.

No header: 401 with an empty body. Wrong credentials: 403 (a trackgate gateway key is told
that gateway calls go under ``/toggl-track/``). Every call is authenticated by
:class:`AuthenticateFirst` before the router reads or parses its body, so a caller without
valid credentials costs no more than its headers.

Failures are limited per client address. Over the limit an API token (a digest look-up) is
still checked, and a password only for an email that logged in from the same address lately;
everything else gets 429 without a check, so a guesser cannot lock out everyone else on its
address, nor make the server run a slow hash for each guess. An unknown email costs a hash
like a known one, so the time of an answer does not tell which emails exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.basic_auth import parse_basic, presents_gateway_key
from trackgate.netaddr import client_address
from trackgate.runtime import Runtime
from trackgate.service.errors import (
    Forbidden,
    TogglError,
    TooManyRequests,
    Unauthorized,
    log_unexpected,
    toggl_error_response,
)
from trackgate.service.passwords import verified, verify_decoy
from trackgate.service.users import user_by_email, user_by_token
from trackgate.storage.records import UserRecord, user_record_of

#: Marks a request the gateway itself sends in-process (see ``gateway.upstream``): its
#: failures are not counted against the shared loopback address.
INTERNAL_SCOPE_KEY = "trackgate.internal"
#: Where :class:`AuthenticateFirst` leaves the caller for the routes.
CALLER_SCOPE_KEY = "trackgate.caller"
GATEWAY_KEY_HINT = (
    "This is a trackgate gateway key, not a Toggl API token: gateway calls go under "
    "/toggl-track/, e.g. /toggl-track/api/v9/me"
)


@dataclass(frozen=True)
class Caller:
    """The authenticated user (as read when the call was authenticated) and the runtime."""

    user: UserRecord
    runtime: Runtime

    @property
    def user_id(self) -> int:
        return self.user.id


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _check(runtime: Runtime, name: str, password: str) -> UserRecord | None:
    if not name or "\x00" in name:
        return None  # PostgreSQL cannot even compare text holding NUL
    if password == "api_token":
        return user_by_token(runtime.db, name)
    with runtime.db.read() as session:
        user = user_by_email(session, name)
        if user is None or not user.password_hash:
            verify_decoy(password)
            return None
        return user_record_of(user) if verified.verify(user.password_hash, password) else None


def _too_many(runtime: Runtime, client: str) -> TooManyRequests:
    return TooManyRequests(
        "Too many failed authentication attempts; try again later",
        runtime.failures.retry_after(client),
    )


def authenticate(runtime: Runtime, conn: HTTPConnection) -> UserRecord:
    """The calling user, or the Toggl-shaped refusal (401, 403 or 429) as a TogglError."""
    header = conn.headers.get("authorization")
    if not header:
        raise Unauthorized()
    failures = runtime.failures
    client = client_address(conn, runtime.settings.trusted_proxies)
    guarded = not conn.scope.get(INTERNAL_SCOPE_KEY, False)
    blocked = guarded and failures.blocked(client)
    credentials = parse_basic(header)
    user = None
    if credentials is not None:
        name, password = credentials
        by_password = password != "api_token"
        if blocked and by_password and not failures.remembered(client, name):
            raise _too_many(runtime, client)
        user = _check(runtime, name, password)
    if user is None:
        if guarded:
            failures.failed(client)
        if blocked:
            raise _too_many(runtime, client)
        raise Forbidden(GATEWAY_KEY_HINT) if presents_gateway_key(header) else Forbidden()
    if guarded and by_password:
        failures.remember(client, name)
    return user


def _by_token(header: str | None) -> bool:
    credentials = parse_basic(header) if header else None
    return credentials is not None and credentials[1] == "api_token"


async def authenticated(runtime: Runtime, conn: HTTPConnection) -> UserRecord:
    """:func:`authenticate` where it is cheapest: an API token (one indexed read, less than a
    thread hop) on the event loop; a password, with its slow hash, in a worker thread."""
    if _by_token(conn.headers.get("authorization")):
        return authenticate(runtime, conn)
    return await run_in_threadpool(authenticate, runtime, conn)


def route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class AuthenticateFirst:
    """ASGI middleware of the service: authenticate before any route reads the body."""

    def __init__(self, app: ASGIApp, runtime: Runtime, open_paths: frozenset[str]) -> None:
        self.app = app
        self.runtime = runtime
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope) in self.open_paths:
            await self.app(scope, receive, send)
            return
        try:
            user = await authenticated(self.runtime, HTTPConnection(scope))
        except TogglError as exc:
            response = toggl_error_response(exc.status, exc.message, exc.headers)
            await response(scope, receive, send)
            return
        except Exception as exc:  # noqa: BLE001 - a database failure: Toggl's 500, logged
            log_unexpected(exc, scope["method"], scope["path"])
            await toggl_error_response(500, "Internal Server Error")(scope, receive, send)
            return
        scope[CALLER_SCOPE_KEY] = Caller(user=user, runtime=self.runtime)
        await self.app(scope, receive, send)


async def current_caller(request: Request) -> Caller:
    """FastAPI dependency: the caller :class:`AuthenticateFirst` found (or, for a route
    served without it, the same check now)."""
    caller = request.scope.get(CALLER_SCOPE_KEY)
    if isinstance(caller, Caller):
        return caller
    runtime = runtime_of(request)
    user = await authenticated(runtime, request)
    return Caller(user=user, runtime=runtime)
