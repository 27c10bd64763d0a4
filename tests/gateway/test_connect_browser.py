"""The connect page in a real headless Chromium, against a real ``trackgate serve``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.gateway.test_control_api import SEED_LIST, run_snippet

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [pytest.mark.browser, pytest.mark.socket]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One `trackgate serve` for the module; each test makes its own user and account."""
    live = start_live_server(tmp_path_factory.mktemp("browser"))
    yield live
    stop_live_server(live)


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def _json(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _user(server: LiveServer, email: str) -> dict[str, Any]:
    made = server.cli("users", "create", "--email", email, "--password", "secret123")
    user: dict[str, Any] = _json(made)
    return user


def _pending(server: LiveServer) -> tuple[str, dict[str, Any]]:
    """A new gateway account's key, and a PENDING connection of that account."""
    api_key = _json(server.cli("accounts", "create", "--name", "browser"))["api_key"]
    made = httpx.post(
        f"{server.url}/connections",
        json={"app": "toggl-track"},
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    )
    assert made.status_code == 200, made.text
    return api_key, made.json()["connection"]


def test_connecting_with_an_api_token_in_a_browser(server: LiveServer, browser_page: Any) -> None:
    user = _user(server, "browser-ok@example.com")
    api_key, connection = _pending(server)
    page = browser_page
    opened = page.goto(connection["url"])
    assert opened is not None and opened.status == 200
    assert opened.headers["cache-control"] == "no-store"
    page.fill("input[name=api_token]", user["api_token"])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "connected" in page.text_content("h1").lower()
    assert "browser-ok@example.com" in page.text_content("main")
    got = httpx.get(
        f"{server.url}/connections/{connection['connection_id']}",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    ).json()["connection"]
    assert got["status"] == "ACTIVE" and got["method"] == "API_KEY"
    assert got["metadata"]["email"] == "browser-ok@example.com"
    listed = run_snippet(SEED_LIST, api_key, base=server.url)
    assert [c["connection_id"] for c in listed["connections"]] == [connection["connection_id"]]


def test_a_bad_token_in_a_browser_shows_the_reason_and_the_form(
    server: LiveServer, browser_page: Any
) -> None:
    api_key, connection = _pending(server)
    page = browser_page
    page.goto(connection["url"])
    page.fill("input[name=api_token]", "0" * 32)
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    assert navigation.value.status == 400
    assert "did not accept this API token" in page.text_content("[role=alert]")
    assert page.locator("input[name=api_token]").count() == 1
    got = httpx.get(
        f"{server.url}/connections/{connection['connection_id']}",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    ).json()["connection"]
    assert got["status"] == "PENDING"


def test_the_page_refuses_to_be_framed(server: LiveServer, browser_page: Any) -> None:
    _, connection = _pending(server)
    page = browser_page
    page.set_content(f'<iframe id="f" src="{connection["url"]}"></iframe>')
    frame = page.frame_locator("#f")
    assert frame.locator("input[name=api_token]").count() == 0
