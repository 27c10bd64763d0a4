"""Toggl's Webhooks API v1 as one ASGI application, mounted at ``/webhooks/api/v1``."""

from __future__ import annotations

import re

from fastapi import FastAPI

from trackgate.runtime import Runtime
from trackgate.service.auth import AuthenticateFirst
from trackgate.service.errors import install_error_handlers
from trackgate.service.quota import QuotaEmulation
from trackgate.service.quota_middleware import QuotaMiddleware
from trackgate.service.webhooks import routes

WEBHOOKS_PREFIX = "/webhooks/api/v1"
#: ``/subscriptions/{wid}/...``, ``/limits/{wid}``, ``/ping/{wid}/...``, ``/validate/{wid}/...``
_WORKSPACE_FIRST = re.compile(r"/(?:subscriptions|limits|ping|validate)/(\d+)(?:/|$)")


def charged_as(path: str) -> str:
    """Toggl does not say whether webhook calls count against the hourly quota; the
    emulation counts them, in the bucket of the workspace they name."""
    found = _WORKSPACE_FIRST.search(path)
    return f"/workspaces/{found.group(1)}" if found else path


def create_webhooks_app(runtime: Runtime, emulation: QuotaEmulation | None = None) -> FastAPI:
    """Same callers as the v9 API, errors spelled the same way (a JSON string), and counted
    by the same quota emulation as the v9 API when it is on."""
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
    if emulation is not None:
        app.add_middleware(
            QuotaMiddleware, runtime=runtime, emulation=emulation, charged_as=charged_as
        )
    app.add_middleware(AuthenticateFirst, runtime=runtime, open_paths=frozenset({"/status"}))
    return app
