"""The one ASGI layer in front of everything the server answers.

Per request it gives the answer an ``X-Request-Id``, writes the access log line, refuses
oversized headers and bodies with a 413 (the declared ``Content-Length`` before anything is
read; streamed bytes as they arrive, so no body is held beyond the cap), and sends calls
for the gateway's apps straight to the proxy, and calls under the service's prefix straight
to the service, past the outer framework's routing and middleware (as a ``Mount`` would,
with ``root_path`` set). A failure the proxy did not expect becomes a 500 in the gateway's
error shape.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trackgate.access_log import log_request
from trackgate.metrics import Metrics
from trackgate.request_id import HEADER as REQUEST_ID_HEADER
from trackgate.request_id import new_request_id

log = logging.getLogger("trackgate")

#: Largest total size of the request's header names and values.
MAX_HEADER_BYTES = 16 * 1024
#: Paths that answer errors in Toggl's shape (a JSON string); all others in the gateway's.
TOGGL_PREFIXES = ("/api/v9/", "/reports/")
TOGGL_PATHS = ("/api/v9", "/reports")

Endpoint = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Refused(Exception):
    """The edge answered the request itself; what the application does next is moot."""


def _error_body(path: str, code: str, message: str) -> bytes:
    if path.startswith(TOGGL_PREFIXES) or path in TOGGL_PATHS:
        return json.dumps(message).encode()
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        proxy: Endpoint | None = None,
        proxy_prefixes: tuple[str, ...] = (),
        mounted: tuple[str, ASGIApp] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.app = app
        self.max_body = max_body
        self.proxy = proxy
        self.proxy_prefixes = proxy_prefixes if proxy is not None else ()
        self.mount_prefix = mounted[0] if mounted else ""
        self.mounted = mounted[1] if mounted else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        id_header = (REQUEST_ID_HEADER, request_id.encode())
        status = 0
        answered = False

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if answered:
                return  # the edge already sent its 413
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0] != REQUEST_ID_HEADER]
                headers.append(id_header)
                message = {**message, "headers": headers}
            await send(message)

        async def refuse(code: str, message: str) -> None:
            nonlocal status, answered
            if status:  # the answer has begun: stop reading, nothing else can be said
                raise _Refused
            body = _error_body(scope["path"], code, message)
            status, answered = 413, True
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                        id_header,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body, "more_body": False})
            raise _Refused

        try:
            receive_capped = await self._check_request(scope, receive, refuse)
            path: str = scope["path"]
            if self.proxy is not None and path.startswith(self.proxy_prefixes):
                try:
                    await self.proxy(scope, receive_capped, send_with_id)
                except Exception:
                    log.exception("the proxy failed unexpectedly")
                    if not status:
                        await _internal_error(scope["path"], send_with_id)
            elif self.mounted is not None and path.startswith(self.mount_prefix + "/"):
                root_path = scope.get("root_path", "")
                scope["app_root_path"] = scope.get("app_root_path", root_path)
                scope["root_path"] = root_path + self.mount_prefix
                scope["path_params"] = {}
                await self.mounted(scope, receive_capped, send_with_id)
            else:
                await self.app(scope, receive_capped, send_with_id)
        except _Refused:
            pass
        except Exception:
            if not answered:
                raise
            # The application failed on the cut-off body after the 413 went out.
        finally:
            log_request(scope, status or 500, time.perf_counter() - started, request_id)
            if self.metrics is not None:
                self.metrics.count(scope["path"], status or 500)

    async def _check_request(
        self, scope: Scope, receive: Receive, refuse: Callable[[str, str], Awaitable[None]]
    ) -> Receive:
        """Refuse oversized headers or a declared oversized body; count a body's bytes."""
        size = 0
        declared: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            size += len(name) + len(value)
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if size > MAX_HEADER_BYTES:
            await refuse(
                "payload_too_large",
                f"The request headers are larger than {MAX_HEADER_BYTES} bytes",
            )
        limit = self.max_body
        too_large = f"The request body is larger than {limit} bytes"
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await refuse("payload_too_large", too_large)
        if declared is None and not chunked:
            return receive
        received = 0

        async def receive_capped() -> Message:
            nonlocal received
            if received > limit:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    try:
                        await refuse("payload_too_large", too_large)
                    except _Refused:
                        return {"type": "http.disconnect"}
            return message

        return receive_capped


async def _internal_error(path: str, send: Send) -> None:
    body = _error_body(path, "internal_error", "Internal server error")
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
