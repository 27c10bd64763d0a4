"""Helpers of the console's tests: people, accounts, and a signed-in browser-like client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from trackgate.gateway.keys import create_account, issue_key
from trackgate.pages.console.people import create_member, join
from trackgate.runtime import Runtime

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Team:
    account_id: str
    email: str
    api_key: str
    key_id: str


def make_team(runtime: Runtime, email: str, *, role: str = "owner", name: str = "team") -> Team:
    """An account with one key, and a member of it who signs in with :data:`PASSWORD`."""
    with runtime.db.write() as session:
        account = create_account(session, name)
        member = create_member(session, email, PASSWORD)
        join(session, member.id, account.id, role)
        issued = issue_key(session, account.id, name="first")
        return Team(account.id, email, issued.api_key, issued.key_id)


def make_operator(runtime: Runtime, email: str) -> None:
    with runtime.db.write() as session:
        create_member(session, email, PASSWORD, operator=True)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in as a browser would; the CSRF token of the page it lands on."""
    form = client.get("/console/signin")
    answer = client.post(
        "/console/signin",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    landed = client.get(answer.headers["location"])
    assert landed.status_code == 200, landed.text
    return csrf_of(landed.text)


def post(client: TestClient, path: str, csrf: str | None, **fields: str) -> Any:
    data = dict(fields)
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.post(path, data=data, follow_redirects=False)
