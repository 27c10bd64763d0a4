"""The one ASGI application ``trackgate serve`` runs: service, gateway, health and docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate import __version__
from trackgate.cidrs import parse_networks
from trackgate.edge import Edge
from trackgate.gateway.app import gateway_lifespan, install_gateway
from trackgate.gateway.connections import APPS
from trackgate.gateway.proxy import proxy_endpoint
from trackgate.metrics import Metrics, allowed
from trackgate.readiness import readiness
from trackgate.runtime import Runtime
from trackgate.service.app import API_PREFIX, RequestSession, create_service_app


def embedded_upstream(service: ASGIApp) -> Starlette:
    """The service alone, as the gateway's in-process upstream: no other path is reachable."""
    return Starlette(routes=[Mount(API_PREFIX, app=service)])


def _merged_openapi(app: FastAPI, service: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title="trackgate", version=__version__, routes=app.routes)
    service_schema = service.openapi()
    for path, item in service_schema.get("paths", {}).items():
        schema.setdefault("paths", {})[API_PREFIX + path] = item
    for name, component in service_schema.get("components", {}).get("schemas", {}).items():
        schema.setdefault("components", {}).setdefault("schemas", {})[name] = component
    return schema


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


def create_app(runtime: Runtime) -> FastAPI:
    service = create_service_app(runtime) if runtime.settings.service_enabled else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with gateway_lifespan(app):
            yield

    app = TrackgateApp(title="trackgate", version=__version__, lifespan=lifespan)
    app.state.runtime = runtime
    proxy_prefixes = tuple(f"/{name}/" for name in APPS) if runtime.settings.gateway_enabled else ()
    app.state.metrics = Metrics(proxy_prefixes)
    metrics_networks = parse_networks(runtime.settings.metrics_allow, "TRACKGATE_METRICS_ALLOW")

    @app.get("/healthz", tags=["health"])
    async def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        client = request.client.host if request.client else None
        if not allowed(client, metrics_networks):
            return JSONResponse(
                {"error": {"code": "not_found", "message": "Not Found"}}, status_code=404
            )
        body, content_type = app.state.metrics.exposition()
        return Response(body, media_type=content_type)

    @app.get("/readyz", tags=["health"])
    def readyz() -> Response:
        ready, checks = readiness(runtime)
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", **checks},
            status_code=200 if ready else 503,
        )

    served = RequestSession(service, runtime.db) if service is not None else None
    if service is not None and served is not None:
        app.mount(API_PREFIX, served)  # for the schema and url_for; calls come via the edge
        app._service = (API_PREFIX, served)
        app.openapi = lambda: _merged_openapi(app, service)  # type: ignore[method-assign]
    if runtime.settings.gateway_enabled:
        install_gateway(app, runtime, embedded_upstream(served) if served else None)
    return app
