"""The access log over a real socket: one line per request, the path escaped as sent, so a
client can neither forge a line nor send terminal escapes to whoever reads the log, and
never the query string."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.conftest import LiveServer, free_port
from trackgate.access_log import escaped_path


def send_raw(server: LiveServer, request_line: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def log_text(server: LiveServer, tmp_path: Path, marker: str) -> str:
    path = tmp_path / f"serve-{server.port}.log"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace")
        if marker in text:
            return text
        time.sleep(0.05)
    raise AssertionError(f"{marker!r} never reached the log")


def test_encoded_newlines_and_escapes_stay_escaped(live_server: LiveServer, tmp_path: Path):
    answer = send_raw(
        live_server,
        b"GET /api/v9/me%0a127.0.0.1%20%22GET%20/forged%22%20200%1b[31mred?session_token=s3cret"
        b" HTTP/1.1",
    )
    assert answer.startswith(b"HTTP/1.1 ")
    text = log_text(live_server, tmp_path, "/api/v9/me%0a")
    lines = [line for line in text.splitlines() if "/api/v9/me" in line]
    assert len(lines) == 1
    assert "%0a127.0.0.1%20%22GET%20/forged%22%20200%1b[31mred" in lines[0]
    assert not any(line.startswith("127.0.0.1") for line in text.splitlines())
    assert "\x1b" not in text
    assert "s3cret" not in text and "session_token" not in text


def test_escaped_path_from_the_raw_bytes():
    def scope(raw: bytes, path: str = "/x") -> dict[str, object]:
        return {"type": "http", "path": path, "raw_path": raw}

    assert escaped_path(scope(b"/api/v9/me")) == "/api/v9/me"
    assert escaped_path(scope(b'/a\nb\x1bc\xff d"e\\f')) == "/a%0Ab%1Bc%FF%20d%22e%5Cf"
    assert escaped_path(scope(b"/p?token=secret")) == "/p"
    # Without a raw path (some servers), the decoded path is encoded again.
    assert escaped_path({"path": "/a\nb"}) == "/a%0Ab"


def test_json_log_lines_carry_the_request_id(tmp_path: Path):
    import json

    import httpx

    from tests.conftest import start_live_server, stop_live_server

    server = start_live_server(tmp_path, "--log-format", "json")
    try:
        r = httpx.get(server.url + "/api/v9/me?api_token=s3cret", auth=("t0k3n", "api_token"))
        assert r.status_code == 403
        request_id = r.headers["x-request-id"]
        text = log_text(server, tmp_path, request_id)
    finally:
        stop_live_server(server)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger"} <= set(record) for record in records)
    [access] = [r for r in records if r.get("request_id") == request_id]
    assert access["path"] == "/api/v9/me"
    assert access["status"] == 403 and access["method"] == "GET"
    assert "s3cret" not in text and "t0k3n" not in text


def test_an_unknown_log_format_is_refused(tmp_path: Path):
    import subprocess
    import sys

    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "trackgate",
            "serve",
            "--port",
            str(free_port()),
            "--log-format",
            "xml",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "--log-format" in r.stderr and "Traceback" not in r.stderr
