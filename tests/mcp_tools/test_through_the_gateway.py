"""The MCP tools through a live gateway with the quota shield on (``trackgate serve --demo``,
its embedded service emulating Toggl's quota as the upstream): reads come from the mirror,
and the ``quota`` tool reports what the gateway recorded instead of asking Toggl."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.mcp_tools.test_tools import call
from tests.mcp_tools.test_transports import _stdio

pytestmark = pytest.mark.socket


@pytest.fixture
def shielded(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """A live gateway (shield on, the default) over a service counting 30 requests an hour."""
    server = start_live_server(tmp_path, "--demo", "--emulate-quota", "30")
    line = server.process.stdout.readline()
    assert line.startswith("export MATON_API_KEY=")
    yield server, line.strip().split("=", 1)[1]
    stop_live_server(server)


def _recorded(server: LiveServer, key: str) -> dict[str, Any]:
    """The demo connection's ``quota`` as ``GET /connections`` shows it."""
    listed = httpx.get(
        f"{server.url}/connections", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    (connection,) = listed.json()["connections"]
    quota: dict[str, Any] = connection["quota"]
    return quota


def _same_buckets(tool: dict[str, Any], recorded: dict[str, Any]) -> None:
    """The tool's buckets are the gateway's record, field for field."""
    shown = [
        {k: row[k] for k in ("scope", "organization_id", "remaining", "resets_in")}
        for row in tool["buckets"]
    ]
    kept = [
        {k: row[k] for k in ("scope", "organization_id", "remaining", "resets_in")}
        for row in recorded["buckets"]
    ]
    assert shown == kept and kept
    assert all(row["observed_at"] for row in tool["buckets"])
    assert (tool["remaining"], tool["resets_in"]) == (recorded["remaining"], recorded["resets_in"])


async def test_reads_hit_the_mirror_and_quota_is_the_gateways_record(
    shielded: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, key = shielded
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        async with Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client:
            first = await call(client, "current_entry")
            second = await call(client, "current_entry")
            recorded = _recorded(server, key)
            quota = await call(client, "quota")
    assert first["cache"] in ("miss", "hit")
    assert second["cache"] == "hit"  # answered by the mirror, no upstream request
    assert recorded["buckets"], "the upstream's quota headers were recorded"
    _same_buckets(quota, recorded)
    # asking spent nothing: the record did not move
    assert _recorded(server, key) == recorded
    # `trackgate mcp` pointed at the gateway reports the same record
    env = {"TRACKGATE_GATEWAY_URL": server.url, "MATON_API_KEY": key}
    async with Client(_stdio(tmp_path, env, "--read-only")) as client:
        over_stdio = await call(client, "quota")
    _same_buckets(over_stdio, _recorded(server, key))
    assert over_stdio["observed_at"] == recorded["observed_at"]
