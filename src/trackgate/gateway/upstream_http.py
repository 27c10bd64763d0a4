"""(to be built): the aiohttp upstream for a real Toggl (or any HTTP) upstream."""

from __future__ import annotations

from collections.abc import AsyncIterator

from trackgate.gateway.upstream import Headers, UpstreamResponse


class HttpUpstream:
    def __init__(self, root: str, timeout: float = 30.0) -> None:
        self.root = root.rstrip("/")
        self.timeout = timeout

    async def send(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: AsyncIterator[bytes] | bytes | None = None,
    ) -> UpstreamResponse:
        raise NotImplementedError

    async def close(self) -> None:
        return None
