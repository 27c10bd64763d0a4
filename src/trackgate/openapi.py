"""The server's one OpenAPI document: its own routes, each mounted app under its prefix, and
the gateway's routes that FastAPI cannot see (see :mod:`trackgate.gateway.api_doc`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from trackgate import __version__
from trackgate.gateway import api_doc

DESCRIPTION = (
    "The Toggl Track API v9-compatible service under `/api/v9` (HTTP Basic: "
    "`<api_token>:api_token` or email and password) with Toggl's Reports API v3 under "
    "`/reports/api/v3` and Toggl's Webhooks API v1 under `/webhooks/api/v1` (the same "
    "authentication), and the managed-auth gateway: the control "
    "API `/connections`, the connect page `/connect` and the proxy `/{app}/{path}` "
    "(a gateway key as `Authorization: Bearer`)."
)


#: How the Toggl-compatible APIs are called: HTTP Basic, ``<api_token>:api_token`` or
#: email and password, as against Toggl.
TOGGL_BASIC = "togglBasic"
TOGGL_BASIC_SCHEME = {
    "type": "http",
    "scheme": "basic",
    "description": "An API token as user name and `api_token` as password, or email and "
    "password of a user of this server (`trackgate users create`).",
}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def merge_mounted(
    schema: dict[str, Any], prefix: str, mounted: FastAPI, *, security: str | None = None
) -> None:
    """Add a mounted app's paths under its prefix, and its components; ``security`` names
    the scheme every operation of that app requires."""
    inner = mounted.openapi()
    paths = schema.setdefault("paths", {})
    for path, item in inner.get("paths", {}).items():
        if security is not None:
            for method in _METHODS:
                if method in item:
                    item[method].setdefault("security", [{security: []}])
        paths[prefix + path] = item
    components = schema.setdefault("components", {})
    for kind, named in inner.get("components", {}).items():
        components.setdefault(kind, {}).update(named)


def merge_gateway(schema: dict[str, Any]) -> None:
    """The gateway's routes, described whole (they replace FastAPI's bare entries)."""
    schema.setdefault("paths", {}).update(api_doc.gateway_paths())
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(api_doc.SCHEMAS)
    components.setdefault("securitySchemes", {}).update(api_doc.SECURITY_SCHEMES)


def build_openapi(app: FastAPI, mounted: dict[str, FastAPI], *, gateway: bool) -> dict[str, Any]:
    """``mounted``: prefix -> a Toggl-compatible app (called with HTTP Basic) mounted there."""
    schema = get_openapi(
        title="trackgate", version=__version__, description=DESCRIPTION, routes=app.routes
    )
    for prefix, sub_app in mounted.items():
        merge_mounted(schema, prefix, sub_app, security=TOGGL_BASIC)
    if mounted:
        schema.setdefault("components", {}).setdefault("securitySchemes", {})[TOGGL_BASIC] = (
            TOGGL_BASIC_SCHEME
        )
    if gateway:
        merge_gateway(schema)
    return schema


def install_openapi(app: FastAPI, mounted: dict[str, FastAPI], *, gateway: bool) -> None:
    """Serve the merged document at ``/openapi.json``, built once on first request."""
    cache: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not cache:
            cache.append(build_openapi(app, mounted, gateway=gateway))
        return cache[0]

    app.openapi = openapi  # type: ignore[method-assign]
