"""``/mcp`` lists only the tools the caller's key and connection allow, and each tool it lists
works through the gateway with exactly those scopes (in process: the official MCP client over
``httpx2.ASGITransport`` to the whole app)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import Person
from tests.mcp_tools.test_tools import READ_TOOLS, WRITE_TOOLS, call
from tests.proxy.helpers import make_connection
from trackgate.app import create_app
from trackgate.gateway import scopes
from trackgate.gateway.keys import create_account, issue_key
from trackgate.runtime import Runtime, build_runtime
from trackgate.storage.models import Connection

TIME_TOOLS = {"start_timer", "stop_timer", "add_entry", "update_entry", "delete_entry"}
CATALOG_TOOLS = WRITE_TOOLS - TIME_TOOLS

Open = Callable[..., AbstractAsyncContextManager[Client]]


@dataclasses.dataclass
class Agents:
    runtime: Runtime
    app: Any
    account_id: str
    connection_id: str

    def key(self, *granted: str) -> str:
        with self.runtime.db.write() as session:
            return issue_key(session, self.account_id, scopes=granted).api_key

    def grant(self, *granted: str) -> None:
        """As if the connection's owner had ticked only these boxes."""
        with self.runtime.db.write() as session:
            row = session.get(Connection, self.connection_id)
            assert row is not None
            row.scopes = scopes.spell(granted)


@pytest.fixture
def agents(runtime: Runtime, user: Person) -> Iterator[Agents]:
    relaxed = build_runtime(dataclasses.replace(runtime.settings, rate_limit="100000/second"))
    try:
        with relaxed.db.write() as session:
            account_id = create_account(session, "agents").id
        connection_id = make_connection(relaxed, account_id, user.token)
        yield Agents(relaxed, create_app(relaxed), account_id, connection_id)
    finally:
        relaxed.close()


@pytest.fixture
async def mcp_as(agents: Agents) -> AsyncIterator[Open]:
    """``async with mcp_as(api_key) as client``: an MCP session at ``/mcp`` with that key
    (the app's lifespan runs once, around every session of the test)."""

    @asynccontextmanager
    async def open_session(api_key: str) -> AsyncIterator[Client]:
        transport = httpx2.ASGITransport(app=agents.app)
        headers = {"Authorization": f"Bearer {api_key}"}
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://gateway", headers=headers, timeout=30
        ) as http:
            mcp = streamable_http_client("http://gateway/mcp", http_client=http)
            async with Client(mcp) as client:
                yield client

    async with agents.app.router.lifespan_context(agents.app):
        yield open_session


async def _names(client: Client) -> set[str]:
    return {tool.name for tool in (await client.list_tools()).tools}


@pytest.mark.parametrize(
    ("granted", "expected"),
    [
        ((scopes.READ,), READ_TOOLS),
        ((scopes.READ, scopes.TIME_WRITE), READ_TOOLS | TIME_TOOLS),
        ((scopes.READ, scopes.CATALOG_WRITE), READ_TOOLS | CATALOG_TOOLS),
        (tuple(scopes.DEFAULT), READ_TOOLS | WRITE_TOOLS),
        (tuple(scopes.ALL), READ_TOOLS | WRITE_TOOLS),
        ((scopes.TIME_WRITE,), set()),  # every tool reads too
    ],
    ids=lambda value: "+".join(sorted(value)) if isinstance(value, tuple) else None,
)
async def test_the_tool_list_follows_the_keys_scopes(
    agents: Agents, mcp_as: Open, granted: tuple[str, ...], expected: set[str]
) -> None:
    async with mcp_as(agents.key(*granted)) as client:
        assert await _names(client) == expected


async def test_a_read_key_sees_what_read_only_offers_and_cannot_call_the_rest(
    agents: Agents, mcp_as: Open
) -> None:
    async with mcp_as(agents.key(scopes.READ)) as client:
        assert await _names(client) == READ_TOOLS
        refused = await client.call_tool("start_timer", {"description": "x"})
        assert refused.is_error
        assert "time:write" in refused.content[0].text  # type: ignore[union-attr]
        assert (await call(client, "current_entry"))["entry"] is None


async def test_the_connections_grant_narrows_the_list(agents: Agents, mcp_as: Open) -> None:
    key = agents.key(*scopes.ALL)
    agents.grant(scopes.READ, scopes.TIME_WRITE)
    async with mcp_as(key) as client:
        assert await _names(client) == READ_TOOLS | TIME_TOOLS


async def test_each_listed_write_tool_works_with_just_its_scopes(
    agents: Agents, mcp_as: Open
) -> None:
    """The tool list is derived from the gateway's scope table: a key holding only what a
    tool is listed for can run it through the gateway."""
    async with mcp_as(agents.key(scopes.READ, scopes.CATALOG_WRITE)) as client:
        await call(client, "create_client", name="Acme")
        await call(client, "create_tag", name="deep")
        await call(client, "create_project", name="Site", client="Acme")
    async with mcp_as(agents.key(scopes.READ, scopes.TIME_WRITE)) as client:
        started = await call(client, "start_timer", description="x", project="Site")
        await call(client, "stop_timer")
        added = await call(client, "add_entry", description="y", start="-2h", duration="1h")
        await call(client, "update_entry", id=added["entry"]["id"], description="z")
        await call(client, "delete_entry", id=started["entry"]["id"], confirm=True)
        for tool in ("whoami", "list_projects", "list_clients", "list_tags", "list_tasks"):
            await call(client, tool)
        await call(client, "list_entries", range="today")
        await call(client, "summary_report", range="today", group_by="project")
        await call(client, "quota")
