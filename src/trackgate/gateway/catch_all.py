"""The proxy's catch-all route: a path whose first segment names no app is answered 404
``unknown_app`` before any key is asked for, so a mistyped path (``/reports/...`` without
``/toggl-track``) reads as the wrong place, not as a bad key."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.gateway.connections import APPS
from trackgate.gateway.errors import gateway_error_response, not_found


class KnownAppsOnly:
    """Passes calls for a known app to ``endpoint``; answers the rest 404 ``unknown_app``."""

    def __init__(self, endpoint: ASGIApp) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = unquote(scope["path"].lstrip("/").partition("/")[0])
        if app in APPS:
            await self.endpoint(scope, receive, send)
            return
        error = not_found("unknown_app", f"Unknown app {app!r}; known: {', '.join(APPS)}")
        await gateway_error_response(error)(scope, receive, send)
