"""Who is calling the service: HTTP Basic with ``token:api_token`` or ``email:password``.

No header: 401 with an empty body. Wrong credentials: 403 (a trackgate gateway key says that
gateway calls go under ``/toggl-track/``). Too many failures from one address: 429 before any
credential is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from trackgate.basic_auth import parse_basic, presents_gateway_key
from trackgate.netaddr import client_address
from trackgate.runtime import Runtime
from trackgate.service.errors import Forbidden, TooManyRequests, Unauthorized
from trackgate.service.passwords import verified
from trackgate.service.users import user_by_email, user_by_token
from trackgate.storage.models import User

GATEWAY_KEY_HINT = (
    "This is a trackgate gateway key, not a Toggl API token: gateway calls go under "
    "/toggl-track/, e.g. /toggl-track/api/v9/me"
)


@dataclass(frozen=True)
class Caller:
    """The authenticated user (detached from any session) and the process runtime."""

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


def current_caller(request: Request) -> Caller:
    """FastAPI dependency: the calling user, or the Toggl-shaped refusal."""
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
    if credentials is not None:
        with runtime.db.read() as session:
            user = _check(session, *credentials)
    if user is None:
        if guarded:
            runtime.failures.failed(client)
        if presents_gateway_key(header):
            raise Forbidden(GATEWAY_KEY_HINT)
        raise Forbidden()
    return Caller(user=user, runtime=runtime)
