"""Assembles the gateway onto the server application, and opens its upstream in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.types import ASGIApp

from trackgate.gateway import control, hooks_route
from trackgate.gateway.auth import KeyVerifier
from trackgate.gateway.errors import GatewayError, gateway_error_response
from trackgate.gateway.health import health_running
from trackgate.gateway.proxy import close_proxy, install_proxy
from trackgate.gateway.state import GatewayState
from trackgate.gateway.upstream import InProcessUpstream, Upstream
from trackgate.metrics import Metrics, TimedUpstream
from trackgate.pages import connect as connect_page
from trackgate.runtime import Runtime


def make_upstream(runtime: Runtime, embedded: ASGIApp | None) -> Upstream:
    settings = runtime.settings
    if settings.upstream_url:
        from trackgate.gateway.upstream_http import HttpUpstream

        return HttpUpstream(settings.upstream_url, timeout=settings.upstream_timeout)
    if embedded is None:
        raise RuntimeError("no upstream: the service is off and no --upstream was given")
    return InProcessUpstream(embedded, timeout=settings.upstream_timeout)


def install_gateway(app: FastAPI, runtime: Runtime, embedded_upstream: ASGIApp | None) -> None:
    """Add the control API, the connect page and the proxy (which must come last)."""
    app.state.gateway = GatewayState(
        runtime=runtime, keys=KeyVerifier(runtime), metrics=getattr(app.state, "metrics", None)
    )
    app.state.gateway_embedded = embedded_upstream

    async def on_gateway_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, GatewayError)
        return gateway_error_response(exc)

    app.add_exception_handler(GatewayError, on_gateway_error)
    app.include_router(control.router)
    app.include_router(hooks_route.router)
    app.include_router(connect_page.router)
    install_proxy(app)


@asynccontextmanager
async def gateway_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open and close the gateway's long-lived resources (the upstream client), and run the
    connections' health check while it is open (when it is on)."""
    state: GatewayState | None = getattr(app.state, "gateway", None)
    if state is None:
        yield
        return
    state.upstream = make_upstream(state.runtime, app.state.gateway_embedded)
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is not None:
        state.upstream = TimedUpstream(state.upstream, metrics)
    try:
        async with health_running(state):
            yield
    finally:
        await state.upstream.close()
        state.upstream = None
        await close_proxy(app)
