"""Resources an agent can read are listed (not only as templates), a bad key reading one is
a readable error, a change's result is dated by the change, and ``current_entry`` carries only
its own fields."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from mcp import Client, MCPError

from tests.conftest import Person
from tests.mcp_tools.conftest import Session
from tests.mcp_tools.test_tools import call
from trackgate.client import AsyncToggl
from trackgate.mcp.observe import ObservingTransport
from trackgate.mcp.server import build_server
from trackgate.mcp.toolkit import Toolkit


async def test_resources_list_names_what_can_be_read(mcp_session: Session) -> None:
    async with mcp_session() as client:
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
        for uri in sorted(listed):
            read = await client.read_resource(uri)
            assert read.contents[0].text.startswith("{")
    assert {"toggl://timer/current", "toggl://entries/today"} <= listed
    assert "toggl://entries/{range}" in templates


async def test_a_bad_key_reading_a_resource_is_a_clear_error(
    mcp_session: Session, user: Person
) -> None:
    stranger = dataclasses.replace(user, token="0" * 32)
    async with mcp_session(person=stranger) as client:
        for uri in ("toggl://timer/current", "toggl://entries/today"):
            with pytest.raises(MCPError) as caught:
                await client.read_resource(uri)
            message = str(caught.value)
            assert "Error reading resource" not in message  # the SDK's word for a crash
            assert "Incorrect username and/or password" in message, message


class AgedAnswers(httpx.AsyncBaseTransport):
    """The service behind a gateway's mirror: every read answer is two minutes old."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "GET":
            response.headers["Age"] = "120"
            response.headers["X-Trackgate-Cache"] = "hit"
        return response


@asynccontextmanager
async def aged_session(app: Any, person: Person) -> AsyncIterator[Client]:
    transport = ObservingTransport(AgedAnswers(httpx.ASGITransport(app=app)))
    toggl = AsyncToggl(api_token=person.token, base_url="http://service", transport=transport)
    kit = Toolkit(toggl)

    async def toolkit_for(_: Any) -> Toolkit:
        return kit

    async with app.router.lifespan_context(app):
        async with Client(build_server(toolkit_for)) as client:
            yield client
    await toggl.aclose()


async def test_a_change_is_dated_by_the_change(app: Any, user: Person) -> None:
    async with aged_session(app, user) as client:
        before = datetime.now(UTC).replace(microsecond=0)
        started = await call(client, "start_timer", description="dated")
        stopped = await call(client, "stop_timer")
        current = await call(client, "current_entry")
    for result in (started, stopped):
        assert datetime.fromisoformat(result["as_of"]) >= before, result["as_of"]
    read_at = datetime.fromisoformat(current["as_of"])  # a read stays as old as its answer
    assert read_at <= datetime.now(UTC) - timedelta(seconds=100)


async def test_current_entry_carries_only_its_own_fields(mcp_session: Session) -> None:
    async with mcp_session() as client:
        await call(client, "start_timer", description="alone")
        current = await call(client, "current_entry")
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(current) == {"as_of", "cache", "quota", "entry"}
    assert current["entry"]["description"] == "alone"
    schema = tools["current_entry"].output_schema or {}
    assert set(schema["properties"]) == {"as_of", "cache", "quota", "entry"}
