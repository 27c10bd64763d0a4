"""Paths are answered as given: a trailing slash (or a missing one) is a 404 in the format of
the API it came through, never a redirect, and no answer names the embedded upstream."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.proxy.conftest import Gate

EMBEDDED_NAME = "trackgate-embedded"


def no_redirect(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    r = client.request(method, path, headers=headers, follow_redirects=False)
    assert not 300 <= r.status_code < 400, (path, r.status_code, r.headers.get("location"))
    assert "location" not in r.headers
    assert EMBEDDED_NAME not in r.text
    assert all(EMBEDDED_NAME not in value for value in r.headers.values())
    return r


@pytest.mark.parametrize(
    "path",
    ["/api/v9/me/", "/api/v9/me/workspaces/", "/api/v9/", "/api/v9/me//"],
)
def test_the_service_answers_a_slash_with_a_toggl_404(
    client: TestClient, gate: Gate, path: str
) -> None:
    r = no_redirect(client, "GET", path, gate.user.auth)
    assert r.status_code == 404
    assert isinstance(r.json(), str)


@pytest.mark.parametrize(
    "path",
    [
        "/toggl-track/api/v9/me/",
        "/toggl-track/api/v9/workspaces/",
        "/toggl-track/api/v9",
        "/toggl-track/api/v9/",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_the_proxy_passes_the_path_as_given_and_the_service_answers_404(
    client: TestClient, gate: Gate, path: str, method: str
) -> None:
    r = no_redirect(client, method, path, gate.headers)
    assert r.status_code in (404, 405)
    assert isinstance(r.json(), str)


@pytest.mark.parametrize("path", ["/connections/", "/healthz/", "/connect/", "/api/v9"])
def test_the_gateway_does_not_redirect_its_own_paths(
    client: TestClient, gate: Gate, path: str
) -> None:
    r = no_redirect(client, "GET", path, gate.headers)
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message"}


def test_a_slash_through_the_proxy_on_a_live_host_header(client: TestClient, gate: Gate) -> None:
    headers = {**gate.headers, "Host": "evil.example"}
    no_redirect(client, "GET", "/toggl-track/api/v9/me/", headers)
    no_redirect(client, "GET", "/api/v9/me/", {**gate.user.auth, "Host": "evil.example"})
