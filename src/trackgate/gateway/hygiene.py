"""What may cross the proxy, in each direction, and where a call goes.

Towards the upstream, the caller's credentials and routing headers, cookies and hop-by-hop
headers stay behind, and the connection's credential is added. Towards the caller, hop-by-hop
headers and cookies stay behind and everything else (``Retry-After``, ``X-Toggl-*``, quota
headers) passes. The target (path and query) is forwarded byte for byte, appended to a fixed
upstream root, so no path can choose the host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from trackgate.gateway.errors import bad_request
from trackgate.gateway.upstream import Headers

RawHeaders = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "trailers",
        "upgrade",
    }
)
#: Never forwarded upstream: the caller's identity and routing, cookies, and headers that the
#: gateway sets itself (length, expectations) or that could re-route a method.
_REQUEST_DROPPED = HOP_BY_HOP | {
    "authorization",
    "host",
    "maton-connection",
    "cookie",
    "content-length",
    "expect",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
}
#: Never passed back: cookies (the caller's session is not the upstream's), and ``Date``, which
#: the server adds itself (two would be invalid).
_RESPONSE_DROPPED = HOP_BY_HOP | {"set-cookie", "set-cookie2", "date"}
#: ... and when the gateway rewrote the body, its length, encoding and validator too.
_RESPONSE_DROPPED_CHANGED = _RESPONSE_DROPPED | {"content-length", "content-encoding", "etag"}


def _named_in_connection(values: list[str]) -> set[str]:
    """Headers the ``Connection`` header declares hop-by-hop."""
    return {token.strip().lower() for value in values for token in value.split(",")} - {""}


_REQUEST_DROPPED_RAW = frozenset(name.encode() for name in _REQUEST_DROPPED)
#: Request headers the proxy reads (first value), whether or not they are forwarded.
_READ = frozenset(
    {
        b"authorization",
        b"content-length",
        b"transfer-encoding",
        b"content-encoding",
        b"maton-connection",
        b"cache-control",
        b"connection",
    }
)


class Incoming:
    """A request's headers, read in one pass: the few the proxy judges by (first value of
    each, by lower-case name) and the ones the upstream may see."""

    __slots__ = ("connection", "first", "kept")

    def __init__(self, raw: RawHeaders) -> None:
        first: dict[bytes, str] = {}
        kept: Headers = []
        connection: list[str] = []
        for key, value in raw:
            name = key.lower()
            if name in _READ:
                if name == b"connection":
                    connection.append(value.decode("latin-1"))
                if name not in first:
                    first[name] = value.decode("latin-1")
            if name in _REQUEST_DROPPED_RAW or name.startswith(b"proxy-"):
                continue
            kept.append((name.decode("latin-1"), value.decode("latin-1")))
        self.first = first
        self.kept = kept
        self.connection = connection

    def get(self, name: bytes) -> str | None:
        """The first value of one of the headers in ``_READ`` (``name`` in lower case)."""
        return self.first.get(name)

    def upstream(
        self, *, authorization: str, content_length: int | None, identity: bool
    ) -> Headers:
        """The caller's headers as the upstream may see them, with the connection's credential
        (a new list each call)."""
        kept = self.kept
        if self.connection:
            named = _named_in_connection(self.connection)
            kept = [(k, v) for k, v in kept if k not in named]
        if identity:
            kept = [(k, v) for k, v in kept if k != "accept-encoding"]
        else:
            kept = list(kept)
        kept.append(("authorization", authorization))
        if content_length is not None:
            kept.append(("content-length", str(content_length)))
        if identity:
            kept.append(("accept-encoding", "identity"))
        return kept


def upstream_headers(
    raw: RawHeaders, *, authorization: str, content_length: int | None, identity: bool
) -> Headers:
    """The caller's headers as the upstream may see them, with the connection's credential."""
    return Incoming(raw).upstream(
        authorization=authorization, content_length=content_length, identity=identity
    )


def caller_headers(headers: Headers, *, body_changed: bool = False) -> RawHeaders:
    """The upstream's answer headers as the caller may see them.

    When the gateway rewrote the body, its length and encoding are the gateway's to set.
    """
    dropped = _RESPONSE_DROPPED_CHANGED if body_changed else _RESPONSE_DROPPED
    out: RawHeaders = []
    connection: list[str] = []
    for key, value in headers:
        name = key.lower()
        if name in dropped or name.startswith("proxy-"):
            if name == "connection":
                connection.append(value)
            continue
        out.append((name.encode("latin-1"), value.encode("latin-1")))
    if connection:
        named = {n.encode("latin-1") for n in _named_in_connection(connection)}
        out = [(k, v) for k, v in out if k not in named]
    return out


def header(raw: RawHeaders, name: bytes) -> str | None:
    """The first value of a request header (``name`` in lower case)."""
    for key, value in raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


@dataclass(frozen=True)
class Target:
    """Where a proxied call goes: ``forward`` is sent as is; ``path`` is only for judging it."""

    app: str
    forward: str
    path: str


_UNPRINTABLE = re.compile(rb"[^\x21-\x7e]")


def _printable(raw: bytes) -> str:
    if _UNPRINTABLE.search(raw):
        raise bad_request("The request target must be printable ASCII (percent-encode the rest)")
    return raw.decode("ascii")


def canonical_path(raw_path: str) -> str:
    """The path as a lenient server may read it: decoded, lower case, empty segments and
    ``;params`` gone, backslashes as slashes. Used to judge a call, never to forward it."""
    decoded = unquote(raw_path).replace("\\", "/").lower()
    segments = [s.partition(";")[0] for s in decoded.split("/")]
    return "/" + "/".join(s for s in segments if s)


def parse_target(raw_path: bytes, query: bytes) -> Target:
    """Split ``/{app}/{native-path}?query`` into the app and the target sent upstream.

    Dot segments are refused rather than resolved, so that what the gateway judges and what
    the upstream serves are the same path; ``..;x`` counts, as servers that drop ``;params``
    read it as ``..``.
    """
    path = _printable(raw_path)
    query_text = _printable(query) if query else ""
    app_raw, _, rest = path[1:].partition("/")
    native = "/" + rest
    judged = canonical_path(native)
    if any(segment in (".", "..") for segment in judged.split("/")):
        raise bad_request("Paths with '.' or '..' segments are not forwarded")
    forward = native + ("?" + query_text if query_text else "")
    return Target(app=unquote(app_raw), forward=forward, path=judged)
