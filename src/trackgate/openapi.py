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
    "`<api_token>:api_token` or email and password), and the managed-auth gateway: the control "
    "API `/connections`, the connect page `/connect` and the proxy `/{app}/{path}` "
    "(a gateway key as `Authorization: Bearer`)."
)


def merge_mounted(schema: dict[str, Any], prefix: str, mounted: FastAPI) -> None:
    """Add a mounted app's paths under its prefix, and its component schemas."""
    inner = mounted.openapi()
    paths = schema.setdefault("paths", {})
    for path, item in inner.get("paths", {}).items():
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
    schema = get_openapi(
        title="trackgate", version=__version__, description=DESCRIPTION, routes=app.routes
    )
    for prefix, sub_app in mounted.items():
        merge_mounted(schema, prefix, sub_app)
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
