"""Tenants of the replica tests: a service user, a gateway account with a key, and an ACTIVE
connection to the user made through the connect page of a replica."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tests.conftest import LiveServer, make_user
from tests.gateway.control_helpers import csrf_of
from trackgate.gateway.keys import create_account, issue_key
from trackgate.runtime import Runtime

PROXIED_ME = "/toggl-track/api/v9/me"


@dataclass
class Tenant:
    email: str
    api_token: str
    account_id: str
    key_id: str
    api_key: str
    connection_id: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def start_connection(server: LiveServer, bearer: dict[str, str]) -> str:
    made = httpx.post(
        f"{server.url}/connections", json={"app": "toggl-track"}, headers=bearer, timeout=30
    )
    assert made.status_code == 200, made.text
    connection_id: str = made.json()["connection"]["connection_id"]
    return connection_id


def connect_url(server: LiveServer, bearer: dict[str, str], connection_id: str) -> str:
    shown = httpx.get(f"{server.url}/connections/{connection_id}", headers=bearer, timeout=30)
    assert shown.status_code == 200, shown.text
    url: str = shown.json()["connection"]["url"]
    return url


def complete_connect_page(server: LiveServer, url: str, api_token: str) -> None:
    """Open the connect page at ``server`` (whatever replica made the link) and submit it."""
    path = url[url.index("/connect") :]
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        page = browser.get(path)
        assert page.status_code == 200, page.text
        done = browser.post(path, data={"api_token": api_token, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200, done.text


def make_tenant(runtime: Runtime, made_on: LiveServer, connected_on: LiveServer) -> Tenant:
    """The account and key in the database (as a command makes them); the connection started
    through ``made_on`` and its connect page completed through ``connected_on``."""
    person = make_user(runtime)
    with runtime.db.write() as session:
        account = create_account(session, "replicas")
        issued = issue_key(session, account.id)
        account_id = account.id
    bearer = {"Authorization": f"Bearer {issued.api_key}"}
    connection_id = start_connection(made_on, bearer)
    complete_connect_page(connected_on, connect_url(made_on, bearer, connection_id), person.token)
    return Tenant(
        person.email, person.token, account_id, issued.key_id, issued.api_key, connection_id
    )


def proxied_me(
    server: LiveServer, tenant: Tenant, *, connection: bool = False, fresh: bool = False
) -> httpx.Response:
    headers = dict(tenant.bearer)
    if connection:
        headers["Maton-Connection"] = tenant.connection_id
    if fresh:
        headers["Cache-Control"] = "no-cache"
    return httpx.get(server.url + PROXIED_ME, headers=headers, timeout=30)


def seconds_until(check: Callable[[], bool], give_up_after: float) -> float:
    """Seconds until ``check()`` holds, polling every 50 ms; fails after ``give_up_after``."""
    started = time.monotonic()
    while not check():
        waited = time.monotonic() - started
        assert waited < give_up_after, f"not in effect after {waited:.1f} s"
        time.sleep(0.05)
    return time.monotonic() - started
