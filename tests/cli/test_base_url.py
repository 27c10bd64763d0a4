"""``base_url`` (and ``TOGGL_API_URL``) may be the server's root or its ``/api/v9``, with an
API token or a gateway key, and the SDK page's example runs as written against a local server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import connect_account, make_user
from tests.conftest import LiveServer
from trackgate.client import NotFoundError, Toggl
from trackgate.client.endpoint import build_endpoint

DOCS = Path(__file__).resolve().parents[2] / "docs"
SPELLINGS = ["", "/", "/api/v9", "/api/v9/"]


@pytest.mark.parametrize("suffix", SPELLINGS)
def test_either_spelling_means_the_same_server(suffix: str) -> None:
    token = build_endpoint(api_token="t", base_url=f"http://h:1{suffix}")
    assert token.api_url == "http://h:1/api/v9"
    assert token.reports_url == "http://h:1/reports/api/v3"
    gateway = build_endpoint(gateway_key="k", base_url=f"http://h:1{suffix}")
    assert gateway.api_url == "http://h:1/toggl-track/api/v9"
    assert gateway.gateway_url == "http://h:1"


@pytest.mark.parametrize("suffix", SPELLINGS)
def test_a_token_and_a_gateway_key_both_reach_the_server(server: LiveServer, suffix: str) -> None:
    user = make_user(server)
    with Toggl(api_token=user["api_token"], base_url=server.url + suffix) as toggl:
        assert toggl.me.get().email == user["email"]
    account = json.loads(server.cli("accounts", "create", "--name", "sdk").stdout)
    key = json.loads(server.cli("keys", "create", "--account", str(account["account_id"])).stdout)
    connect_account(server, key["api_key"], user["api_token"])
    with Toggl(gateway_key=key["api_key"], base_url=server.url + suffix) as toggl:
        assert toggl.me.get().email == user["email"]


def test_a_wrong_base_names_the_url_it_asked(server: LiveServer) -> None:
    user = make_user(server)
    with Toggl(api_token=user["api_token"], base_url=server.url + "/v9") as toggl:
        with pytest.raises(NotFoundError) as caught:
            toggl.me.get()
    assert f"GET {server.url}/v9/api/v9/me" in str(caught.value)


def run_cli(
    server: LiveServer, tmp_path: Path, url: str, token: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOGGL_", "MATON_"))}
    env.update({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")})
    env.update({"TOGGL_API_URL": url, "TOGGL_API_TOKEN": token})
    return subprocess.run(
        [sys.executable, "-m", "trackgate", "workspaces", "ls", "--json"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_toggl_api_url_without_api_v9_just_works(server: LiveServer, tmp_path: Path) -> None:
    user = make_user(server)
    done = run_cli(server, tmp_path, server.url, user["api_token"])
    assert done.returncode == 0, done.stderr
    assert str(user["default_workspace_id"]) in done.stdout
    assert "Unknown app" not in done.stderr


def test_the_sdk_pages_example_runs_as_written(server: LiveServer, tmp_path: Path) -> None:
    page = (DOCS / "sdk.md").read_text()
    example = re.search(r"```python\n(.*?)```", page, re.S)
    assert example is not None
    code = example.group(1).replace("http://127.0.0.1:8080", server.url)
    user = make_user(server)
    env = {**os.environ, "TOGGL_API_TOKEN": user["api_token"]}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Writing" not in done.stderr
    assert "TimeEntry" in done.stdout or "None" in done.stdout
