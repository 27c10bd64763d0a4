"""An MCP client session in-process: the official SDK's client talking to trackgate's MCP
server, whose tools reach the real service through the SDK over ``httpx.ASGITransport``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from mcp import Client

from tests.conftest import Person
from trackgate.client import AsyncToggl
from trackgate.mcp.observe import ObservingTransport
from trackgate.mcp.server import build_server
from trackgate.mcp.toolkit import Toolkit

Session = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def mcp_session(app: Any, user: Person) -> Session:
    """``async with mcp_session(read_only=False) as client`` for ``user``."""

    @asynccontextmanager
    async def open_session(read_only: bool = False, person: Person = user) -> AsyncIterator[Client]:
        transport = ObservingTransport(httpx.ASGITransport(app=app))
        toggl = AsyncToggl(
            api_token=person.token, base_url="http://service/api/v9", transport=transport
        )
        kit = Toolkit(toggl)

        async def toolkit_for(_: Any) -> Toolkit:
            return kit

        async with app.router.lifespan_context(app):
            async with Client(build_server(toolkit_for, read_only=read_only)) as client:
                yield client
        await toggl.aclose()

    return open_session
