"""The SDK's fixtures: one client, sync or async, straight to the service or through the
gateway, all in-process (the sync client over Starlette's test transport, the async one over
``httpx.ASGITransport``). ``Either`` gives both flavours one calling convention, so one test
suite covers both."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.proxy.helpers import make_account, make_connection
from trackgate.client import AsyncToggl, Toggl
from trackgate.runtime import Runtime

ROOT = "http://testserver"


async def _collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


class Either:
    """A sync or async client (or one of its resources) called the same way: coroutines are
    run to their value, iterators of either kind become lists."""

    def __init__(self, target: Any, runner: asyncio.Runner | None) -> None:
        self._target = target
        self._runner = runner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if hasattr(value, "_client") and not callable(value):
            return Either(value, self._runner)
        if inspect.ismethod(value):
            return lambda *args, **kwargs: self._settle(value(*args, **kwargs))
        return value

    def _settle(self, result: Any) -> Any:
        if inspect.iscoroutine(result):
            assert self._runner is not None
            return self._runner.run(result)
        if inspect.isasyncgen(result):
            assert self._runner is not None
            return self._runner.run(_collect(result))
        if inspect.isgenerator(result):
            return list(result)
        return result

    @property
    def raw(self) -> Any:
        """The client itself (sync or async)."""
        return self._target


@dataclass
class Target:
    """Where a client points: credentials and base URL, as the constructor takes them."""

    route: str
    options: dict[str, Any]
    user: Person


@pytest.fixture(params=["direct", "gateway"])
def target(request: pytest.FixtureRequest, runtime: Runtime, user: Person) -> Target:
    if request.param == "direct":
        return Target("direct", {"api_token": user.token, "base_url": f"{ROOT}/api/v9"}, user)
    account = make_account(runtime)
    connection = make_connection(runtime, account.account_id, user.token)
    options = {"gateway_key": account.api_key, "connection": connection, "base_url": ROOT}
    return Target("gateway", options, user)


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def connect(app: Any, flavour: str) -> Iterator[Any]:
    """``connect(**options)`` -> an ``Either`` over a client of this test's flavour."""
    runner = asyncio.Runner()
    closers: list[Any] = []
    lifespan = app.router.lifespan_context(app)
    test_client: TestClient | None = None
    if flavour == "sync":
        test_client = TestClient(app, raise_server_exceptions=False).__enter__()
    else:
        runner.run(lifespan.__aenter__())

    def build(**options: Any) -> Either:
        if flavour == "sync":
            client: Any = Toggl(http_client=test_client, **options)
        else:
            transport = httpx.ASGITransport(app=app)
            client = AsyncToggl(transport=transport, **options)
            closers.append(client.aclose)
        return Either(client, runner)

    yield build
    for close in closers:
        runner.run(close())
    if test_client is not None:
        test_client.__exit__(None, None, None)
    else:
        runner.run(lifespan.__aexit__(None, None, None))
    runner.close()


@pytest.fixture
def toggl(connect: Any, target: Target) -> Any:
    """A client of each flavour, straight to the service and through the gateway."""
    return connect(**target.options)
