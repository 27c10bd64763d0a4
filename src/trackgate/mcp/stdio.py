"""``trackgate mcp``: the tools over stdio for one identity, configured like the CLI
(``TOGGL_API_TOKEN`` with ``TOGGL_API_URL``, or ``MATON_API_KEY`` with ``TRACKGATE_GATEWAY_URL``
and optional ``MATON_CONNECTION``; a profile in config.toml otherwise)."""

from __future__ import annotations

from typing import Any

import httpx

from trackgate.client import AsyncToggl, RetryPolicy
from trackgate.mcp.observe import ObservingTransport
from trackgate.mcp.server import build_server
from trackgate.mcp.toolkit import Toolkit


def toolkit_from_options(options: dict[str, Any]) -> Toolkit:
    """A toolkit over the SDK for credentials as ``trackgate.cli.target`` resolves them."""
    transport = ObservingTransport(httpx.AsyncHTTPTransport(retries=1))
    retry = RetryPolicy(attempts=2, base_delay=0.5, max_wait=10.0)
    return Toolkit(AsyncToggl(**options, transport=transport, timeout=30.0, retry=retry))


def run_stdio(options: dict[str, Any], *, read_only: bool) -> None:
    kit = toolkit_from_options(options)

    async def toolkit_for(_: Any) -> Toolkit:
        return kit

    build_server(toolkit_for, read_only=read_only).run("stdio")
