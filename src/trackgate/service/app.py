"""The service as one ASGI application, mounted at ``/api/v9`` by the server."""

from __future__ import annotations

from fastapi import FastAPI

from trackgate.runtime import Runtime
from trackgate.service.errors import install_error_handlers
from trackgate.service.routes import (
    clients,
    me,
    me_listings,
    me_settings,
    organizations,
    project_users,
    projects,
    reference,
    tags,
    tasks,
    time_entries,
    workspace_users,
    workspaces,
)

API_PREFIX = "/api/v9"


def create_service_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="trackgate Toggl Track v9-compatible service",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    for module in (
        me,
        me_listings,
        me_settings,
        organizations,
        workspaces,
        workspace_users,
        time_entries,
        projects,
        project_users,
        clients,
        reference,
        tags,
        tasks,
    ):
        app.include_router(module.router)
    return app
