"""Subscriptions through the Webhooks API v1: create, list, update, enable, validate, ping,
delete, the limits and every refusal, as a plain string."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.webhooks.conftest import API, subscribe, validate
from tests.service.webhooks.receiver import Receiver
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime


def test_event_filters_status_and_limits(hooks: TestClient, owner: Person) -> None:
    r = hooks.get(f"{API}/event_filters", headers=owner.auth)
    assert r.status_code == 200
    assert r.json()["time_entry"] == ["*", "created", "updated", "deleted"]
    assert hooks.get(f"{API}/status").json() == {"status": "OK"}
    limits = hooks.get(f"{API}/limits/{owner.workspace_id}", headers=owner.auth).json()
    assert set(limits) == {"max_webhooks", "max_events_per_webhook"}


def test_create_list_update_patch_delete(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    sub = subscribe(hooks, owner, receiver.url, [{"entity": "project", "action": "created"}])
    assert sub["enabled"] is True and sub["validated_at"] is None
    assert len(sub["secret"]) >= 16 and sub["user_id"] == owner.id
    wid, sid = owner.workspace_id, sub["subscription_id"]
    listed = hooks.get(f"{API}/subscriptions/{wid}", headers=owner.auth).json()
    assert [s["subscription_id"] for s in listed] == [sid]
    changed = hooks.put(
        f"{API}/subscriptions/{wid}/{sid}",
        json={
            "url_callback": receiver.url,
            "event_filters": [{"entity": "tag", "action": "*"}],
            "description": "renamed",
            "enabled": True,
            "secret": "my own secret",
        },
        headers=owner.auth,
    ).json()
    assert changed["description"] == "renamed" and changed["secret"] == "my own secret"
    assert changed["event_filters"] == [{"entity": "tag", "action": "*"}]
    off = hooks.patch(
        f"{API}/subscriptions/{wid}/{sid}", json={"enabled": False}, headers=owner.auth
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    gone = hooks.delete(f"{API}/subscriptions/{wid}/{sid}", headers=owner.auth)
    assert gone.status_code == 200 and gone.json()["subscription_id"] == sid
    assert hooks.get(f"{API}/subscriptions/{wid}", headers=owner.auth).json() == []
    missing = hooks.delete(f"{API}/subscriptions/{wid}/{sid}", headers=owner.auth)
    assert missing.status_code == 404 and missing.json() == "Subscription not found"


def test_ping_carries_the_code_and_a_get_validates(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    sub = subscribe(hooks, owner, receiver.url)
    wid, sid = owner.workspace_id, sub["subscription_id"]
    bad = hooks.get(f"{API}/validate/{wid}/{sid}/not-the-code", headers=owner.auth)
    assert bad.status_code == 400 and bad.json() == "Invalid validation code"
    validate(hooks, owner, sub, receiver)
    ping = receiver.received[0]
    assert ping.signed_by(sub["secret"])
    assert ping.json["payload"] == "ping" and ping.json["subscription_id"] == sid
    assert ping.json["validation_code_url"].endswith(
        f"/validate/{wid}/{sid}/{ping.json['validation_code']}"
    )
    listed = hooks.get(f"{API}/subscriptions/{wid}", headers=owner.auth).json()
    assert listed[0]["validated_at"] is not None
    hooks.post(f"{API}/ping/{wid}/{sid}", headers=owner.auth)
    assert "validation_code" not in receiver.received[-1].json  # validated: no code any more


def test_ping_answered_with_the_code_validates_at_once(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    receiver.answer = lambda got: (
        200,
        json.dumps({"validation_code": got.json.get("validation_code", "")}).encode(),
    )
    sub = subscribe(hooks, owner, receiver.url)
    wid, sid = owner.workspace_id, sub["subscription_id"]
    assert hooks.post(f"{API}/ping/{wid}/{sid}", headers=owner.auth).json() == {"status": "ok"}
    listed = hooks.get(f"{API}/subscriptions/{wid}", headers=owner.auth).json()
    assert listed[0]["validated_at"] is not None


def test_ping_of_a_failing_callback_says_why(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    receiver.answer = lambda _got: (500, b"oops")
    sub = subscribe(hooks, owner, receiver.url)
    r = hooks.post(f"{API}/ping/{owner.workspace_id}/{sub['subscription_id']}", headers=owner.auth)
    assert r.status_code == 400 and r.json() == "Ping failed: HTTP 500"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"event_filters": [{"entity": "*", "action": "*"}], "description": "d"}, "url_callback"),
        ({"url_callback": "ftp://example.com/x", "event_filters": [], "description": "d"}, "http"),
        ({"url_callback": "RECEIVER", "event_filters": [], "description": "d"}, "event_filters"),
        (
            {
                "url_callback": "RECEIVER",
                "event_filters": [{"entity": "dog", "action": "*"}],
                "description": "d",
            },
            "unknown entity 'dog'",
        ),
        (
            {
                "url_callback": "RECEIVER",
                "event_filters": [{"entity": "tag", "action": "ate"}],
                "description": "d",
            },
            "unknown action 'ate'",
        ),
        (
            {"url_callback": "RECEIVER", "event_filters": [{"entity": "tag", "action": "*"}]},
            "description",
        ),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_bodies_are_clear_400_strings(
    hooks: TestClient, owner: Person, receiver: Receiver, body: object, message: str
) -> None:
    if isinstance(body, dict) and body.get("url_callback") == "RECEIVER":
        body["url_callback"] = receiver.url
    r = hooks.post(f"{API}/subscriptions/{owner.workspace_id}", json=body, headers=owner.auth)
    assert r.status_code == 400
    assert isinstance(r.json(), str) and message in r.json()


def test_invalid_json_and_ids_are_400_strings(hooks: TestClient, owner: Person) -> None:
    r = hooks.post(
        f"{API}/subscriptions/{owner.workspace_id}", content=b"{nope", headers=owner.auth
    )
    assert r.status_code == 400 and r.json() == "Invalid JSON input"
    r = hooks.get(f"{API}/subscriptions/abc", headers=owner.auth)
    assert r.status_code == 400 and isinstance(r.json(), str)
    r = hooks.patch(
        f"{API}/subscriptions/{owner.workspace_id}/1", json={"enabled": "yes"}, headers=owner.auth
    )
    assert r.status_code == 400 and r.json() == "enabled: must be true or false"


def test_duplicate_description_is_refused(
    hooks: TestClient, owner: Person, receiver: Receiver
) -> None:
    subscribe(hooks, owner, receiver.url, description="same")
    r = hooks.post(
        f"{API}/subscriptions/{owner.workspace_id}",
        json={
            "url_callback": receiver.url,
            "description": "same",
            "event_filters": [{"entity": "*", "action": "*"}],
        },
        headers=owner.auth,
    )
    assert r.status_code == 400 and "description" in r.json()


def test_private_callbacks_are_refused_without_the_setting(
    client: TestClient, runtime: Runtime
) -> None:
    person = make_user(runtime)
    for url in (
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/x",
        "http://localhost/x",
    ):
        r = client.post(
            f"{API}/subscriptions/{person.workspace_id}",
            json={
                "url_callback": url,
                "description": url,
                "event_filters": [{"entity": "*", "action": "*"}],
            },
            headers=person.auth,
        )
        assert r.status_code == 400, url
        assert (
            r.json() == "url_callback: must not point to a loopback, link-local or private address"
        )


def test_no_credentials_and_strangers(
    hooks: TestClient, owner: Person, hooks_runtime: Runtime
) -> None:
    assert hooks.get(f"{API}/subscriptions/{owner.workspace_id}").status_code == 401
    stranger = make_user(hooks_runtime)
    r = hooks.get(f"{API}/subscriptions/{owner.workspace_id}", headers=stranger.auth)
    assert r.status_code == 403 and isinstance(r.json(), str)
    r = hooks.get(f"{API}/limits/{owner.workspace_id}", headers=stranger.auth)
    assert r.status_code == 403


def test_webhook_calls_count_against_the_emulated_quota(
    hooks_settings: Settings, tmp_path: Path
) -> None:
    """Toggl does not say whether they count; the emulation counts them, per workspace."""
    runtime = build_runtime(dataclasses.replace(hooks_settings, emulate_quota="2"))
    try:
        person = make_user(runtime)
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            url = f"{API}/subscriptions/{person.workspace_id}"
            first = client.get(url, headers=person.auth)
            assert first.headers["X-Toggl-Quota-Remaining"] == "1"
            assert client.get(url, headers=person.auth).status_code == 200
            spent = client.get(url, headers=person.auth)
            assert spent.status_code == 402 and isinstance(spent.json(), str)
            assert client.get(f"{API}/status").status_code == 200  # no caller: not counted
    finally:
        runtime.close()
