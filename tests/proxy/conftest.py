"""Fixtures of the proxy tests: a gateway account with a connection to ``user``, and gateways
in front of a loopback upstream built with the settings a test asks for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.proxy.helpers import Account, FakeUpstream, make_account, make_connection
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime


@dataclass
class Gate:
    """A gateway account whose (only) connection is ``user``'s Toggl account."""

    account: Account
    connection_id: str
    user: Person

    @property
    def headers(self) -> dict[str, str]:
        return self.account.bearer


@pytest.fixture
def gate(runtime: Runtime, user: Person) -> Gate:
    account = make_account(runtime)
    connection_id = make_connection(runtime, account.account_id, user.token)
    return Gate(account, connection_id, user)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    fake.start()
    yield fake
    fake.stop()


@dataclass
class Remote:
    """A gateway whose toggl-track upstream is the loopback ``FakeUpstream``."""

    client: TestClient
    runtime: Runtime
    app: Any
    account: Account
    connection_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return self.account.bearer


@pytest.fixture
def remote_gateway(settings: Settings) -> Iterator[Callable[..., Remote]]:
    """``remote_gateway(upstream_url, **settings)`` -> a running gateway with one connection."""
    with ExitStack() as stack:

        def build(upstream_url: str, **overrides: Any) -> Remote:
            changed = settings.with_overrides(upstream_url=upstream_url, **overrides)
            runtime = build_runtime(changed)
            stack.callback(runtime.close)
            app = create_app(runtime)
            client = stack.enter_context(TestClient(app, raise_server_exceptions=False))
            account = make_account(runtime)
            token = "tok-" + account.account_id.replace("-", "")
            connection_id = make_connection(runtime, account.account_id, token)
            return Remote(client, runtime, app, account, connection_id, token)

        yield build
