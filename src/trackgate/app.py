"""The one ASGI application ``trackgate serve`` runs: service, gateway, health and docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate import __version__
from trackgate.access_log import AccessLogMiddleware
from trackgate.gateway.app import gateway_lifespan, install_gateway
from trackgate.request_id import RequestIdMiddleware
from trackgate.runtime import Runtime
from trackgate.service.app import API_PREFIX, create_service_app
from trackgate.service.errors import toggl_error_response


async def _toggl_not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await toggl_error_response(404, "Not Found")(scope, receive, send)


def embedded_upstream(service: FastAPI) -> ASGIApp:
    """The service alone, as the gateway's in-process upstream: no other path is reachable,
    and a path is answered as given (a 404 as Toggl spells it, never a redirect)."""
    return Router(
        routes=[Mount(API_PREFIX, app=service)], redirect_slashes=False, default=_toggl_not_found
    )


def _merged_openapi(app: FastAPI, service: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title="trackgate", version=__version__, routes=app.routes)
    service_schema = service.openapi()
    for path, item in service_schema.get("paths", {}).items():
        schema.setdefault("paths", {})[API_PREFIX + path] = item
    for name, component in service_schema.get("components", {}).get("schemas", {}).items():
        schema.setdefault("components", {}).setdefault("schemas", {})[name] = component
    return schema


def create_app(runtime: Runtime) -> FastAPI:
    service = create_service_app(runtime) if runtime.settings.service_enabled else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with gateway_lifespan(app):
            yield

    app = FastAPI(title="trackgate", version=__version__, lifespan=lifespan, redirect_slashes=False)
    app.state.runtime = runtime

    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    if service is not None:
        app.mount(API_PREFIX, service)
        app.openapi = lambda: _merged_openapi(app, service)  # type: ignore[method-assign]
    if runtime.settings.gateway_enabled:
        install_gateway(app, runtime, embedded_upstream(service) if service else None)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
