"""Helpers shared by the control-plane tests: gateway accounts, connections, the connect form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from trackgate.crypto import digest
from trackgate.gateway.keys import create_account, issue_key
from trackgate.runtime import Runtime
from trackgate.storage.models import Connection, ConnectSession

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
CONNECTION_KEYS = {
    "connection_id",
    "status",
    "creation_time",
    "last_updated_time",
    "url",
    "app",
    "method",
    "metadata",
    "scopes",
    "failure_reason",
    "quota",
    "budgets",
}
PAGE_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@dataclass
class GatewayAccount:
    account_id: str
    key_id: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def make_account(runtime: Runtime, name: str = "team") -> GatewayAccount:
    with runtime.db.write() as session:
        account = create_account(session, name)
        issued = issue_key(session, account.id)
        return GatewayAccount(account.id, issued.key_id, issued.api_key)


def start_connection(client: TestClient, account: GatewayAccount) -> dict[str, Any]:
    r = client.post("/connections", json={"app": "toggl-track"}, headers=account.headers)
    assert r.status_code == 200, r.text
    connection: dict[str, Any] = r.json()["connection"]
    return connection


def connect_path(url: str) -> str:
    """The path and query of a connect url, for the in-process client."""
    parts = urlsplit(url)
    assert parts.path == "/connect"
    return f"{parts.path}?{parts.query}"


def session_token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["session_token"][0]


def csrf_of(html: str) -> str:
    found = re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', html)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def assert_page_headers(headers: Any) -> None:
    for name, value in PAGE_HEADERS.items():
        assert headers[name] == value, name
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["content-type"].startswith("text/html")


def stored_connection(runtime: Runtime, connection_id: str) -> Connection | None:
    with runtime.db.read() as session:
        return session.get(Connection, connection_id)


def stored_session(runtime: Runtime, url: str) -> ConnectSession | None:
    with runtime.db.read() as session:
        return session.get(ConnectSession, digest(session_token(url)))
