"""Fixtures of the CLI tests: one live ``trackgate serve`` per module, a fresh user per test,
and the CLI run as a real subprocess with the environment a person would set, straight to the
service (TOGGL_API_URL/TOGGL_API_TOKEN) or through the gateway (TRACKGATE_GATEWAY_URL/
MATON_API_KEY)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path_factory.mktemp("serve"))
    yield live
    stop_live_server(live)


def make_user(server: LiveServer) -> dict[str, Any]:
    made = server.cli(
        "users",
        "create",
        "--email",
        f"cli-{uuid.uuid4().hex[:8]}@example.com",
        "--password",
        "secret123",
        "--fullname",
        "Terminal Person",
    )
    assert made.returncode == 0, made.stderr
    user: dict[str, Any] = json.loads(made.stdout)
    return user


def connect_account(server: LiveServer, api_key: str, api_token: str) -> str:
    """A gateway connection to the user's account, made as a person makes it: POST
    /connections, then the connect page submitted with the API token."""
    bearer = {"Authorization": f"Bearer {api_key}"}
    made = httpx.post(f"{server.url}/connections", json={"app": "toggl-track"}, headers=bearer)
    connection = made.json()["connection"]
    with httpx.Client() as browser:
        page = browser.get(connection["url"])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        done = browser.post(
            connection["url"], data={"csrf_token": csrf.group(1), "api_token": api_token}
        )
        assert done.status_code == 200, done.text
    return str(connection["connection_id"])


@dataclass
class Terminal:
    """A person's shell: HOME, config dir, and the environment naming the service."""

    server: LiveServer
    user: dict[str, Any]
    route: str
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> Any:
        return subprocess.run(
            [sys.executable, "-m", "trackgate", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
        )

    def json(self, *args: str) -> Any:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    @property
    def workspace_id(self) -> int:
        return int(self.user["default_workspace_id"])


def base_env(home: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TRACKGATE_", "TOGGL_", "MATON_"))
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TZ="Europe/Berlin")
    return env


def terminal_for(server: LiveServer, route: str, home: Path) -> Terminal:
    user = make_user(server)
    env = base_env(home)
    if route == "direct":
        env["TOGGL_API_URL"] = f"{server.url}/api/v9"
        env["TOGGL_API_TOKEN"] = user["api_token"]
    else:
        account = server.cli("accounts", "create", "--name", "cli")
        api_key = json.loads(account.stdout)["api_key"]
        connect_account(server, api_key, user["api_token"])
        env["TRACKGATE_GATEWAY_URL"] = server.url
        env["MATON_API_KEY"] = api_key
    return Terminal(server, user, route, home, env)


@pytest.fixture(params=["direct", "gateway"])
def terminal(request: pytest.FixtureRequest, server: LiveServer, tmp_path: Path) -> Terminal:
    return terminal_for(server, str(request.param), tmp_path / "home")


class Switch:
    """A loopback HTTP server in front of the live service that can play a spent quota
    (402 with Toggl's quota headers) or a dropped connection, then forward again."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode = "forward"
        switch = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if switch.mode == "down":
                    self.close_connection = True
                    self.connection.close()
                    return
                if switch.mode == "quota":
                    payload = b'"Quota exceeded; it resets in 1200 seconds"'
                    self.send_response(402)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("X-Toggl-Quota-Remaining", "0")
                    self.send_header("X-Toggl-Quota-Resets-In", "1200")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length")
                }
                answer = httpx.request(
                    self.command, switch.upstream + self.path, headers=headers, content=body
                )
                self.send_response(answer.status_code)
                for name in ("Content-Type", "X-Request-Id"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def switch(server: LiveServer) -> Iterator[Switch]:
    front = Switch(server.url)
    yield front
    front.close()
