"""The hottest reads (``GET /me``, the running entry, the entry listing) answered right after
authentication, past FastAPI's routing and dependency resolution.

Profiled, routing among the service's routes, solving the dependencies and running the
framework's inner middleware cost as much as the reads themselves. The routes stay declared
in FastAPI (for the OpenAPI document, ``HEAD`` and anything this layer does not take) and
call the same functions with the same query parameters, so both answer alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.service.auth import CALLER_SCOPE_KEY, Caller, route_path
from trackgate.service.errors import TogglError, toggl_error_response
from trackgate.service.responses import TogglJSON
from trackgate.service.routes.me import me_body
from trackgate.service.routes.time_entries import listing, running

Read = Callable[[Caller, QueryParams], Any]

READS: Mapping[str, Read] = {
    "/me": lambda caller, q: me_body(caller, q.get("with_related_data")),
    "/me/time_entries/current": lambda caller, q: running(caller),
    "/me/time_entries": lambda caller, q: listing(
        caller,
        q.get("since"),
        q.get("before"),
        q.get("start_date"),
        q.get("end_date"),
        q.get("meta"),
    ),  # fmt: skip
}


class HotReads:
    """ASGI middleware of the service, inside :class:`AuthenticateFirst` (and the quota
    emulation): a ``GET`` of a path in :data:`READS` is answered here."""

    def __init__(self, app: ASGIApp, reads: Mapping[str, Read] = READS) -> None:
        self.app = app
        self.reads = reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = (
            self.reads.get(route_path(scope))
            if scope["type"] == "http" and scope["method"] == "GET"
            else None
        )
        caller = scope.get(CALLER_SCOPE_KEY)
        if read is None or not isinstance(caller, Caller):
            await self.app(scope, receive, send)
            return
        try:
            body = read(caller, QueryParams(scope["query_string"]))
        except TogglError as exc:
            await toggl_error_response(exc.status, exc.message, exc.headers)(scope, receive, send)
            return
        await TogglJSON(body)(scope, receive, send)
