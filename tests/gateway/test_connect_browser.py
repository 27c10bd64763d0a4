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


#: Contrast of each element's own text against the background it is drawn on, of the button
#: against what surrounds it, and of its label against the button: WCAG's relative luminance
#: on the computed styles Chromium uses.
CONTRAST_SCRIPT = """() => {
  const rgb = (c) => {
    const p = c.match(/rgba?\\(([^)]+)\\)/)[1].split(',').map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const texts = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.display === 'none' || style.visibility === 'hidden') continue;
    const text = el.textContent.trim().slice(0, 50);
    texts.push({text, ratio: ratio(rgb(style.color), background(el))});
  }
  const b = document.querySelector('button');
  const button = b && {
    against: ratio(rgb(getComputedStyle(b).backgroundColor), background(b.parentElement)),
    label: ratio(rgb(getComputedStyle(b).color), rgb(getComputedStyle(b).backgroundColor)),
  };
  return {texts, button};
}"""


def assert_wcag_aa(page: Any) -> int:
    """Every text 4.5:1, the button 3:1 against its surroundings; returns the texts checked."""
    found = page.evaluate(CONTRAST_SCRIPT)
    low = [(t["text"], round(t["ratio"], 2)) for t in found["texts"] if t["ratio"] < 4.5]
    assert not low, low
    if found["button"] is not None:
        assert found["button"]["against"] >= 3, found["button"]
        assert found["button"]["label"] >= 4.5, found["button"]
    return len(found["texts"])


def test_every_connect_page_meets_wcag_aa_contrast(server: LiveServer, browser_page: Any) -> None:
    user = _user(server, "contrast@example.com")
    _, connection = _pending(server)
    page = browser_page
    page.goto(connection["url"])
    assert "browser asks for access to your Toggl Track account" in page.text_content("main")
    assert assert_wcag_aa(page) >= 8
    page.fill("input[name=api_token]", "0" * 32)  # the form again, with its error notice
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("[role=alert]").count() == 1
    assert_wcag_aa(page)
    page.fill("input[name=api_token]", user["api_token"])
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "now connected to browser" in " ".join(page.text_content("main").split())
    assert_wcag_aa(page)
    page.goto(connection["url"])  # the link is used now: an error page
    assert "Ask whoever sent it to you for a new link." in page.text_content("[role=alert]")
    assert_wcag_aa(page)
