"""The hottest reads (``GET /me``, the running entry, the entry listing) answered right after
authentication, past FastAPI's routing and dependency resolution.

On SQLite the reads run on the event loop (an indexed read of a local file costs less than
a thread hop, measured); on PostgreSQL, in a worker thread, since a network round trip must
not hold every other request.

Profiled, routing among the service's routes, solving the dependencies and running the
framework's inner middleware cost as much as the reads themselves. The routes stay declared
in FastAPI (for the OpenAPI document, ``HEAD`` and anything this layer does not take) and
call the same functions with the same query parameters, so both answer alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.service.auth import CALLER_SCOPE_KEY, Caller, route_path
from trackgate.service.errors import TogglError, toggl_error_response
from trackgate.service.responses import TogglJSON
from trackgate.service.routes import clients, me_listings, projects, tags, time_entries
from trackgate.service.routes.me import me_body, my_workspaces_body

Read = Callable[[Caller, QueryParams], Any]
#: A read of a path with ids in it: the ids in the order of the path, then the query.
ReadOf = Callable[[Caller, tuple[int, ...], QueryParams], Any]

READS: Mapping[str, Read] = {
    "/me": lambda caller, q: me_body(caller, q.get("with_related_data")),
    "/me/time_entries/current": lambda caller, q: time_entries.running(caller),
    "/me/time_entries": lambda caller, q: time_entries.listing(
        caller,
        q.get("since"),
        q.get("before"),
        q.get("start_date"),
        q.get("end_date"),
        q.get("meta"),
    ),  # fmt: skip
    "/me/projects": lambda caller, q: me_listings.projects_body(
        caller, q.get("include_archived"), q.get("since")
    ),
    "/me/clients": lambda caller, q: me_listings.clients_body(caller, q.get("since")),
    "/me/tags": lambda caller, q: me_listings.tags_body(caller, q.get("since")),
    "/me/tasks": lambda caller, q: me_listings.tasks_body(
        caller,
        q.get("since"),
        q.get("include_not_active"),
        q.get("meta"),
        q.get("offset"),
        q.get("per_page"),
    ),  # fmt: skip
    "/me/workspaces": lambda caller, q: my_workspaces_body(caller, q.get("since")),
}

#: Paths with ids, by their shape: ``#`` stands for an id segment.
READS_OF: Mapping[str, ReadOf] = {
    "/me/time_entries/#": lambda caller, ids, q: time_entries.one(caller, ids[0], q.get("meta")),
    "/workspaces/#/projects": lambda caller, ids, q: projects.listing(
        caller,
        ids[0],
        q.get("active"),
        q.get("since"),
        q.get("billable"),
        q.get("client_ids"),
        q.get("name"),
        q.get("page"),
        q.get("per_page"),
        q.get("sort_field"),
        q.get("sort_order"),
        q.get("sort_pinned"),
    ),  # fmt: skip
    "/workspaces/#/projects/#": lambda caller, ids, q: projects.one(caller, ids[0], ids[1]),
    "/workspaces/#/clients": lambda caller, ids, q: clients.listing(
        caller, ids[0], q.get("status"), q.get("name")
    ),
    "/workspaces/#/clients/#": lambda caller, ids, q: clients.one(caller, ids[0], ids[1]),
    "/workspaces/#/tags": lambda caller, ids, q: tags.listing(
        caller, ids[0], q.get("page"), q.get("per_page")
    ),
}

#: Ids this layer reads itself: plain decimal digits, few enough to be a 64-bit integer.
#: Anything else (a sign, ``+``, a huge number, a word) goes to the route, whose validation
#: answers it.
_MAX_ID_DIGITS = 18


def _shaped(path: str) -> tuple[str, tuple[int, ...]] | None:
    """The path's shape (ids as ``#``) and its ids, or None if no segment is an id."""
    parts = path.split("/")
    ids: list[int] = []
    for i, part in enumerate(parts):
        if part.isdigit() and part.isascii() and len(part) <= _MAX_ID_DIGITS:
            ids.append(int(part))
            parts[i] = "#"
    return ("/".join(parts), tuple(ids)) if ids else None


def find_read(path: str) -> Read | None:
    """What answers a ``GET`` of ``path`` here, or None (the route does)."""
    read = READS.get(path)
    if read is not None:
        return read
    shaped = _shaped(path)
    if shaped is None:
        return None
    shape, ids = shaped
    read_of = READS_OF.get(shape)
    if read_of is None:
        return None
    return lambda caller, q: read_of(caller, ids, q)


class HotReads:
    """ASGI middleware of the service, inside :class:`AuthenticateFirst` (and the quota
    emulation): a ``GET`` of a path in :data:`READS` or of a shape in :data:`READS_OF` is
    answered here."""

    def __init__(self, app: ASGIApp, find: Callable[[str], Read | None] = find_read) -> None:
        self.app = app
        self.find = find

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = (
            self.find(route_path(scope))
            if scope["type"] == "http" and scope["method"] == "GET"
            else None
        )
        caller = scope.get(CALLER_SCOPE_KEY)
        if read is None or not isinstance(caller, Caller):
            await self.app(scope, receive, send)
            return
        query = QueryParams(scope["query_string"])
        try:
            if caller.runtime.db.is_sqlite:  # indexed reads of a local file: no thread hop
                body = read(caller, query)
            else:  # a network round trip must not hold the event loop
                body = await run_in_threadpool(read, caller, query)
        except TogglError as exc:
            await toggl_error_response(exc.status, exc.message, exc.headers)(scope, receive, send)
            return
        await TogglJSON(body)(scope, receive, send)
