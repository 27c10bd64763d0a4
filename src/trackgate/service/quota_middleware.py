"""Applies the emulated Toggl limits (:mod:`trackgate.service.quota`) to the service's requests.

A pure ASGI middleware inside the service's authentication (which leaves the caller in the
scope): it counts the request in its bucket, and either lets it through with the quota headers
on the answer or answers 402 / 429 itself. A request whose credentials are missing or wrong
never reaches it, so it is not counted. ``GET /me/quota`` is not counted either: it is how a
client learns what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from limits.errors import StorageError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trackgate.netaddr import client_address
from trackgate.runtime import Runtime
from trackgate.service.auth import CALLER_SCOPE_KEY, Caller
from trackgate.service.errors import toggl_error_response
from trackgate.service.quota import QuotaEmulation, scope_of, spent_message
from trackgate.storage.models import Workspace
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.service.quota")

#: How long a workspace's organization is remembered without asking the database.
ORGANIZATION_CACHE_SECONDS = 300.0


class QuotaMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        runtime: Runtime,
        emulation: QuotaEmulation,
        charged_as: Callable[[str], str] | None = None,
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.emulation = emulation
        #: the v9 path a request of another API is charged as (its workspace's bucket)
        self.charged_as = charged_as
        self._organizations: TtlCache[int, int] = TtlCache(ORGANIZATION_CACHE_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = scope.get(CALLER_SCOPE_KEY)
        if not isinstance(caller, Caller):
            await self.app(scope, receive, send)
            return
        user_id = caller.user_id
        try:
            await self._limited(scope, receive, send, user_id)
        except StorageError as exc:
            log.warning("quota emulation skipped: storage unavailable (%s)", type(exc).__name__)
            await self.app(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, user_id: int) -> None:
        path: str = scope["path"]
        client = client_address(HTTPConnection(scope), self.runtime.settings.trusted_proxies)
        retry_after = await self.emulation.rate_retry_after(user_id, client)
        if retry_after is not None:
            message = "Too many requests; slow down to about one request per second"
            answer = toggl_error_response(429, message, {"Retry-After": str(retry_after)})
            await answer(scope, receive, send)
            return
        if not self.emulation.counts_quota or path.rstrip("/").endswith("/me/quota"):
            await self.app(scope, receive, send)
            return
        charged = self.charged_as(path) if self.charged_as else path
        charge = await self.emulation.charge(user_id, await self._organization(charged))
        if not charge.allowed:
            answer = toggl_error_response(402, spent_message(charge.resets_in), charge.headers())
            await answer(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in charge.headers().items()]

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_quota)

    async def _organization(self, path: str) -> int | None:
        named = scope_of(path)
        if named.organization_id is not None or named.workspace_id is None:
            return named.organization_id
        wid = named.workspace_id
        cached = self._organizations.get(wid)
        if cached is not None:
            return cached
        found = await run_in_threadpool(self._load_organization, wid)
        if found is not None:
            self._organizations.put(wid, found)
        return found

    def _load_organization(self, workspace_id: int) -> int | None:
        if workspace_id > 2**63 - 1:
            return None
        with self.runtime.db.read() as session:
            query = select(Workspace.organization_id).where(Workspace.id == workspace_id)
            return session.scalar(query)
