"""The importer's requests meet Toggl's hourly quota: on a 402 it waits as long as
``X-Toggl-Quota-Resets-In`` says, says why, and asks again instead of failing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.transfer.toggl_account import cli
from trackgate.transfer.toggl_upstream import Upstream, UpstreamError


class _Spent(BaseHTTPRequestHandler):
    """Answers 402 to the first request (the quota resets in a second), then a user."""

    seen: list[float] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's spelling
        self.seen.append(time.monotonic())
        if len(self.seen) == 1:
            body = b'"You have hit your hourly limit for API calls."'
            self.send_response(402)
            self.send_header("X-Toggl-Quota-Remaining", "0")
            self.send_header("X-Toggl-Quota-Resets-In", "1")
        elif self.path.startswith("/api/v9/missing"):
            body = b'"Not found"'
            self.send_response(404)
        else:
            body = json.dumps({"id": 1, "email": "q@example.com"}).encode()
            self.send_response(200)
            self.send_header("X-Toggl-Quota-Remaining", "29")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def spent() -> Iterator[str]:
    _Spent.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Spent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_spent_quota_is_waited_out_and_said(spent: str) -> None:
    waits: list[tuple[str, float]] = []
    up = Upstream(spent, "secret-token", wait=lambda why, s: waits.append((why, s)))
    try:
        me = up.get("/api/v9/me", "your user")
    finally:
        up.close()
    assert me["email"] == "q@example.com"
    assert up.requests == 2
    assert len(waits) == 1 and "quota" in waits[0][0] and "your user" in waits[0][0]
    assert _Spent.seen[1] - _Spent.seen[0] >= 1.0


def test_an_error_answer_names_the_call_not_the_token(spent: str) -> None:
    up = Upstream(spent, "secret-token", sleep=lambda s: None)
    try:
        with pytest.raises(UpstreamError) as caught:
            up.get("/api/v9/missing", "nothing")
    finally:
        up.close()
    assert "404" in str(caught.value) and "secret-token" not in str(caught.value)


def test_the_command_says_what_it_waits_for_and_goes_on(spent: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = cli(data, data / "key", "import", "toggl", "--token", "secret-token", "--url", spent)
    assert done.returncode == 0, done.stderr
    assert "hourly quota is spent; waiting for it to reset (your user and catalog): 2 s" in (
        done.stderr
    )
    assert "secret-token" not in done.stdout + done.stderr
    assert "Upstream requests: 4." in done.stdout  # the refused one counts too
