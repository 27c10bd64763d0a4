"""Who made a change, and through which request: the ``metadata`` of the events it causes.

Set by :class:`RequestContext` around each request to the service, read by the outbox in the
write's transaction (context variables reach the worker threads of sync routes)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.service.auth import CALLER_SCOPE_KEY, Caller


@dataclass(frozen=True)
class Origin:
    method: str
    path: str
    user_id: int | None


_origin: ContextVar[Origin | None] = ContextVar("trackgate_webhook_origin", default=None)


def current_origin() -> Origin | None:
    return _origin.get()


def full_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path if not root or path.startswith(root) else root + path


class RequestContext:
    """ASGI middleware inside the service's authentication: records the caller's request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = scope.get(CALLER_SCOPE_KEY)
        user_id = caller.user_id if isinstance(caller, Caller) else None
        token = _origin.set(Origin(scope["method"], full_path(scope), user_id))
        try:
            await self.app(scope, receive, send)
        finally:
            _origin.reset(token)
