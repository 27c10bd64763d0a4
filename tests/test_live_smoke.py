import json

import httpx

from tests.conftest import LiveServer, basic


def test_live_server_serves_a_user_made_by_the_cli(live_server: LiveServer) -> None:
    made = live_server.cli(
        "users",
        "create",
        "--email",
        "live@example.com",
        "--password",
        "secret123",
        "--fullname",
        "Live Person",
    )
    assert made.returncode == 0, made.stderr
    me = json.loads(made.stdout)
    r = httpx.get(f"{live_server.url}/api/v9/me", headers=basic(me["api_token"], "api_token"))
    assert r.status_code == 200
    assert r.json()["email"] == "live@example.com"
    assert r.json()["default_workspace_id"] == me["default_workspace_id"]
