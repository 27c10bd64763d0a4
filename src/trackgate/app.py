"""The one ASGI application ``trackgate serve`` runs: service, gateway, health and docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate import __version__
from trackgate.access_log import AccessLogMiddleware
from trackgate.docs import install_docs
from trackgate.gateway.app import gateway_lifespan, install_gateway
from trackgate.html_page import PAGE_HEADERS
from trackgate.landing import landing_page
from trackgate.openapi import install_openapi
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


def create_app(runtime: Runtime) -> FastAPI:
    service = create_service_app(runtime) if runtime.settings.service_enabled else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with gateway_lifespan(app):
            yield

    app = FastAPI(
        title="trackgate",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    app.state.runtime = runtime

    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/", include_in_schema=False)
    def landing() -> Response:
        return HTMLResponse(landing_page(runtime.settings), headers=PAGE_HEADERS)

    install_docs(app, "trackgate")
    mounted: dict[str, FastAPI] = {}
    if service is not None:
        app.mount(API_PREFIX, service)
        mounted[API_PREFIX] = service
    install_openapi(app, mounted, gateway=runtime.settings.gateway_enabled)
    if runtime.settings.gateway_enabled:
        install_gateway(app, runtime, embedded_upstream(service) if service else None)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
