"""The upstream a connection's calls go to, behind one small interface.

:class:`InProcessUpstream` calls the embedded service's ASGI app directly (no network hop).
An HTTP implementation for real Toggl lives in ``upstream_http``. Both raise only
:class:`UpstreamTimeout` or :class:`UpstreamUnreachable`, so the proxy maps failures in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol
from urllib.parse import unquote

from starlette.types import ASGIApp, Message

Headers = list[tuple[str, str]]

#: Marks a request the gateway itself sends in-process; the service does not count its
#: authentication failures against the shared loopback address.
INTERNAL_SCOPE_KEY = "trackgate.internal"


class UpstreamError(Exception):
    """Base of the two ways an upstream can fail without answering."""


class UpstreamTimeout(UpstreamError):
    pass


class UpstreamUnreachable(UpstreamError):
    pass


async def _once(body: bytes) -> AsyncIterator[bytes]:
    if body:
        yield body


class UpstreamResponse:
    """An answer: its status and headers, and its body as chunks -- or, when the whole body
    had already arrived with the headers, as ``whole`` (no iterator needed to pass it on)."""

    __slots__ = ("_body", "headers", "status", "whole")

    def __init__(
        self,
        status: int,
        headers: Headers,
        body: AsyncIterator[bytes] | None = None,
        *,
        whole: bytes | None = None,
    ) -> None:
        self.status = status
        self.headers = headers
        self.whole = whole
        self._body = body

    @property
    def body(self) -> AsyncIterator[bytes]:
        if self._body is None:
            self._body = _once(self.whole or b"")
        return self._body

    def is_unread(self) -> bool:
        """Whether the body, if ``whole``, was not handed out as chunks yet."""
        return self._body is None

    async def read(self) -> bytes:
        if self.whole is not None and self._body is None:
            return self.whole
        return b"".join([chunk async for chunk in self.body])


class Upstream(Protocol):
    async def send(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: AsyncIterator[bytes] | bytes | None = None,
    ) -> UpstreamResponse:
        """Send a request; ``target`` is the path and raw query string, as given."""
        ...

    async def close(self) -> None: ...


async def _chunks(body: AsyncIterator[bytes] | bytes | None) -> AsyncIterator[bytes]:
    if body is None:
        return
    if isinstance(body, bytes):
        yield body
        return
    async for chunk in body:
        yield chunk


class InProcessUpstream:
    """The embedded service, called as an ASGI app in this process."""

    def __init__(self, app: ASGIApp, timeout: float = 30.0) -> None:
        self.app = app
        self.timeout = timeout

    async def send(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: AsyncIterator[bytes] | bytes | None = None,
    ) -> UpstreamResponse:
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            "client": ("127.0.0.1", 0),
            "server": ("trackgate-embedded", 80),
            INTERNAL_SCOPE_KEY: True,
        }
        chunks = _chunks(body)
        replies: asyncio.Queue[Message] = asyncio.Queue()

        async def receive() -> Message:
            try:
                chunk = await chunks.__anext__()
                return {"type": "http.request", "body": chunk, "more_body": True}
            except StopAsyncIteration:
                return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            await replies.put(message)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            finally:
                await replies.put({"type": "trackgate.done"})

        task = asyncio.create_task(run())
        try:
            start = await asyncio.wait_for(replies.get(), self.timeout)
        except TimeoutError as exc:
            task.cancel()
            raise UpstreamTimeout("the embedded service did not answer in time") from exc
        if start["type"] != "http.response.start":
            with contextlib.suppress(Exception):
                await task
            raise UpstreamUnreachable("the embedded service failed before answering")

        async def stream() -> AsyncIterator[bytes]:
            while True:
                message = await replies.get()
                if message["type"] != "http.response.body":
                    break
                if message.get("body"):
                    yield message["body"]
                if not message.get("more_body", False):
                    break
            await task

        return UpstreamResponse(
            status=start["status"],
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]],
            body=stream(),
        )

    async def close(self) -> None:
        return None
