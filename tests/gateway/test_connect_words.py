"""The connect page speaks to the person connecting: who asks, what it may do, where the
token is, and what to do next when a link cannot be used -- in words, not API paths."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.gateway.control_helpers import (
    connect_path,
    csrf_of,
    make_account,
    start_connection,
)
from trackgate.app import create_app
from trackgate.gateway.scopes import DEFAULT, SCOPES
from trackgate.pages.connect_html import connected_page
from trackgate.runtime import Runtime


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_form_names_the_account_and_what_it_may_do(
    client: TestClient, runtime: Runtime
) -> None:
    account = make_account(runtime, name="Acme Time Robot")
    connection = start_connection(client, account)
    text = words(client.get(connect_path(connection["url"])).text)
    assert "Acme Time Robot asks for access to your Toggl Track account." in text
    asked = "; ".join(scope.consent for scope in SCOPES if scope.name in DEFAULT)
    assert "If you connect, Acme Time Robot will be able to: " in text
    assert asked.replace("; ", " (always) ", 1).replace("; ", " ") in text
    assert "it cannot see your API token or change your email or password." in text


def test_the_embedded_service_has_no_profile_page_to_point_at(
    client: TestClient, runtime: Runtime
) -> None:
    connection = start_connection(client, make_account(runtime))
    text = words(client.get(connect_path(connection["url"])).text)
    assert "profile" not in text.lower()
    assert "given to you by the person who runs this server" in text


@pytest.fixture
def toggl_client(runtime: Runtime) -> Iterator[TestClient]:
    """The same gateway, configured in front of real Toggl (the form never calls it)."""
    settings = dataclasses.replace(runtime.settings, upstream_url="https://api.track.toggl.com")
    app: Any = create_app(dataclasses.replace(runtime, settings=settings))
    with TestClient(app) as client:
        yield client


def test_in_front_of_toggl_the_page_points_at_the_profile_settings(
    toggl_client: TestClient, runtime: Runtime
) -> None:
    connection = start_connection(toggl_client, make_account(runtime))
    text = words(toggl_client.get(connect_path(connection["url"])).text)
    assert "Find it at the bottom of your Profile settings in Toggl Track" in text


def test_the_success_page_names_the_account_that_now_has_access(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    connection = start_connection(client, make_account(runtime, name="Acme Time Robot"))
    path = connect_path(connection["url"])
    csrf = csrf_of(client.get(path).text)
    done = client.post(path, data={"csrf_token": csrf, "api_token": user.token})
    assert done.status_code == 200
    text = words(done.text)
    assert "is now connected to Acme Time Robot" in text and user.email in text


@pytest.mark.parametrize(
    ("query", "status", "advice"),
    [
        ("", 400, "Copy the whole link"),
        ("?session_token=not-a-real-token", 404, "Ask whoever sent it to you for a new link."),
    ],
)
def test_error_pages_say_what_to_do_next_in_plain_words(
    client: TestClient, query: str, status: int, advice: str
) -> None:
    answer = client.get("/connect" + query)
    assert answer.status_code == status
    text = words(answer.text)
    assert advice in text
    assert "/connections" not in text and "GET " not in text


def test_a_used_link_says_to_ask_for_a_new_one(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    connection = start_connection(client, make_account(runtime))
    path = connect_path(connection["url"])
    client.post(path, data={"csrf_token": csrf_of(client.get(path).text), "api_token": user.token})
    text = words(client.get(path).text)
    assert "This link was already used. Ask whoever sent it to you for a new link." in text


def test_the_success_page_says_how_to_take_the_access_back(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    connection = start_connection(client, make_account(runtime, name="Acme Time Robot"))
    path = connect_path(connection["url"])
    done = client.post(path, data={"csrf_token": csrf_of(client.get(path).text), **_token(user)})
    text = words(done.text)
    assert "To take the access back later, ask Acme Time Robot to delete this connection" in text
    assert "to reset your API token ( trackgate users reset-token )" in text


def test_in_front_of_toggl_the_success_page_points_at_the_token_reset() -> None:
    html = connected_page(
        app="toggl",
        account_name="Acme",
        email="a@example.com",
        fullname="",
        granted=DEFAULT,
        upstream_url="https://api.track.toggl.com",
    )
    text = words(html)
    assert "reset your API token at the bottom of your Profile settings in Toggl Track" in text
    assert "ask Acme to delete this connection" in text


def _token(user: Person) -> dict[str, str]:
    return {"api_token": user.token}
