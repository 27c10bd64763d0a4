"""The one ASGI application ``trackgate serve`` runs: service, gateway, health and docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from trackgate import __version__
from trackgate.access_log import AccessLogMiddleware
from trackgate.gateway.app import gateway_lifespan, install_gateway
from trackgate.request_id import RequestIdMiddleware
from trackgate.runtime import Runtime
from trackgate.service.app import API_PREFIX, create_service_app


def embedded_upstream(service: FastAPI) -> Starlette:
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


def _install_mcp(app: FastAPI) -> None:
    """``/mcp``: the agent tools for gateway callers, acting through the proxy in-process."""
    from trackgate.mcp.http import MCP_PATH, McpEndpoint

    endpoint = McpEndpoint(app, app.state.gateway.keys)
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


def create_app(runtime: Runtime) -> FastAPI:
    service = create_service_app(runtime) if runtime.settings.service_enabled else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with gateway_lifespan(app), _mcp_running(app):
            yield

    app = FastAPI(title="trackgate", version=__version__, lifespan=lifespan)
    app.state.runtime = runtime

    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    if service is not None:
        app.mount(API_PREFIX, service)
        app.openapi = lambda: _merged_openapi(app, service)  # type: ignore[method-assign]
    if runtime.settings.gateway_enabled:
        install_gateway(app, runtime, embedded_upstream(service) if service else None)
        _install_mcp(app)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
