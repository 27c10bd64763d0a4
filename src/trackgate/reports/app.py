"""The Reports API v3 as one ASGI application, mounted at ``/reports/api/v3`` by the server.

Same authentication (before any body is read) and error spelling as the v9 service; its own
routes. Paths are answered as given: a trailing slash is a 404, never a redirect.
"""

from __future__ import annotations

from fastapi import FastAPI

from trackgate.reports import exports, routes
from trackgate.runtime import Runtime
from trackgate.service.auth import AuthenticateFirst
from trackgate.service.errors import install_error_handlers

REPORTS_PREFIX = "/reports/api/v3"
OPENAPI_PATH = "/openapi.json"


def create_reports_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="trackgate Toggl Reports API v3-compatible service",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_PATH,
        redirect_slashes=False,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(exports.router)
    app.include_router(routes.router)
    app.add_middleware(AuthenticateFirst, runtime=runtime, open_paths=frozenset({OPENAPI_PATH}))
    return app
