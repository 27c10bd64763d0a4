"""The gateway in the OpenAPI document: what FastAPI cannot see on its own.

The control API's handlers read their query and body by hand, the connect page answers HTML,
and the proxy is a plain ASGI endpoint; this module describes them, so ``/docs`` shows the
whole gateway: the caller's key, each call's parameters, and the error shape.
"""

from __future__ import annotations

from typing import Any

from trackgate.gateway.connections import APPS, STATUSES
from trackgate.gateway.scopes import NAMES

KEY_SCHEME = "gatewayKey"
SECURITY_SCHEMES = {
    KEY_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "A gateway API key (tgk_...), from `trackgate accounts create` or "
        "`trackgate keys create`. HTTP Basic with the key as user name and `api_token` as "
        "password is accepted too.",
    }
}
_SECURED: list[dict[str, list[str]]] = [{KEY_SCHEME: []}]

GATEWAY_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
INSUFFICIENT_SCOPE = {
    "type": "object",
    "required": ["error", "required", "message"],
    "properties": {
        "error": {"type": "string", "enum": ["insufficient_scope"]},
        "required": {"type": "string", "enum": list(NAMES)},
        "message": {"type": "string"},
    },
}
_SCOPES = {"type": "array", "items": {"type": "string", "enum": list(NAMES)}}
CONNECTION = {
    "type": "object",
    "properties": {
        "connection_id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "creation_time": {"type": "string", "format": "date-time"},
        "last_updated_time": {"type": "string", "format": "date-time"},
        "url": {"type": ["string", "null"], "description": "The connect page for a person"},
        "app": {"type": "string", "enum": list(APPS)},
        "method": {"type": ["string", "null"], "enum": ["API_KEY", "BASIC", None]},
        "metadata": {"type": "object"},
        "scopes": {**_SCOPES, "description": "What its owner granted on the connect page"},
        "quota": {"type": "object"},
        "budgets": {
            "type": "array",
            "description": "GET /connections/{id} only: each key with a budget, and the "
            "upstream requests it spent in the sliding hour",
            "items": {
                "type": "object",
                "properties": {
                    "key_id": {"type": "string"},
                    "name": {"type": ["string", "null"]},
                    "budget": {"type": "integer"},
                    "spent": {"type": ["integer", "null"]},
                },
            },
        },
    },
}
SCHEMAS = {
    "GatewayError": GATEWAY_ERROR,
    "InsufficientScope": INSUFFICIENT_SCOPE,
    "Connection": CONNECTION,
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: str) -> dict[str, Any]:
    meaning = {
        "400": "A bad request, or no ACTIVE connection for the app",
        "401": "Missing or invalid gateway key",
        "403": "A request the gateway refuses (it would hand out or take over the credential)",
        "404": "Unknown app or connection",
        "429": "The gateway's own limits; see Retry-After",
        "502": "The upstream could not be reached",
        "504": "The upstream did not answer in time",
    }
    return {code: _json(_ref("GatewayError"), meaning[code]) for code in codes}


_ONE = {"type": "object", "properties": {"connection": _ref("Connection")}}
_CONNECTION_ID = {
    "name": "connection_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
_SESSION_TOKEN = {
    "name": "session_token",
    "in": "query",
    "required": True,
    "schema": {"type": "string"},
    "description": "The single-use token in the connection's url",
}
_HTML = {"text/html": {"schema": {"type": "string"}}}
_FORM = {
    "type": "object",
    "properties": {
        "csrf_token": {"type": "string"},
        "api_token": {"type": "string"},
        "email": {"type": "string"},
        "password": {"type": "string"},
        "scope": {**_SCOPES, "description": "The scopes granted (the boxes ticked)"},
    },
}
_PROXY_METHODS = ("get", "post", "put", "patch", "delete")


def _control_paths() -> dict[str, Any]:
    listing = {
        "type": "object",
        "properties": {"connections": {"type": "array", "items": _ref("Connection")}},
    }
    return {
        "/connections": {
            "get": {
                "tags": ["connections"],
                "summary": "List the caller's connections",
                "security": _SECURED,
                "parameters": [
                    {"name": "app", "in": "query", "schema": {"type": "string", "enum": APPS}},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": STATUSES},
                    },
                ],
                "responses": {"200": _json(listing, "The connections"), **_errors("400", "401")},
            },
            "post": {
                "tags": ["connections"],
                "summary": "Start a connection: PENDING, with a connect url for a person",
                "security": _SECURED,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["app"],
                                "properties": {"app": {"type": "string", "enum": list(APPS)}},
                            },
                            "example": {"app": "toggl-track"},
                        }
                    },
                },
                "responses": {
                    "200": _json(_ONE, "The new connection"),
                    **_errors("400", "401", "404"),
                },
            },
        },
        "/connections/{connection_id}": {
            "parameters": [_CONNECTION_ID],
            "get": {
                "tags": ["connections"],
                "summary": "One connection of the caller",
                "security": _SECURED,
                "responses": {"200": _json(_ONE, "The connection"), **_errors("401", "404")},
            },
            "delete": {
                "tags": ["connections"],
                "summary": "Delete a connection; its stored credential is destroyed",
                "security": _SECURED,
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "connection_id": {"type": "string"},
                                "deleted": {"type": "boolean"},
                            },
                        },
                        "Deleted",
                    ),
                    **_errors("401", "404"),
                },
            },
        },
    }


def _connect_paths() -> dict[str, Any]:
    page = {"description": "The page", "content": _HTML}
    return {
        "/connect": {
            "parameters": [_SESSION_TOKEN],
            "get": {
                "tags": ["connect page"],
                "summary": "The page where a person gives their API token (or email and password)",
                "responses": {"200": page, "400": page, "404": page, "410": page},
            },
            "post": {
                "tags": ["connect page"],
                "summary": "Submit the form; the connection becomes ACTIVE when the upstream "
                "accepts the credential",
                "requestBody": {
                    "content": {"application/x-www-form-urlencoded": {"schema": _FORM}}
                },
                "responses": {"200": page, "400": page, "403": page, "429": page},
            },
        }
    }


def _proxy_paths() -> dict[str, Any]:
    parameters = [
        {"name": "app", "in": "path", "required": True, "schema": {"type": "string", "enum": APPS}},
        {
            "name": "path",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "The upstream's own path, e.g. api/v9/me",
        },
        {
            "name": "Maton-Connection",
            "in": "header",
            "schema": {"type": "string", "format": "uuid"},
            "description": "The connection to use (default: the oldest ACTIVE one of the app)",
        },
    ]
    passed = {"description": "The upstream's answer, passed through unchanged"}
    refused = {
        "description": "A call beyond the key's scopes or the connection's grant "
        "(insufficient_scope), or one that would hand out or take over the credential",
        "content": {
            "application/json": {
                "schema": {"oneOf": [_ref("InsufficientScope"), _ref("GatewayError")]}
            }
        },
    }
    operation = {
        "tags": ["proxy"],
        "summary": "Call the upstream with the connection's credential",
        "security": _SECURED,
        "responses": {
            "default": passed,
            **_errors("400", "401", "404", "429", "502", "504"),
            "403": refused,
        },
    }
    item: dict[str, Any] = {"parameters": parameters}
    for method in _PROXY_METHODS:
        item[method] = {**operation, "operationId": f"proxy_{method}"}
    return {"/{app}/{path}": item}


def gateway_paths() -> dict[str, Any]:
    """OpenAPI path items of the control API, the connect page and the proxy."""
    return {**_control_paths(), **_connect_paths(), **_proxy_paths()}
