"""The credential never comes back, however the path that would return it is spelled.

The upstream here is lenient, as some servers are: it decodes percent-escapes (slashes too),
ignores case, ``;params``, doubled slashes and backslashes, and resolves dot segments. For every
path that can carry ``api_token`` and every spelling of it, the answer, a success or an error,
compressed or not, reaches the caller without the token -- or the call is refused.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote

import pytest
from aiohttp import web
from multidict import CIMultiDict

from tests.proxy.conftest import Remote
from tests.proxy.helpers import FakeUpstream, _token_of, assert_gateway_error

#: Paths whose answers carry ``api_token`` fields at Toggl.
TOKEN_PATHS = (
    "/api/v9/me",
    "/api/v9/me/workspaces",
    "/api/v9/workspaces",
    "/api/v9/workspaces/1",
    "/api/v9/organizations/1/workspaces",
)


def _segments(path: str, change: Callable[[str], str]) -> str:
    return "/".join(change(s) if s else s for s in path.split("/"))


def _escape_first(segment: str) -> str:
    return f"%{ord(segment[0]):02X}{segment[1:]}"


def _insert_before_last(path: str, piece: str) -> str:
    head, _, last = path.rpartition("/")
    return f"{head}/{piece}/{last}"


#: name -> how a path is spelled; each reads as the same path to a lenient server.
SPELLINGS: dict[str, Callable[[str], str]] = {
    "as is": lambda p: p,
    "percent-encoded letters": lambda p: _segments(p, _escape_first),
    "lower-case escapes": lambda p: _segments(p, lambda s: _escape_first(s).lower()),
    "encoded slash": lambda p: p.replace("/v9/", "/v9%2F"),
    "doubled slashes": lambda p: p.replace("/", "//"),
    "trailing slash": lambda p: p + "/",
    "upper case": str.upper,
    "mixed case": lambda p: _segments(p, str.capitalize),
    "params": lambda p: _segments(p, lambda s: s + ";x=1"),
    "backslash": lambda p: p.replace("/v9/", "/v9\\"),
    "encoded backslash": lambda p: p.replace("/v9/", "/v9%5C"),
    "dot-dot with params": lambda p: _insert_before_last(p, "tags/..;"),
    "escaped dot-dot": lambda p: _insert_before_last(p, "tags/%2e%2e"),
    "escaped dot": lambda p: _insert_before_last(p, "%2E"),
}


def lenient(raw_path: str) -> str:
    """The path as a lenient server reads it."""
    path = unquote(raw_path.partition("?")[0]).replace("\\", "/").lower()
    segments = [s.partition(";")[0] for s in path.split("/")]
    return posixpath.normpath("/" + "/".join(s for s in segments if s))


class LenientUpstream(FakeUpstream):
    """Answers every spelling of a token path with the caller's token in it; ``?fail`` makes it
    an error answer, ``?gzip`` a compressed one."""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.raw_path] += 1
        token = _token_of(CIMultiDict(request.headers)) or ""
        if lenient(request.raw_path) not in TOKEN_PATHS:
            return web.json_response("not found", status=404)
        user = {"id": 7, "api_token": token, "workspaces": [{"id": 1, "api_token": token}]}
        if "fail" in request.query:
            body, status = {"message": f"bad request for token {token}", **user}, 400
        else:
            body, status = user, 200
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if "gzip" in request.query:
            raw, headers["Content-Encoding"] = gzip.compress(raw), "gzip"
        return web.Response(body=raw, status=status, headers=headers)


@pytest.fixture
def lenient_gateway(remote_gateway: Callable[..., Remote]) -> Iterator[tuple[Remote, FakeUpstream]]:
    upstream = LenientUpstream()
    upstream.start()
    try:
        yield remote_gateway(upstream.url, rate_limit="100000/second"), upstream
    finally:
        upstream.stop()


def test_the_lenient_upstream_reads_every_spelling_as_the_path() -> None:
    """The premise: each spelling names the token path to the upstream (or the test is void)."""
    for path in TOKEN_PATHS:
        for name, spell in SPELLINGS.items():
            assert lenient(spell(path)) == path, (name, spell(path))


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_no_spelling_of_a_token_path_returns_the_token(
    lenient_gateway: tuple[Remote, FakeUpstream], spelling: str
) -> None:
    gw, upstream = lenient_gateway
    for path in TOKEN_PATHS:
        target = SPELLINGS[spelling](path)
        for query in ("", "?gzip", "?fail", "?fail&gzip"):
            before = sum(upstream.hits.values())
            r = gw.client.get(
                f"/toggl-track{target}{query}", headers={**gw.headers, "Accept-Encoding": "gzip"}
            )
            assert gw.token not in r.text, (target, query)
            assert not re.search(r'"api_token":\s*"(?!\[redacted\])', r.text), (target, query)
            if r.status_code == 400 and r.json().get("error"):  # refused, never forwarded
                assert_gateway_error(r, 400, "bad_request")
                assert sum(upstream.hits.values()) == before
            else:
                assert r.status_code == (400 if "fail" in query else 200), (target, r.text)
                assert r.json()["workspaces"] == [{"id": 1, "api_token": "[redacted]"}]
