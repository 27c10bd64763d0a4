"""The one ASGI application ``trackgate serve`` runs: service, gateway, health and docs."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate import __version__
from trackgate.docs import install_docs
from trackgate.edge import Edge
from trackgate.gateway.app import gateway_lifespan, install_gateway
from trackgate.gateway.connections import APPS
from trackgate.gateway.proxy import proxy_endpoint
from trackgate.invalidation_bus import invalidations_running
from trackgate.metrics import Metrics, allowed
from trackgate.openapi import install_openapi
from trackgate.pages import static
from trackgate.pages.console import routes as console_routes
from trackgate.pages.landing import landing_page
from trackgate.pages.shell import PAGE_HEADERS
from trackgate.readiness import readiness
from trackgate.reports import REPORTS_PREFIX, create_reports_app
from trackgate.runtime import Runtime
from trackgate.service.app import API_PREFIX, RequestSession, create_service_app
from trackgate.service.errors import toggl_error_response
from trackgate.service.webhooks import WEBHOOKS_PREFIX, create_webhooks_app, delivery_running


async def _toggl_not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await toggl_error_response(404, "Not Found")(scope, receive, send)


def embedded_upstream(service: ASGIApp, reports: ASGIApp, webhooks: ASGIApp) -> ASGIApp:
    """The service, its reports and webhooks alone, as the gateway's in-process upstream: no
    other path is reachable, and a path is answered as given (a 404 as Toggl spells it, never
    a redirect)."""
    return Router(
        routes=[
            Mount(API_PREFIX, app=service),
            Mount(REPORTS_PREFIX, app=reports),
            Mount(WEBHOOKS_PREFIX, app=webhooks),
        ],
        redirect_slashes=False,
        default=_toggl_not_found,
    )


class TrackgateApp(FastAPI):
    """FastAPI behind :class:`Edge`: request ids, the access log, size caps and the proxy's
    fast path in one layer that runs before the framework's own per-request work."""

    _edge: Edge | None = None
    #: the service's prefix and application, reached from the edge without the outer router
    _service: tuple[str, ASGIApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._edge is None:
            runtime: Runtime = self.state.runtime
            self._edge = Edge(
                super().__call__,
                max_body=runtime.settings.max_body,
                proxy=proxy_endpoint(self),
                proxy_prefixes=tuple(f"/{name}/" for name in APPS),
                mounted=self._service,
                metrics=self.state.metrics,
            )
        await self._edge(scope, receive, send)


def _reload_keys_on_sighup(runtime: Runtime) -> None:
    """``kill -HUP`` makes a serving process read its keys again (after ``secrets rotate``)."""
    if threading.current_thread() is not threading.main_thread():
        return  # an app run in a test's thread: no signals there
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, runtime.keyring.reload)
    except (NotImplementedError, RuntimeError, ValueError):
        pass


def _install_mcp(app: FastAPI) -> None:
    """``/mcp``: the agent tools for gateway callers, acting through the proxy in-process."""
    from trackgate.mcp.http import MCP_PATH, McpEndpoint

    endpoint = McpEndpoint(app, app.state.gateway)
    app.state.mcp = endpoint
    app.router.routes.insert(0, Route(MCP_PATH, endpoint, include_in_schema=False))


@asynccontextmanager
async def _mcp_running(app: FastAPI) -> AsyncIterator[None]:
    endpoint = getattr(app.state, "mcp", None)
    if endpoint is None:
        yield
        return
    async with endpoint.running():
        yield


@asynccontextmanager
async def _deliveries_running(runtime: Runtime, serving: bool) -> AsyncIterator[None]:
    """The webhook delivery worker, wherever the service runs."""
    if not serving:
        yield
        return
    async with delivery_running(runtime):
        yield


def create_app(runtime: Runtime) -> FastAPI:
    service = create_service_app(runtime) if runtime.settings.service_enabled else None
    reports = create_reports_app(runtime) if service is not None else None
    webhooks = (
        create_webhooks_app(runtime, service.state.quota_emulation) if service is not None else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _reload_keys_on_sighup(runtime)
        async with (
            invalidations_running(runtime.invalidations, runtime.settings.redis_url),
            gateway_lifespan(app),
            _mcp_running(app),
            _deliveries_running(runtime, webhooks is not None),
        ):
            yield

    app = TrackgateApp(
        title="trackgate",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    app.state.runtime = runtime
    proxy_prefixes = tuple(f"/{name}/" for name in APPS) if runtime.settings.gateway_enabled else ()
    app.state.metrics = Metrics(proxy_prefixes)
    if runtime.settings.metrics_quota:
        from trackgate.quota_gauges import QuotaGauges

        app.state.metrics.registry.register(QuotaGauges(runtime.db))
    metrics_networks = runtime.settings.metrics_allow

    @app.get("/healthz", tags=["health"])
    async def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/readyz", tags=["health"])
    def readyz() -> Response:
        ready, checks = readiness(runtime)
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", **checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        client = request.client.host if request.client else None
        if not allowed(client, metrics_networks):
            return JSONResponse(
                {"error": {"code": "not_found", "message": "Not Found"}}, status_code=404
            )
        # off the event loop: the quota gauges, when on, read the database
        body, content_type = await run_in_threadpool(app.state.metrics.exposition)
        return Response(body, media_type=content_type)

    @app.get("/", include_in_schema=False)
    def landing() -> Response:
        return HTMLResponse(landing_page(runtime.settings), headers=PAGE_HEADERS)

    app.include_router(static.router)

    install_docs(app, "trackgate")
    mounted: dict[str, FastAPI] = {}
    served: ASGIApp | None = None
    embedded = None
    if service is not None and reports is not None and webhooks is not None:
        served = RequestSession(service, runtime.db)
        hooks = RequestSession(webhooks, runtime.db)
        app.mount(API_PREFIX, served)  # for url_for and the router; calls come via the edge
        app._service = (API_PREFIX, served)
        app.mount(REPORTS_PREFIX, reports)
        app.mount(WEBHOOKS_PREFIX, hooks)
        mounted[API_PREFIX] = service
        mounted[REPORTS_PREFIX] = reports
        mounted[WEBHOOKS_PREFIX] = webhooks
        embedded = embedded_upstream(served, reports, hooks)
    install_openapi(app, mounted, gateway=runtime.settings.gateway_enabled)
    if runtime.settings.gateway_enabled:
        app.include_router(console_routes.router)  # before the proxy's catch-all
        install_gateway(app, runtime, embedded)
        _install_mcp(app)
    return app
