"""One access log line per request: the path as sent, escaped, but never the query string,
where secrets such as the connect page's ``session_token`` travel.

The path is the request's raw (still percent-encoded) path, and any byte outside printable
ASCII, a quote or a backslash is written as ``%XX``: a client cannot forge a line with a
newline or drive the reader's terminal with escape sequences.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from starlette.types import Scope

log = logging.getLogger("trackgate.access")

_UNSAFE = re.compile(rb'[^\x21-\x7e]|["\\]')


def _percent(match: re.Match[bytes]) -> bytes:
    return b"%%%02X" % match.group()[0]


def escaped_path(scope: Scope) -> str:
    """The path to log: raw bytes as received, percent-escaped where unsafe."""
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        raw = quote(scope.get("path", ""), safe="/%:@!$&'()*+,;=~-._").encode()
    raw = raw.partition(b"?")[0]
    return _UNSAFE.sub(_percent, raw).decode("ascii")


def log_request(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    client = scope.get("client") or ("-", 0)
    method = scope.get("method", "-")
    if not method.isalpha():
        method = "-"
    log.info(
        '%s "%s %s" %d %.1fms id=%s',
        client[0],
        method,
        escaped_path(scope),
        status,
        seconds * 1000,
        request_id,
    )
