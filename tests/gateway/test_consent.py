"""Consent that matches: the connect page asks for what the account's keys may do, in the scope
table's own words, lets the person untick what is optional, and the gateway holds every key to
what was granted."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.gateway.control_helpers import (
    GatewayAccount,
    connect_path,
    csrf_of,
    make_account,
    start_connection,
)
from tests.gateway.test_connect_words import words
from trackgate.app import create_app
from trackgate.gateway import scopes
from trackgate.gateway.keys import issue_key
from trackgate.runtime import Runtime, build_runtime

GW = "/toggl-track/api/v9"


def add_key(runtime: Runtime, account: GatewayAccount, granted: frozenset[str]) -> dict[str, str]:
    with runtime.db.write() as session:
        issued = issue_key(session, account.account_id, scopes=granted)
    return {"Authorization": f"Bearer {issued.api_key}"}


def checkboxes(html: str) -> dict[str, str]:
    """scope name -> its whole ``<input>`` tag, in the page's order."""
    tags = re.finditer(r'<input type="checkbox" name="scope" value="([^"]+)"[^>]*>', html)
    return {tag.group(1): tag.group(0) for tag in tags}


def connect(client: TestClient, connection: dict[str, Any], person: Person, *granted: str) -> Any:
    """Complete the page as a browser would, with the boxes ``granted`` ticked."""
    path = connect_path(connection["url"])
    csrf = csrf_of(client.get(path).text)
    fields: list[tuple[str, str]] = [("csrf_token", csrf), ("api_token", person.token)]
    fields += [("scope", name) for name in granted]
    return client.post(
        path,
        content="&".join(f"{k}={v}" for k, v in fields).replace(":", "%3A"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def reread(client: TestClient, account: GatewayAccount, connection_id: str) -> dict[str, Any]:
    answer = client.get(f"/connections/{connection_id}", headers=account.headers)
    assert answer.status_code == 200, answer.text
    connection: dict[str, Any] = answer.json()["connection"]
    return connection


def test_the_page_asks_in_the_tables_words_for_what_the_keys_may_do(
    client: TestClient, runtime: Runtime
) -> None:
    account = make_account(runtime, name="Acme Time Robot")  # its key has the default scopes
    connection = start_connection(client, account)
    html = client.get(connect_path(connection["url"])).text
    text = words(html)
    boxes = checkboxes(html)
    assert list(boxes) == scopes.ordered(scopes.DEFAULT)
    for scope in scopes.SCOPES:
        asked = scope.name in scopes.DEFAULT
        assert (scope.consent in text) is asked, scope.name
    assert "Acme Time Robot asks for access to your Toggl Track account." in text
    assert "it cannot see your API token or change your email or password" in text
    # read is required; the rest are ticked and may be unticked
    assert "required" in boxes["read"] and "checked" in boxes["read"]
    for name in ("time:write", "catalog:write"):
        assert "checked" in boxes[name] and "required" not in boxes[name]
    # a key that may do more makes the page ask for more
    add_key(runtime, account, frozenset({"admin"}))
    again = client.get(connect_path(connection["url"])).text
    assert list(checkboxes(again)) == list(scopes.NAMES)
    assert scopes.consent("admin") in words(again)


def test_an_unticked_scope_is_enforced_for_every_key(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    account = make_account(runtime)
    everything = add_key(runtime, account, scopes.ALL)
    connection = start_connection(client, account)
    assert connection["scopes"] == []  # nothing granted while PENDING
    done = connect(client, connection, user, "read", "time:write")
    assert done.status_code == 200, done.text
    assert scopes.consent("time:write") in words(done.text)
    assert scopes.consent("catalog:write") not in words(done.text)
    shown = reread(client, account, connection["connection_id"])
    assert shown["status"] == "ACTIVE" and shown["scopes"] == ["read", "time:write"]
    wid = user.workspace_id
    for headers in (everything, account.headers):
        project = client.post(
            f"{GW}/workspaces/{wid}/projects", json={"name": "P"}, headers=headers
        )
        assert project.status_code == 403, project.text
        body = project.json()
        assert body["error"] == "insufficient_scope" and body["required"] == "catalog:write"
        assert connection["connection_id"] in body["message"]
    renamed = client.put(f"{GW}/workspaces/{wid}", json={"name": "x"}, headers=everything)
    assert renamed.status_code == 403 and renamed.json()["required"] == "admin"
    entry = client.post(
        f"{GW}/workspaces/{wid}/time_entries",
        json={
            "workspace_id": wid,
            "created_with": "tests",
            "start": "2026-01-05T09:00:00Z",
            "duration": 60,
        },
        headers=account.headers,
    )
    assert entry.status_code == 200, entry.text
    assert client.get(f"{GW}/me", headers=everything).status_code == 200


def test_widening_needs_a_new_consent(client: TestClient, runtime: Runtime, user: Person) -> None:
    account = make_account(runtime)
    connection = start_connection(client, account)
    assert connect(client, connection, user, "read").status_code == 200
    wid = user.workspace_id
    path = f"{GW}/workspaces/{wid}/tags"
    refused = client.post(path, json={"name": "t"}, headers=account.headers)
    assert refused.status_code == 403 and refused.json()["required"] == "catalog:write"
    again = reread(client, account, connection["connection_id"])  # a fresh link
    assert connect(client, again, user, "read", "catalog:write").status_code == 200
    assert reread(client, account, connection["connection_id"])["scopes"] == [
        "read",
        "catalog:write",
    ]
    assert client.post(path, json={"name": "t"}, headers=account.headers).status_code == 200


def test_the_form_grants_no_more_than_it_asked(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    account = make_account(runtime)  # default scopes: admin is not asked for
    connection = start_connection(client, account)
    assert connect(client, connection, user, "read", "admin", "catalog:write").status_code == 200
    granted = reread(client, account, connection["connection_id"])["scopes"]
    assert granted == ["read", "catalog:write"]


def test_read_is_granted_even_if_the_box_was_taken_out(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    account = make_account(runtime)
    connection = start_connection(client, account)
    assert connect(client, connection, user, "time:write").status_code == 200
    granted = reread(client, account, connection["connection_id"])["scopes"]
    assert granted == ["read", "time:write"]


def test_a_form_sent_without_the_boxes_grants_what_the_page_offers_ticked(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    """Clients that fill only the credential fields (as before scopes) accept the defaults."""
    account = make_account(runtime)
    connection = start_connection(client, account)
    path = connect_path(connection["url"])
    csrf = csrf_of(client.get(path).text)
    done = client.post(path, data={"csrf_token": csrf, "api_token": user.token})
    assert done.status_code == 200
    granted = reread(client, account, connection["connection_id"])["scopes"]
    assert granted == scopes.ordered(scopes.DEFAULT)


@pytest.fixture
def contact_client(runtime: Runtime) -> Iterator[TestClient]:
    settings = dataclasses.replace(runtime.settings, operator_contact="ops@example.com")
    with_contact = build_runtime(settings)
    try:
        with TestClient(create_app(with_contact)) as client:
            yield client
    finally:
        with_contact.close()


def test_the_operators_contact_is_shown_where_configured(
    client: TestClient, contact_client: TestClient, runtime: Runtime
) -> None:
    account = make_account(runtime)
    plain = words(client.get(connect_path(start_connection(client, account)["url"])).text)
    assert "ops@example.com" not in plain and "Questions about this server" not in plain
    page = contact_client.get(connect_path(start_connection(contact_client, account)["url"])).text
    assert "Questions about this server: ops@example.com" in words(page)
    assert 'href="mailto:ops@example.com"' in page
