"""The service as one ASGI application, mounted at ``/api/v9`` by the server."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from trackgate.crypto import digest, fingerprint
from trackgate.runtime import Runtime
from trackgate.service.auth import AuthenticateFirst
from trackgate.service.errors import install_error_handlers
from trackgate.service.hot_reads import HotReads
from trackgate.service.quota import QuotaEmulation
from trackgate.service.quota_middleware import QuotaMiddleware
from trackgate.service.routes import (
    clients,
    me,
    me_listings,
    me_settings,
    organizations,
    project_users,
    projects,
    quota,
    reference,
    tags,
    tasks,
    time_entries,
    workspace_users,
    workspaces,
)
from trackgate.service.webhooks.context import RequestContext
from trackgate.storage.database import Database

API_PREFIX = "/api/v9"
OPENAPI_PATH = "/openapi.json"


def create_service_app(runtime: Runtime) -> FastAPI:
    """Paths are answered as given: a trailing slash is a 404 like any unknown path, never a
    redirect."""
    app = FastAPI(
        title="trackgate Toggl Track v9-compatible service",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_PATH,
        redirect_slashes=False,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(quota.router)
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
    app.add_middleware(RequestContext)  # innermost: who changed what, for the events' metadata
    app.add_middleware(HotReads)  # it: it answers for known, counted callers only
    namespace = digest(fingerprint(runtime.keyring.primary))[:16]
    emulation = QuotaEmulation.from_settings(runtime.settings, namespace)
    app.state.quota_emulation = emulation
    if emulation is not None:  # inside AuthenticateFirst: it counts known callers only
        app.add_middleware(QuotaMiddleware, runtime=runtime, emulation=emulation)
    app.add_middleware(AuthenticateFirst, runtime=runtime, open_paths=frozenset({OPENAPI_PATH}))
    return app


class RequestSession:
    """Runs each request to the service in a :meth:`Database.request_scope`, so that the
    reads of a route go through one session and one pooled connection."""

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.db.request_scope():
            await self.app(scope, receive, send)
