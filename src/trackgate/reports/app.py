"""The Reports API v3 as one ASGI application, mounted at ``/reports/api/v3`` by the server.

Same authentication and error spelling as the v9 service; its own routes.
"""

from __future__ import annotations

from fastapi import FastAPI

from trackgate.reports import exports, routes
from trackgate.runtime import Runtime
from trackgate.service.errors import install_error_handlers

REPORTS_PREFIX = "/reports/api/v3"


def create_reports_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="trackgate Toggl Reports API v3-compatible service",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(exports.router)
    app.include_router(routes.router)
    return app
