"""A gateway whose toggl-track upstream is its own embedded service, with one connection to
``user``'s account; ``shielded(**settings)`` builds one with the settings a test asks for."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.proxy.conftest import remote_gateway, upstream  # noqa: F401 - fixtures used here too
from tests.proxy.helpers import Account, make_account, make_connection
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.gateway.guard import TOKEN_STAND_IN
from trackgate.runtime import Runtime, build_runtime

T = "/toggl-track/api/v9"


@dataclass
class Shielded:
    client: TestClient
    runtime: Runtime
    account: Account
    connection_id: str
    user: Person

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(T + path, headers={**self.account.bearer, **headers})

    def send(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.request(method, T + path, headers=self.account.bearer, json=body)

    def direct(self, method: str, path: str, body: Any = None) -> Any:
        """The same call straight to the service, as another client of the account would."""
        return self.client.request(method, "/api/v9" + path, headers=self.user.auth, json=body)

    @property
    def wid(self) -> int:
        return self.user.workspace_id

    def start(self, description: str, via: str = "gateway", **extra: Any) -> Any:
        body = {
            "workspace_id": self.wid,
            "created_with": "tests",
            "start": stamp(minutes_ago=extra.pop("minutes_ago", 1)),
            "duration": -1,
            "description": description,
            **extra,
        }
        path = f"/workspaces/{self.wid}/time_entries"
        answer = (
            self.send("POST", path, body) if via == "gateway" else self.direct("POST", path, body)
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


def stamp(minutes_ago: float = 0) -> str:
    when = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def today_range() -> str:
    today = datetime.now(UTC).date()
    return f"start_date={today - timedelta(days=1)}&end_date={today + timedelta(days=1)}"


@pytest.fixture
def shielded(settings: Settings) -> Iterator[Callable[..., Shielded]]:
    with ExitStack() as stack:

        def build(**changes: Any) -> Shielded:
            changes = {"rate_limit": "1000/second", **changes}
            runtime = build_runtime(dataclasses.replace(settings, **changes))
            stack.callback(runtime.close)
            client = stack.enter_context(
                TestClient(create_app(runtime), raise_server_exceptions=False)
            )
            person = make_user(runtime, fullname="Agent Owner")
            account = make_account(runtime)
            connection_id = make_connection(runtime, account.account_id, person.token)
            return Shielded(client, runtime, account, connection_id, person)

        yield build


@pytest.fixture
def gw(shielded: Callable[..., Shielded]) -> Shielded:
    return shielded()


def without_token(value: Any) -> Any:
    """The direct answer as the gateway shows it: the credential is never handed out (the key
    stays, with a stand-in)."""
    if isinstance(value, dict):
        return {
            k: (TOKEN_STAND_IN if v is not None else None) if k == "api_token" else without_token(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [without_token(v) for v in value]
    return value
