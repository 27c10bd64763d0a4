"""The gateway's own errors: ``{"error": {"code": ..., "message": ...}}`` with their status --
except a call beyond the caller's scopes, which is 403
``{"error": "insufficient_scope", "required": ..., "message": ...}``.

Every gateway error goes through :func:`gateway_error_response`; upstream answers never do.
"""

from __future__ import annotations

import json

from starlette.responses import Response

JSON_TYPE = "application/json"


class GatewayError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class InsufficientScope(GatewayError):
    """A call that needs a scope the key, or the connection it goes through, does not hold."""

    def __init__(self, required: str, message: str) -> None:
        super().__init__(403, "insufficient_scope", message)
        self.required = required


def gateway_error_response(exc: GatewayError) -> Response:
    if isinstance(exc, InsufficientScope):
        shown = {"error": exc.code, "required": exc.required, "message": exc.message}
        body = json.dumps(shown)
    else:
        body = json.dumps({"error": {"code": exc.code, "message": exc.message}})
    return Response(body, status_code=exc.status, media_type=JSON_TYPE, headers=exc.headers)


def unauthorized(message: str = "Missing or invalid API key") -> GatewayError:
    return GatewayError(401, "unauthorized", message)


def not_found(code: str, message: str) -> GatewayError:
    return GatewayError(404, code, message)


def bad_request(message: str, code: str = "bad_request") -> GatewayError:
    return GatewayError(400, code, message)


def too_many(code: str, message: str, retry_after: int) -> GatewayError:
    return GatewayError(429, code, message, {"Retry-After": str(retry_after)})


def key_lacks(required: str) -> InsufficientScope:
    return InsufficientScope(
        required,
        f"This gateway key does not have the {required!r} scope, which this call needs; "
        f"use a key made with --scope {required}",
    )


def connection_lacks(required: str, connection_id: str) -> InsufficientScope:
    return InsufficientScope(
        required,
        f"Connection {connection_id} was not granted the {required!r} scope, which this call "
        "needs; its owner can grant it by connecting again (the connection's url)",
    )
