"""The gateway passes the Webhooks API through at /toggl-track/webhooks/api/v1/..., with the
connection's credential injected and never handed out, to the embedded service and to a
service running elsewhere."""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from tests.conftest import Person, start_live_server, stop_live_server
from tests.proxy.helpers import make_account, make_connection
from tests.service.webhooks.conftest import subscribe
from tests.service.webhooks.receiver import Receiver, receiving
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime

THROUGH = "/toggl-track/webhooks/api/v1"


def test_the_embedded_service_through_the_gateway(
    hooks: TestClient, hooks_runtime: Runtime, owner: Person, receiver: Receiver
) -> None:
    account = make_account(hooks_runtime)
    make_connection(hooks_runtime, account.account_id, owner.token)
    wid = owner.workspace_id
    body = {
        "url_callback": receiver.url,
        "description": "through the gateway",
        "event_filters": [{"entity": "project", "action": "created"}],
    }
    r = hooks.post(f"{THROUGH}/subscriptions/{wid}", json=body, headers=account.bearer)
    assert r.status_code == 200, r.text
    sub = r.json()
    assert sub["user_id"] == owner.id
    assert owner.token not in r.text
    listed = hooks.get(f"{THROUGH}/subscriptions/{wid}", headers=account.bearer)
    assert [s["subscription_id"] for s in listed.json()] == [sub["subscription_id"]]
    ping = hooks.post(f"{THROUGH}/ping/{wid}/{sub['subscription_id']}", headers=account.bearer)
    assert ping.json() == {"status": "ok"}
    assert receiver.received[-1].signed_by(sub["secret"])
    # the service's own errors pass through as they are
    bad = hooks.post(f"{THROUGH}/subscriptions/{wid}", json={}, headers=account.bearer)
    assert bad.status_code == 400 and bad.json() == "url_callback: a non-empty string is required"
    # no gateway key: the gateway's own 401, nothing reaches the service
    assert hooks.get(f"{THROUGH}/subscriptions/{wid}").status_code == 401


def test_a_service_elsewhere_as_the_upstream(tmp_path: Path, settings: Settings) -> None:
    server = start_live_server(tmp_path, env={"TRACKGATE_WEBHOOK_ALLOW_PRIVATE": "on"})
    gateway_settings = dataclasses.replace(settings, upstream_url=server.url)
    runtime = build_runtime(gateway_settings)
    try:
        made = server.cli(
            "users",
            "create",
            "--email",
            f"up-{uuid.uuid4().hex[:8]}@example.com",
            "--password",
            "correct horse 1",
        )
        me = json.loads(made.stdout)
        account = make_account(runtime)
        make_connection(runtime, account.account_id, me["api_token"])
        wid = me["default_workspace_id"]
        with (
            TestClient(create_app(runtime), raise_server_exceptions=False) as gateway,
            receiving() as receiver,
        ):
            person = Person(me["id"], me["email"], "", me["api_token"], wid, me)
            direct = httpx.Client(base_url=server.url)
            sub = subscribe(direct, person, receiver.url)  # type: ignore[arg-type]
            listed = gateway.get(f"{THROUGH}/subscriptions/{wid}", headers=account.bearer)
            assert listed.status_code == 200, listed.text
            assert [s["subscription_id"] for s in listed.json()] == [sub["subscription_id"]]
            assert me["api_token"] not in listed.text
            limits = gateway.get(f"{THROUGH}/limits/{wid}", headers=account.bearer)
            assert limits.status_code == 200 and "max_webhooks" in limits.json()
            direct.close()
    finally:
        runtime.close()
        stop_live_server(server)
