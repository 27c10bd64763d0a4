"""Request size caps over a real socket: a declared oversized body is refused before any of
it is read, a streamed body is cut off at the cap, and oversized headers are refused; each
in the wire shape of the API the request came to."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server

CAP = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp("caps")
    live = start_live_server(tmp, env={"TRACKGATE_MAX_BODY": str(CAP)})
    yield live
    stop_live_server(live)


def raw_exchange(server: LiveServer, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send ``head`` (and ``body``) on a fresh connection; the status and body answered."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        header, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in header.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    return int(header.split(b" ")[1]), rest


def declared(path: str, size: int, method: str = "POST") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("path", "toggl"),
    [
        ("/api/v9/workspaces/1/time_entries", True),
        ("/api/v9/me", True),
        ("/reports/api/v3/workspace/1/search/time_entries", True),
        ("/connections", False),
        ("/toggl-track/api/v9/me", False),
        ("/connect", False),
    ],
)
def test_a_declared_oversized_body_is_refused_before_it_is_sent(
    server: LiveServer, path: str, toggl: bool
):
    # Only the head is sent: the answer comes without the server waiting for the body.
    status, body = raw_exchange(server, declared(path, 200 * 1024 * 1024))
    assert status == 413
    answer = json.loads(body)
    if toggl:
        assert isinstance(answer, str) and str(CAP) in answer
    else:
        assert answer["error"]["code"] == "payload_too_large"


def chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


@dataclass
class Callers:
    service_token: str
    gateway_key: str


@pytest.fixture(scope="module")
def callers(server: LiveServer) -> Callers:
    """A service user, and a gateway key whose ACTIVE connection holds that user's token,
    made in the server's own data: both get past authentication to the body."""
    from tests.conftest import make_user
    from tests.proxy.helpers import make_account, make_connection
    from trackgate.config import load_settings
    from trackgate.runtime import build_runtime

    runtime = build_runtime(load_settings(server.env))
    try:
        person = make_user(runtime)
        account = make_account(runtime)
        make_connection(runtime, account.account_id, person.token)
    finally:
        runtime.close()
    return Callers(person.token, account.api_key)


@pytest.mark.parametrize(
    ("path", "toggl"),
    [
        ("/api/v9/workspaces/1/time_entries", True),
        ("/toggl-track/api/v9/workspaces/1/time_entries", False),
    ],
)
def test_a_streamed_body_is_cut_off_at_the_cap(
    server: LiveServer, callers: Callers, path: str, toggl: bool
):
    # Bodies are read only for known callers: the credentials are valid.
    auth = (callers.service_token if toggl else callers.gateway_key, "api_token")
    try:
        r = httpx.post(server.url + path, content=chunks(4 * CAP), auth=auth, timeout=10)
    except httpx.RemoteProtocolError:
        pytest.fail("the server dropped the connection instead of answering 413")
    assert r.status_code == 413
    if toggl:
        assert isinstance(r.json(), str)
    else:
        assert r.json()["error"]["code"] == "payload_too_large"


def test_a_body_within_the_cap_is_read(server: LiveServer, callers: Callers):
    # The service's own judgement of the body (not a 413) shows it was read.
    r = httpx.post(
        server.url + "/api/v9/workspaces/1/time_entries",
        content=chunks(CAP // 2),
        auth=(callers.service_token, "api_token"),
        timeout=10,
    )
    assert r.status_code == 400


def test_oversized_headers_are_refused(server: LiveServer):
    big = {f"x-filler-{i}": "v" * 1000 for i in range(20)}
    r = httpx.get(server.url + "/api/v9/me", headers=big, timeout=10)
    assert r.status_code == 413
    assert isinstance(r.json(), str)
    r = httpx.get(server.url + "/connections", headers=big, timeout=10)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


def test_a_malformed_cap_is_a_one_line_error(tmp_path: Path):
    from trackgate.config import load_settings

    with pytest.raises(ValueError, match="TRACKGATE_MAX_BODY"):
        load_settings({"TRACKGATE_MAX_BODY": "lots"})
