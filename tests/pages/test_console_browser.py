"""The console's whole story in a real headless Chromium against a real ``trackgate serve``:
an operator made on the command line invites a teammate, who signs up, makes a key and a
connection, connects a Toggl account, uses and revokes the key; the operator disables the
account. Every request outside the server is blocked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.gateway.test_connect_browser import CHROMIUM, CHROMIUM_ARGS, assert_wcag_aa
from tests.pages.console_live import PASSWORD as LIVE_PASSWORD
from tests.pages.console_live import connect, make_project, signed_up

pytestmark = [pytest.mark.browser, pytest.mark.socket]

OPERATOR = "op@example.com"
TEAMMATE = "mate@example.com"
PASSWORD = "a long password"
#: Where the test leaves its screenshots, for a person to look at.
SHOTS = Path(os.environ.get("TRACKGATE_SCREENSHOTS", "/tmp/trackgate-console-shots"))


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
    live = start_live_server(tmp_path_factory.mktemp("console-browser"))
    yield live
    stop_live_server(live)


def _json(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _cli_with_stdin(server: LiveServer, stdin: str, *args: str) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=server.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Blocked:
    """Every request that does not go to the server is aborted, and noted."""

    def __init__(self, server: LiveServer) -> None:
        self.root = server.url + "/"
        self.outside: list[str] = []

    def __call__(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.root):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


def _context(browser: Any, blocked: Blocked) -> Any:
    context = browser.new_context()
    context.route("**/*", blocked)
    return context


def _me(server: LiveServer, api_key: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/toggl-track/api/v9/me",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    )


def test_the_console_story(server: LiveServer, browser: Any) -> None:
    made = _cli_with_stdin(
        server, PASSWORD + "\n", "operators", "create", "--email", OPERATOR, "--password-stdin"
    )
    assert made.returncode == 0, made.stderr
    account = _json(server.cli("accounts", "create", "--name", "Crew"))
    invite = _json(
        server.cli(
            "console",
            "invite",
            "--email",
            TEAMMATE,
            "--account",
            account["account_id"],
            "--role",
            "member",
            "--url",
            server.url,
        )
    )
    toggl_user = _json(
        server.cli("users", "create", "--email", "tracker@example.com", "--password", "secret123")
    )
    blocked = Blocked(server)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # the teammate signs up with the invitation
    mate = _context(browser, blocked)
    page = mate.new_page()
    page.goto(invite["url"])
    assert page.get_by_label("Email").input_value() == TEAMMATE
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/console/keys")
    assert page.get_by_role("main").is_visible() and page.get_by_role("navigation").is_visible()

    # makes a key, shown once
    page.get_by_label("Key name").fill("agent")
    page.get_by_role("button", name="Create key").click()
    page.wait_for_url("**/console/keys")
    api_key = page.get_by_test_id("new-key").inner_text().strip()
    assert api_key.startswith("sk_") or len(api_key) > 20
    assert f"export MATON_API_KEY={api_key}" in page.inner_text("main")
    assert page.get_by_role("button", name="Copy").is_visible()
    assert_wcag_aa(page)
    page.screenshot(path=str(SHOTS / "console-keys.png"), full_page=True)

    # makes a connection and completes its connect page
    page.get_by_role("link", name="Connections").click()
    page.get_by_role("button", name="New connection").click()
    page.wait_for_url("**/console/connections")
    assert "PENDING" in page.inner_text("main")
    link = page.locator("a#connect-link")
    href = link.get_attribute("href")
    assert href is not None and "/connect" in href
    link.click()
    page.fill("input[name=api_token]", toggl_user["api_token"])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "connected" in page.text_content("h1").lower()
    page.goto(f"{server.url}/console/connections")
    row = page.locator("tbody tr").first
    assert "ACTIVE" in row.inner_text() and "tracker@example.com" in row.inner_text()
    assert toggl_user["api_token"] not in page.content()
    assert_wcag_aa(page)
    page.screenshot(path=str(SHOTS / "console-connections.png"), full_page=True)

    # the key works with a plain HTTP call, until it is revoked
    me = _me(server, api_key)
    assert me.status_code == 200 and me.json()["email"] == "tracker@example.com"
    page.get_by_role("link", name="Keys").click()
    page.locator("tr", has_text="agent").get_by_role("button", name="Revoke").click()
    page.wait_for_url("**/console/keys")
    assert _me(server, api_key).status_code == 401

    # the operator disables the account: its other keys stop working at once
    assert _me(server, account["api_key"]).status_code == 200
    operator = _context(browser, blocked)
    admin = operator.new_page()
    admin.goto(f"{server.url}/console/signin")
    admin.get_by_label("Email").fill(OPERATOR)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url("**/console/admin")
    crew = admin.locator("tr", has_text="Crew")
    assert "Crew" in crew.inner_text()
    crew.get_by_role("button", name="Disable").click()
    admin.wait_for_url("**/console/admin")
    assert _me(server, account["api_key"]).status_code == 401
    assert admin.locator("tr", has_text="Crew").get_by_role("button", name="Enable").is_visible()
    assert_wcag_aa(admin)
    admin.screenshot(path=str(SHOTS / "console-admin.png"), full_page=True)

    # signing out ends the session
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/signin")
    page.goto(f"{server.url}/console/keys")
    assert page.url.endswith("/console/signin")
    assert blocked.outside == []
    mate.close()
    operator.close()


def test_the_keyboard_reaches_sign_in(server: LiveServer, browser: Any) -> None:
    _cli_with_stdin(
        server,
        PASSWORD + "\n",
        "operators",
        "create",
        "--email",
        "kb@example.com",
        "--password-stdin",
    )
    context = _context(browser, Blocked(server))
    page = context.new_page()
    page.goto(f"{server.url}/console/signin")
    page.keyboard.press("Tab")
    page.keyboard.type("kb@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Sign in"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/admin")
    context.close()


def test_the_week_page_in_a_browser(server: LiveServer, browser: Any) -> None:
    """Start a timer from the form and stop it with the keyboard and mouse; the chart and
    its numbers show the time; contrast is measured in the browser."""
    member = signed_up(server, "Week")
    connection_id, _ = connect(server, member)
    make_project(server, member, "Gemini")
    blocked = Blocked(server)
    context = _context(browser, blocked)
    page = context.new_page()
    page.goto(f"{server.url}/console/signin")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(LIVE_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/keys")
    page.get_by_role("link", name="Connections").click()
    page.get_by_role("link", name="This week").click()
    page.wait_for_url(f"**/console/connections/{connection_id}/week")
    page.get_by_label("Description").fill("Launch plan")
    page.get_by_label("Project").fill("Gemini")
    page.get_by_label("Project").press("Enter")  # submits the Start form
    page.wait_for_url(f"**/console/connections/{connection_id}/week")
    running = page.get_by_test_id("running").inner_text()
    assert "Launch plan" in running and "Gemini" in running
    page.get_by_role("button", name="Stop").click()
    page.wait_for_url(f"**/console/connections/{connection_id}/week")
    assert page.get_by_role("button", name="Start").is_visible()
    assert page.get_by_role("img", name="Chart of this week's hours").is_visible()
    assert page.locator("table.totals th", has_text="Gemini").is_visible()
    assert page.get_by_test_id("week-total").inner_text().startswith("0:0")
    assert page.get_by_label("Project").count() == 1  # the field alone carries the name
    assert_wcag_aa(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "console-week.png"), full_page=True)
    assert blocked.outside == []
    context.close()
