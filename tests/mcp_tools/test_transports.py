"""The MCP server as agents reach it: ``trackgate mcp`` over stdio (straight to a service and
through a gateway) and ``/mcp`` on a live ``trackgate serve`` with a gateway key."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.mcp_tools.test_tools import READ_TOOLS, WRITE_TOOLS, call

pytestmark = pytest.mark.socket


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """A live server with the demo account; yields it and the demo gateway key."""
    server = start_live_server(tmp_path, "--demo")
    line = server.process.stdout.readline()
    assert line.startswith("export MATON_API_KEY=")
    yield server, line.strip().split("=", 1)[1]
    stop_live_server(server)


def _stdio(tmp_path: Path, env: dict[str, str], *args: str) -> StdioServerParameters:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "TZ": "UTC"}
    return StdioServerParameters(
        command=sys.executable, args=["-m", "trackgate", "mcp", *args], env={**base, **env}
    )


async def _agent_session(client: Client) -> dict[str, Any]:
    """What the acceptance check asks of a session: timer by project name, a past entry,
    yesterday's entries, a summary by project, the quota, and a refused delete."""
    names = {tool.name for tool in (await client.list_tools()).tools}
    assert names == READ_TOOLS | WRITE_TOOLS
    await call(client, "create_project", name="Website")
    started = await call(client, "start_timer", description="homepage", project="Website")
    assert started["entry"]["running"] and started["entry"]["project"] == "Website"
    stopped = await call(client, "stop_timer")
    assert stopped["entry"]["id"] == started["entry"]["id"] and not stopped["entry"]["running"]
    added = await call(
        client,
        "add_entry",
        description="planning",
        start="yesterday 10:00",
        duration="2h",
        project="Website",
    )
    listed = await call(client, "list_entries", range="yesterday")
    assert [row["id"] for row in listed["entries"]] == [added["entry"]["id"]]
    summary = await call(client, "summary_report", range="yesterday", group_by="project")
    assert summary["groups"][0]["key"] == "Website" and summary["total_seconds"] == 7200
    quota = await call(client, "quota")
    refused = await client.call_tool("delete_entry", {"id": added["entry"]["id"]})
    assert refused.is_error and refused.structured_content["entry"]["description"] == "planning"
    return quota


async def test_stdio_straight_to_the_service(live_server: LiveServer, tmp_path: Path) -> None:
    made = live_server.cli(
        "users", "create", "--email", "agent@example.com", "--password", "correct horse battery"
    )
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["api_token"]
    env = {"TOGGL_API_URL": f"{live_server.url}/api/v9", "TOGGL_API_TOKEN": token}
    async with Client(_stdio(tmp_path, env)) as client:
        await _agent_session(client)
    async with Client(_stdio(tmp_path, env, "--read-only")) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert names == READ_TOOLS


async def test_stdio_through_the_gateway(
    demo_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, key = demo_server
    env = {"TRACKGATE_GATEWAY_URL": server.url, "MATON_API_KEY": key}
    async with Client(_stdio(tmp_path, env)) as client:
        who = await call(client, "whoami")
    assert who["user"]["email"] and "api_token" not in json.dumps(who)


async def test_http_with_a_gateway_key(demo_server: tuple[LiveServer, str]) -> None:
    server, key = demo_server
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
        async with Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client:
            await _agent_session(client)


async def test_http_refuses_a_missing_or_wrong_key(demo_server: tuple[LiveServer, str]) -> None:
    server, _ = demo_server
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    for headers in ({}, {"Authorization": "Bearer tgk_not_a_key"}):
        answer = httpx.post(f"{server.url}/mcp", json=body, headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["error"]["code"] == "unauthorized"
