"""The gateway's own errors: ``{"error": {"code": ..., "message": ...}}`` with their status.

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


def gateway_error_response(exc: GatewayError) -> Response:
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
