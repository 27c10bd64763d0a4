"""The upstream over HTTP (real Toggl, or any Toggl-compatible server), on aiohttp.

aiohttp rather than httpx because a proxy's pooled client is its hot path: measured here it
was 16x faster (DESIGN.md, "The proxy's hot path"). One ``ClientSession`` serves the process;
it is made on first use, inside the running loop. The client is kept transparent: the target
is sent byte for byte (``encoded=True``), bodies are neither decompressed nor given default
headers, no cookie is kept and no redirect is followed -- the caller sees what the upstream said.

Every aiohttp failure is translated in :func:`_mapped`, the one place that knows them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import aiohttp
import yarl
from multidict import CIMultiDict

from trackgate.gateway.upstream import (
    Headers,
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnreachable,
)

#: Headers aiohttp would otherwise invent; the caller's own (if any) are forwarded instead.
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_POOL_SIZE = 256
_URL_CACHE_SIZE = 4096


@contextmanager
def _mapped() -> Iterator[None]:
    """aiohttp's exceptions as the two failures an :class:`Upstream` may raise."""
    try:
        yield
    except TimeoutError as exc:  # aiohttp's timeouts are TimeoutError subclasses too
        raise UpstreamTimeout("the upstream did not answer in time") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise UpstreamUnreachable(
            f"the upstream could not be reached ({type(exc).__name__})"
        ) from exc


def _checked_root(root: str) -> str:
    url = yarl.URL(root)
    if url.scheme not in ("http", "https") or not url.host or url.query_string or url.fragment:
        raise ValueError(f"upstream URL must be http(s)://host[:port][/path], not {root!r}")
    return root.rstrip("/")


class HttpUpstream:
    def __init__(self, root: str, timeout: float = 30.0) -> None:
        self.root = _checked_root(root)
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        #: targets called lately, parsed once (a URL is immutable)
        self._urls: dict[str, yarl.URL] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=_POOL_SIZE, ttl_dns_cache=300),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=_NO_AUTO_HEADERS,
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=self.timeout, sock_read=self.timeout
                ),
            )
        return self._session

    def url(self, target: str) -> yarl.URL:
        """The root plus the target exactly as given: the host is never the target's to pick."""
        url = self._urls.get(target)
        if url is None:
            path = target if target.startswith("/") else "/" + target
            url = yarl.URL(self.root + path, encoded=True)
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()
            self._urls[target] = url
        return url

    async def send(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: AsyncIterator[bytes] | bytes | None = None,
    ) -> UpstreamResponse:
        with _mapped():
            response = await self._client().request(
                method,
                self.url(target),
                headers=CIMultiDict(headers),
                data=body,
                allow_redirects=False,
                compress=None,
            )
            answer = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers]
            content = response.content
            if content.is_eof():  # the whole body came with the headers: no stream to keep
                whole = content.read_nowait()
                if not response.closed:  # at its end the answer gave its connection back
                    response.release()
                return UpstreamResponse(response.status, answer, whole=whole)
        return UpstreamResponse(response.status, answer, _stream(response))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _stream(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """The body as it arrives; a body not read to the end closes its connection."""
    finished = False
    try:
        with _mapped():
            async for chunk in response.content.iter_any():
                yield chunk
        finished = True
    finally:
        if finished:
            response.release()
        else:
            response.close()


__all__ = ["HttpUpstream"]
