"""Helpers of the console's tests over a real socket: people signed up through an
invitation on a live server, each with a cookie jar of their own."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.pages.console_helpers import csrf_of

PASSWORD = "a long password"


def json_of(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


@dataclass
class Member:
    client: httpx.Client
    account_id: str
    api_key: str
    email: str

    def csrf(self, path: str = "/console/connections") -> str:
        return csrf_of(self.client.get(path).text)

    def post(self, path: str, csrf: str | None, **fields: str) -> httpx.Response:
        data = dict(fields)
        if csrf is not None:
            data["csrf_token"] = csrf
        return self.client.post(path, data=data)


def signed_up(server: LiveServer, account: str = "Crew", role: str = "member") -> Member:
    """A new account and a member of it, signed in through an invitation, in a cookie jar
    of their own."""
    made = json_of(server.cli("accounts", "create", "--name", account))
    email = unique("mate")
    invite = json_of(
        server.cli(
            "console", "invite", "--email", email, "--account", made["account_id"],
            "--role", role, "--url", server.url,
        )
    )  # fmt: skip
    client = httpx.Client(base_url=server.url, timeout=30)
    form = client.get(invite["url"])
    token = invite["url"].partition("invite=")[2]
    answer = client.post(
        "/console/signup",
        data={
            "csrf_token": csrf_of(form.text),
            "invite": token,
            "email": email,
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 303, answer.text
    return Member(client, made["account_id"], made["api_key"], email)


def signed_in(server: LiveServer, email: str, password: str = PASSWORD) -> httpx.Client:
    """Another browser (a cookie jar of its own) signed in as ``email``."""
    client = httpx.Client(base_url=server.url, timeout=30)
    form = client.get("/console/signin")
    answer = client.post(
        "/console/signin",
        data={"csrf_token": csrf_of(form.text), "email": email, "password": password},
    )
    assert answer.status_code == 303, answer.text
    return client


def is_signed_in(client: httpx.Client) -> bool:
    answer = client.get("/console/keys")
    assert answer.status_code in (200, 303)
    return answer.status_code == 200


def connect(server: LiveServer, member: Member) -> tuple[str, dict[str, Any]]:
    """A connection made on the console and completed on its connect page with a new Toggl
    user's API token; its id and the Toggl user."""
    email = unique("tracker")
    user = json_of(server.cli("users", "create", "--email", email, "--password", "x" * 9))
    made = member.post("/console/connections", member.csrf())
    assert made.status_code == 303
    listing = member.client.get("/console/connections").text
    link = re.search(r'id="connect-link" href="([^"]+)"', listing)
    assert link, listing
    url = unescape(link.group(1))
    with httpx.Client(timeout=30) as browser:
        form = browser.get(url)
        done = browser.post(
            url, data={"csrf_token": csrf_of(form.text), "api_token": user["api_token"]}
        )
        assert done.status_code == 200 and "connected" in done.text.lower(), done.text
    listing = member.client.get("/console/connections").text
    found = re.search(r'href="/console/connections/([^/"]+)/week">This week<', listing)
    assert found, listing
    return found.group(1), user


def make_project(server: LiveServer, member: Member, name: str) -> None:
    """A project in the Toggl user's workspace, made through the gateway with the key."""
    auth = {"Authorization": f"Bearer {member.api_key}"}
    me = httpx.get(f"{server.url}/toggl-track/api/v9/me", headers=auth, timeout=30).json()
    wid = me["default_workspace_id"]
    made = httpx.post(
        f"{server.url}/toggl-track/api/v9/workspaces/{wid}/projects",
        headers=auth,
        json={"name": name, "active": True},
        timeout=30,
    )
    assert made.status_code == 200, made.text
