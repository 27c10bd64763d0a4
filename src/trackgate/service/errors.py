"""Errors of the service, rendered the way Toggl does: a JSON string body.

Every error path goes through :func:`toggl_error_response`; a test checks the shape on each.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

JSON_TYPE = "application/json; charset=utf-8"
log = logging.getLogger("trackgate.service")


class TogglError(Exception):
    """A failure a client should see, with the status Toggl would answer."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


class BadRequest(TogglError):
    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class NotFound(TogglError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)


class Forbidden(TogglError):
    def __init__(self, message: str = "Incorrect username and/or password") -> None:
        super().__init__(403, message)


class Unauthorized(TogglError):
    """No credentials at all: Toggl answers 401 with an empty body."""

    def __init__(self) -> None:
        super().__init__(401, "")


class Conflict(TogglError):
    def __init__(self, message: str) -> None:
        super().__init__(409, message)


class TooManyRequests(TogglError):
    """A limit was hit; ``Retry-After`` says when to come back."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, message, {"Retry-After": str(retry_after)})


class ServiceUnavailable(TogglError):
    """Not now, but soon; ``Retry-After`` says when."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(503, message, {"Retry-After": str(retry_after)})


def toggl_error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if status == 401 and not message:
        return Response(status_code=401, headers={"X-Authorization-Missing": "true"})
    body = json.dumps(message)
    return Response(body, status_code=status, media_type=JSON_TYPE, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        where = ".".join(loc)
        if error.get("type") == "json_invalid":
            return "Invalid JSON input"
        if where:
            return f"Invalid value for {where}: {error.get('msg', 'invalid')}"
        return str(error.get("msg", "Invalid request"))
    return "Invalid request"


def log_unexpected(exc: Exception, method: str, path: str) -> None:
    """The message may quote SQL parameters (digests, secrets): log where, never what."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s %s\n%s", type(exc).__name__, method, path, frames)


def install_error_handlers(app: FastAPI) -> None:
    async def on_toggl(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, TogglError)
        return toggl_error_response(exc.status, exc.message, exc.headers)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return toggl_error_response(400, _validation_message(exc))

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        messages = {404: "Not Found", 405: "Method Not Allowed"}
        message = messages.get(exc.status_code, str(exc.detail))
        return toggl_error_response(exc.status_code, message, exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log_unexpected(exc, request.method, request.url.path)
        return toggl_error_response(500, "Internal Server Error")

    app.add_exception_handler(TogglError, on_toggl)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
