"""Who is calling the service: HTTP Basic with ``token:api_token`` or ``email:password``.

No header: 401 with an empty body. Wrong credentials: 403. Too many failures from one
address: 429 before any credential is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trackgate.basic_auth import parse_basic
from trackgate.netaddr import client_address
from trackgate.runtime import Runtime
from trackgate.service.errors import Forbidden, TooManyRequests, Unauthorized
from trackgate.service.passwords import verified
from trackgate.service.users import user_by_email, user_by_token
from trackgate.storage.models import User


@dataclass(frozen=True)
class Caller:
    """The authenticated user (loaded by the request's read session) and the process runtime."""

    user: User
    runtime: Runtime

    @property
    def user_id(self) -> int:
        return self.user.id


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _check(session: Session, name: str, password: str) -> User | None:
    if not name or "\x00" in name:
        return None  # PostgreSQL cannot even compare text holding NUL
    if password == "api_token":
        return user_by_token(session, name)
    user = user_by_email(session, name)
    if user is None or not user.password_hash:
        return None
    return user if verified.verify(user.password_hash, password) else None


def _lookup(runtime: Runtime, name: str, password: str) -> User | None:
    with runtime.db.read() as session:
        return _check(session, name, password)


async def current_caller(request: Request) -> Caller:
    """FastAPI dependency: the calling user, or the Toggl-shaped refusal.

    An API token is one indexed read, done on the event loop (a thread hop costs more than
    the read); a password goes through its slow hash in a worker thread."""
    runtime = runtime_of(request)
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized()
    client = client_address(request)
    guarded = not request.scope.get("trackgate.internal", False)
    if guarded and runtime.failures.blocked(client):
        raise TooManyRequests(
            "Too many failed authentication attempts; try again later",
            runtime.failures.retry_after(client),
        )
    credentials = parse_basic(header)
    user = None
    if credentials is not None and credentials[1] == "api_token":
        user = _lookup(runtime, *credentials)
    elif credentials is not None:
        user = await run_in_threadpool(_lookup, runtime, *credentials)
    if user is None:
        if guarded:
            runtime.failures.failed(client)
        raise Forbidden()
    return Caller(user=user, runtime=runtime)
