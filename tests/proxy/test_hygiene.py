"""What crosses the proxy: headers in both directions, the target byte for byte, the credential
never handed out, and the calls that would take the account away refused."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.proxy.conftest import Gate, Remote
from tests.proxy.helpers import FakeUpstream, assert_gateway_error
from trackgate.gateway import guard, hygiene
from trackgate.gateway.errors import GatewayError

BASE = "/toggl-track/api/v9"


# --- the credential is never handed out -----------------------------------------------------


def test_api_token_is_a_stand_in_in_me_and_related_data(client: TestClient, gate: Gate):
    """The key stays (clients with strict models need it); its value is never the credential."""
    for target in (f"{BASE}/me", f"{BASE}/me?with_related_data=true", f"{BASE}/me/workspaces"):
        r = client.get(target, headers=gate.headers)
        assert r.status_code == 200, r.text
        tokens = re.findall(r'"api_token":("[^"]*"|null)', r.text)
        assert tokens and set(tokens) <= {f'"{guard.TOKEN_STAND_IN}"', "null"}, tokens
        assert gate.user.token not in r.text
        assert int(r.headers["content-length"]) == len(r.content)
    related = client.get(f"{BASE}/me?with_related_data=true", headers=gate.headers).json()
    assert related["workspaces"][0]["id"] == gate.user.workspace_id


def test_compressed_answers_are_decoded_before_cleaning(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    r = gw.client.get(f"{BASE}/workspaces/1", headers={**gw.headers, "Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.json() == {"id": 1, "name": "w", "api_token": guard.TOKEN_STAND_IN}
    assert "content-encoding" not in r.headers
    assert upstream.seen[-1].headers["Accept-Encoding"] == "identity"
    unreadable = gw.client.get(f"{BASE}/workspaces/2", headers=gw.headers)
    assert_gateway_error(unreadable, 502, "upstream_unreadable")


def test_the_credential_is_redacted_wherever_it_appears():
    secret = "0123456789abcdef0123456789abcdef"
    body = json.dumps({"a": [{"API_TOKEN": secret, "x": 1}], "note": f"token {secret}"}).encode()
    cleaned = guard.strip_tokens(body, secret)
    assert secret.encode() not in cleaned
    assert json.loads(cleaned) == {
        "a": [{"API_TOKEN": guard.TOKEN_STAND_IN, "x": 1}],
        "note": "token [redacted]",
    }
    assert guard.strip_tokens(b"not json " + secret.encode(), secret) == b"not json [redacted]"
    untouched = b'{"id": 1,  "name": "w"}'
    assert guard.strip_tokens(untouched, secret) == untouched


# --- refusals -------------------------------------------------------------------------------


REFUSED = [
    ("POST", "/api/v9/me/reset_token", None),
    ("POST", "/api/v9/me/close_account", None),
    ("POST", "/API/V9/ME/RESET_TOKEN", None),
    ("POST", "/api/v9//me/reset_token/", None),
    ("POST", "/api/v9/me%2Freset_token", None),
    ("POST", "/api/v9/me/reset%5Ftoken", None),
    ("POST", "/api/v9/me/close_account;x=1", None),
    ("PUT", "/api/v9/me/reset_token", None),
    ("PUT", "/api/v9/me", b'{"email": "thief@example.com", "current_password": "x"}'),
    ("PUT", "/api/v9/me", b'{"password": "new-password", "current_password": "x"}'),
    ("PUT", "/api/v9/me", b'{"Email": "thief@example.com"}'),
    ("PUT", "/api/v9/me/", b'{"PASSWORD": "new-password"}'),
    ("PUT", "/api/v9//Me", b'{"fullname": "x", "email": "thief@example.com"}'),
]


@pytest.mark.parametrize(("method", "path", "body"), REFUSED)
def test_calls_that_take_the_account_away_are_refused(
    remote_gateway: Callable[..., Remote],
    upstream: FakeUpstream,
    method: str,
    path: str,
    body: bytes | None,
):
    gw = remote_gateway(upstream.url)
    r = gw.client.request(method, "/toggl-track" + path, headers=gw.headers, content=body)
    assert_gateway_error(r, 403, "forbidden")
    assert upstream.seen == []


def test_profile_updates_that_keep_the_identity_pass(client: TestClient, gate: Gate):
    r = client.put(f"{BASE}/me", headers=gate.headers, json={"fullname": "Renamed", "email": None})
    assert r.status_code == 200, r.text
    assert r.json()["fullname"] == "Renamed"
    assert r.json()["api_token"] == guard.TOKEN_STAND_IN
    refused = client.post(f"{BASE}/me/reset_token", headers=gate.headers)
    assert_gateway_error(refused, 403, "forbidden")
    assert client.get("/api/v9/me", headers=gate.user.auth).status_code == 200  # token unchanged


def test_a_me_update_that_is_not_a_json_object_is_400(client: TestClient, gate: Gate):
    too_large = json.dumps({"fullname": "x" * (guard.MAX_ME_BODY + 1)}).encode()
    for body in (b"{not json", b"[1, 2]", b'"text"', too_large):
        r = client.put(f"{BASE}/me", headers=gate.headers, content=body)
        assert_gateway_error(r, 400, "bad_request")


# --- headers --------------------------------------------------------------------------------


def test_the_upstream_sees_only_what_it_may(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    r = gw.client.get(
        "/toggl-track/echo",
        headers={
            **gw.headers,
            "Maton-Connection": gw.connection_id,
            "Cookie": "gateway_session=secret",
            "Connection": "keep-alive, X-Drop-Me",
            "X-Drop-Me": "1",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic eDp5",
            "X-Http-Method-Override": "DELETE",
            "X-Custom": "kept",
            "User-Agent": "seed-client/1.0",
        },
    )
    assert r.status_code == 200, r.text
    seen = upstream.seen[-1].headers
    expected = base64.b64encode(f"{gw.token}:api_token".encode()).decode()
    assert seen.getall("Authorization") == [f"Basic {expected}"]
    assert gw.account.api_key not in str(dict(seen))
    for name in (
        "Maton-Connection",
        "Cookie",
        "X-Drop-Me",
        "Keep-Alive",
        "TE",
        "Proxy-Authorization",
        "X-Http-Method-Override",
    ):
        assert name not in seen, name
    assert seen["X-Custom"] == "kept"
    assert seen["User-Agent"] == "seed-client/1.0"
    assert seen["Host"] == f"127.0.0.1:{upstream.port}"


def test_the_caller_sees_upstream_headers_but_no_cookies(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    r = gw.client.get("/toggl-track/echo", headers=gw.headers)
    assert r.status_code == 200
    assert "set-cookie" not in r.headers
    assert r.headers["x-toggl-request-id"] == "abc"
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-request-id"]
    assert not gw.client.cookies


def test_header_filters_directly():
    raw = [
        (b"Connection", b"close, X-Hop"),
        (b"X-Hop", b"1"),
        (b"Host", b"gateway"),
        (b"Proxy-Foo", b"1"),
        (b"Content-Length", b"99"),
        (b"Accept-Encoding", b"gzip"),
        (b"Accept", b"application/json"),
    ]
    sent = hygiene.upstream_headers(raw, authorization="Basic x", content_length=2, identity=True)
    assert sent == [
        ("accept", "application/json"),
        ("authorization", "Basic x"),
        ("content-length", "2"),
        ("accept-encoding", "identity"),
    ]
    back = hygiene.caller_headers(
        [
            ("Set-Cookie", "a=b"),
            ("Transfer-Encoding", "chunked"),
            ("Date", "Sun, 01 Feb 2026 10:00:00 GMT"),
            ("Retry-After", "5"),
        ]
    )
    assert back == [(b"retry-after", b"5")]


# --- the target -----------------------------------------------------------------------------


def test_query_and_path_are_forwarded_byte_for_byte(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    target = "/echo/a%20b/%2Fc?ids[]=1&ids[]=2&x=%2F%20a+b&empty=&q=a%5Bb&flag"
    r = gw.client.get("/toggl-track" + target, headers=gw.headers)
    assert r.status_code == 200
    assert upstream.seen[-1].raw_path == target
    assert r.json()["raw_path"] == target


def test_no_path_changes_the_upstream_host(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    for target in ("//evil.example/echo", "/http://evil.example/echo", "/@evil.example/echo"):
        r = gw.client.get("/toggl-track" + target, headers=gw.headers)
        assert r.status_code == 404  # the fake's own answer: the call reached our upstream
        assert upstream.seen[-1].raw_path == target
        assert upstream.seen[-1].headers["Host"] == f"127.0.0.1:{upstream.port}"


def test_dot_segments_are_refused_not_resolved(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    for target in ("/api/v9/%2e%2e/%2e%2e/connections", "/api/v9/me/%2E/reset_token"):
        r = gw.client.post("/toggl-track" + target, headers=gw.headers)
        assert_gateway_error(r, 400, "bad_request")
    assert upstream.seen == []


@pytest.mark.parametrize(
    ("raw", "query", "forward", "path"),
    [
        (b"/toggl-track/api/v9/me", b"", "/api/v9/me", "/api/v9/me"),
        (b"/toggl-track/api/v9/me", b"a[]=1", "/api/v9/me?a[]=1", "/api/v9/me"),
        (b"/toggl-track//x//Y/", b"", "//x//Y/", "/x/y"),
        (b"/toggl-track/api/v9/me%2Freset_token", b"", "/api/v9/me%2Freset_token", None),
        (b"/toggl-track", b"", "/", "/"),
    ],
)
def test_parse_target(raw: bytes, query: bytes, forward: str, path: str | None):
    target = hygiene.parse_target(raw, query)
    assert target.app == "toggl-track"
    assert target.forward == forward
    assert target.path == (path or "/api/v9/me/reset_token")


@pytest.mark.parametrize(
    "raw",
    [
        b"/toggl-track/a/../b",
        b"/toggl-track/./a",
        b"/toggl-track/a/%2e%2E",
        b"/toggl-track/a/..;x/b",
        b"/t/a b",
    ],
)
def test_parse_target_refuses(raw: bytes):
    with pytest.raises(GatewayError) as caught:
        hygiene.parse_target(raw, b"")
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("path", "inspected"),
    [
        ("/api/v9/me", True),
        ("/api/v9/me/workspaces", True),
        ("/api/v9/workspaces/1", True),
        ("/api/v9/organizations/1/workspaces", True),
        ("/api/v9/me/time_entries/current", False),
        ("/api/v9/workspaces/1/time_entries", False),
        ("/api/v9/workspaces/1/projects/2", False),
        ("/api/v9/me/tags", False),
        ("/reports/api/v3/workspace/1/search/time_entries", False),
    ],
)
def test_which_answers_are_read_and_cleaned(path: str, inspected: bool):
    assert guard.carries_token(path) is inspected
