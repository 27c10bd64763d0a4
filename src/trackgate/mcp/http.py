"""``/mcp`` on ``trackgate serve``: the tools over streamable HTTP for gateway callers.

The caller's gateway key (``Authorization: Bearer``) authorises the session; a missing or wrong
key is a 401 with ``WWW-Authenticate: Bearer``. The tools offered are those the key's scopes,
within the grant of the connection its calls use, allow (see :mod:`.scoping`). Tools act
through the caller's connection (``Maton-Connection`` read on every request) by calling the
gateway's own proxy in-process, so the per-account limits, the credential guard and the quota
shield apply as to any other call. The key never reaches Toggl and the Toggl token never
reaches the agent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.client import AsyncToggl, RetryPolicy
from trackgate.crypto import digest
from trackgate.gateway.auth import presented_key
from trackgate.gateway.connections import APPS
from trackgate.gateway.errors import GatewayError, gateway_error_response, unauthorized
from trackgate.gateway.state import GatewayState
from trackgate.mcp.observe import ObservingTransport
from trackgate.mcp.scoping import SCOPES_STATE, request_scopes
from trackgate.mcp.server import build_server
from trackgate.mcp.toolkit import Toolkit
from trackgate.ttlcache import TtlCache

MCP_PATH = "/mcp"
# The in-process base URL: requests never leave the process, the name is never shown.
_IN_PROCESS_ROOT = "http://gateway.internal"
TOOLKIT_SECONDS = 600.0


class McpEndpoint:
    """The ASGI endpoint at ``/mcp``: key check, then the MCP SDK's streamable HTTP app."""

    def __init__(self, gateway_app: ASGIApp, gateway: GatewayState) -> None:
        self._gateway = gateway
        self._keys = gateway.keys
        self._http = httpx.AsyncClient(
            transport=ObservingTransport(httpx.ASGITransport(app=gateway_app)),
            timeout=60.0,
        )
        self._toolkits: TtlCache[tuple[str, str], Toolkit] = TtlCache(TOOLKIT_SECONDS)
        self.server: MCPServer = build_server(self._toolkit_for, scopes_of=request_scopes)
        self._app = self.server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            # Bearer keys, not cookies, authorise: a rebinding page cannot present one.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )

    async def _toolkit_for(self, ctx: Context) -> Toolkit:
        headers: Any = ctx.headers or {}
        key = presented_key(headers.get("authorization"))
        if key is None:  # the endpoint checked it; a message without one is not ours
            raise PermissionError("a gateway key is required")
        connection = headers.get("maton-connection") or ""
        cache_key = (digest(key), connection)
        kit = self._toolkits.get(cache_key)
        if kit is None:
            toggl = AsyncToggl(
                gateway_key=key,
                connection=connection or None,
                base_url=_IN_PROCESS_ROOT,
                http_client=self._http,
                retry=RetryPolicy(attempts=2, base_delay=0.5, max_wait=10.0),
            )
            kit = Toolkit(toggl)
            self._toolkits.put(cache_key, kit)
        return kit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            conn = HTTPConnection(scope)
            try:
                caller = self._keys.caller(conn)
            except GatewayError as exc:
                response = gateway_error_response(exc if exc.status != 401 else unauthorized())
                if exc.status == 401:
                    response.headers["WWW-Authenticate"] = 'Bearer realm="trackgate"'
                await response(scope, receive, send)
                return
            granted = caller.scopes
            proxy = self._gateway.proxy
            if proxy is not None:
                requested = (conn.headers.get("maton-connection") or "").strip() or None
                granted = await proxy.router.granted(caller, APPS[0], requested)
            scope.setdefault("state", {})[SCOPES_STATE] = granted
        await self._app(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The MCP session manager's task group, for the server's lifespan. It lives in a task
        of its own, so a lifespan entered and left by different tasks still closes it."""
        started, stop = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with self.server.session_manager.run():
                started.set()
                await stop.wait()

        holder = asyncio.create_task(hold())
        await asyncio.wait(
            {holder, asyncio.create_task(started.wait())}, return_when="FIRST_COMPLETED"
        )
        if holder.done():
            holder.result()  # the manager failed to start: raise its error here
        try:
            yield
        finally:
            stop.set()
            await holder
            await self._http.aclose()
