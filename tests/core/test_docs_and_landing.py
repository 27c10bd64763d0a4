"""``/docs`` works offline and documents the gateway too; ``/`` says what this server is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.gateway.test_connect_browser import CHROMIUM, CHROMIUM_ARGS


def test_the_openapi_document_has_the_gateways_own_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/connections", "/connections/{connection_id}", "/connect", "/{app}/{path}"} <= set(
        paths
    )
    assert "/api/v9/me" in paths
    create = paths["/connections"]["post"]
    assert create["requestBody"]["content"]["application/json"]["example"] == {"app": "toggl-track"}
    assert create["security"] == [{"gatewayKey": []}]
    assert {p["name"] for p in paths["/connections"]["get"]["parameters"]} == {"app", "status"}
    assert set(paths["/{app}/{path}"]) >= {"get", "post", "put", "patch", "delete"}
    assert "text/html" in paths["/connect"]["get"]["responses"]["200"]["content"]
    assert schema["components"]["securitySchemes"]["gatewayKey"]["scheme"] == "bearer"
    assert schema["components"]["securitySchemes"]["togglBasic"]["scheme"] == "basic"
    assert paths["/api/v9/me"]["get"]["security"] == [{"togglBasic": []}]


def test_the_docs_pages_load_only_from_this_server(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*["']([^"']+)""", html)
        assert urls, page
        assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_the_landing_page_says_what_this_server_is(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    text = answer.text
    assert "safe, managed access to Toggl Track" in text
    assert '<a href="/docs">' in text and "/connect?session_token=" in text
    assert "/api/v9" in text


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path_factory.mktemp("docs"))
    yield live
    stop_live_server(live)


@pytest.mark.browser
@pytest.mark.socket
def test_swagger_ui_renders_every_operation_with_no_network(docs_server: LiveServer) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    from playwright.sync_api import Route, sync_playwright

    refused: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(docs_server.url + "/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page: Any = browser.new_context(offline=False).new_page()
            page.route("**/*", only_this_server)
            page.goto(docs_server.url + "/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            summaries = page.locator(".opblock-summary-path").all_text_contents()
        finally:
            browser.close()
    assert refused == []
    shown = {s.replace("\u200b", "").strip() for s in summaries}
    expected = httpx.get(docs_server.url + "/openapi.json", timeout=10).json()["paths"]
    assert {"/connections", "/connect", "/{app}/{path}", "/api/v9/me"} <= shown
    assert shown == set(expected)
