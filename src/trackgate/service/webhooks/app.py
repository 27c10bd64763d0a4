"""Toggl's Webhooks API v1 as one ASGI application, mounted at ``/webhooks/api/v1``."""

from __future__ import annotations

from fastapi import FastAPI

from trackgate.runtime import Runtime
from trackgate.service.auth import AuthenticateFirst
from trackgate.service.errors import install_error_handlers
from trackgate.service.webhooks import routes

WEBHOOKS_PREFIX = "/webhooks/api/v1"


def create_webhooks_app(runtime: Runtime) -> FastAPI:
    """Same callers as the v9 API, errors spelled the same way (a JSON string)."""
    app = FastAPI(
        title="trackgate Toggl Webhooks API v1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(routes.router)
    app.add_middleware(AuthenticateFirst, runtime=runtime, open_paths=frozenset({"/status"}))
    return app
