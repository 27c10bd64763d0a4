"""What the answers behind one tool call said about their freshness.

A gateway with the quota shield marks each answer ``X-Trackgate-Cache: hit|miss|bypass|stale``
with an ``Age``; an agent should know what its result is worth, so every tool result reports
the least fresh of the answers it was built from. The recording rides on the HTTP transport,
so the SDK needs no knowledge of it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

# Worst first: a result is worth what its least fresh part is worth.
_RANK = {"stale": 0, "miss": 1, "bypass": 2, "hit": 3}


@dataclass
class Freshness:
    """The answers seen during one tool call."""

    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    cache: str | None = None
    age_seconds: int = 0
    written: datetime | None = None  # when the call's last change was made

    def record(self, headers: httpx.Headers) -> None:
        status = headers.get("x-trackgate-cache")
        if status in _RANK and (self.cache is None or _RANK[status] < _RANK[self.cache]):
            self.cache = status
        age = headers.get("age", "")
        if age.isdigit():
            self.age_seconds = max(self.age_seconds, int(age))

    def wrote(self) -> None:
        """A change was made: the result is what the server answered to it, now."""
        self.written = datetime.now(UTC)

    @property
    def as_of(self) -> datetime:
        """When the oldest data in the result was read from Toggl; for a change, the time it
        was made (a cached answer read before it does not make the result older)."""
        if self.written is not None:
            return self.written
        return self.started - timedelta(seconds=self.age_seconds)


_current: ContextVar[Freshness | None] = ContextVar("trackgate_mcp_freshness", default=None)


def begin() -> Freshness:
    """Start recording for the tool call running in this context."""
    freshness = Freshness()
    _current.set(freshness)
    return freshness


class ObservingTransport(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` and records each answer's freshness headers."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        freshness = _current.get()
        if freshness is not None:
            freshness.record(response.headers)
            if request.method not in ("GET", "HEAD") and response.status_code < 400:
                freshness.wrote()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
