"""The mirror kept fresh by the upstream's webhooks, over real sockets: the service as the
upstream (quota 30, webhooks to loopback allowed), its quota-free twin on the same data for
changes made behind the gateway's back, and a gateway with ``TRACKGATE_PUBLIC_URL``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, free_port, start_live_server, stop_live_server
from tests.shield.sockets import Toggl, gateway_env, new_account
from trackgate.service.webhooks.signing import HEADER, signature

LAG_SECONDS = 2.0


@contextmanager
def _servers(tmp_path: Path, *upstream_flags: str) -> Iterator[dict[str, LiveServer]]:
    started: list[LiveServer] = []
    hooks_on = {"TRACKGATE_WEBHOOK_ALLOW_PRIVATE": "on"}
    try:
        up = tmp_path / "upstream"
        up.mkdir()
        flags = ("--no-gateway", "--emulate-quota", "30", *upstream_flags)
        started.append(start_live_server(up, *flags, env=hooks_on))
        started.append(start_live_server(up, "--no-gateway", env=hooks_on))
        port = free_port()
        env = {
            **gateway_env(),
            "TRACKGATE_SHIELD_MAX_AGE": "600",  # polling would not show a change in time
            "TRACKGATE_RATE_LIMIT": "1000/second",
            "TRACKGATE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        (tmp_path / "gateway").mkdir()
        started.append(
            start_live_server(
                tmp_path / "gateway",
                "--no-service",
                "--upstream",
                started[0].url,
                env=env,
                port=port,
            )
        )
        yield dict(zip(["upstream", "twin", "gateway"], started, strict=True))
    finally:
        for server in reversed(started):
            stop_live_server(server)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, LiveServer]]:
    with _servers(tmp_path) as started:
        yield started


def _remaining(upstream: LiveServer, toggl: Toggl) -> int:
    """The user's quota left, read with one request straight at the upstream."""
    answer = httpx.get(
        upstream.url + "/api/v9/me", headers={"authorization": toggl.twin.headers["authorization"]}
    )
    assert answer.status_code == 200, answer.text
    return int(answer.headers["X-Toggl-Quota-Remaining"])


def _subscriptions(toggl: Toggl) -> list[dict[str, Any]]:
    answer = toggl.twin.get(f"/webhooks/api/v1/subscriptions/{toggl.workspace_id}")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def _wait_validated(toggl: Toggl) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        subs = _subscriptions(toggl)
        if subs and subs[0]["validated_at"]:
            return subs[0]
        time.sleep(0.2)
    raise AssertionError(f"the gateway did not subscribe: {_subscriptions(toggl)}")


def _descriptions(toggl: Toggl) -> list[str]:
    answer = toggl.get("/me/time_entries")
    assert answer.status_code == 200, answer.text
    return [e["description"] for e in answer.json()]


def _entry(toggl: Toggl, description: str) -> dict[str, Any]:
    made = toggl.direct(
        "POST",
        f"/workspaces/{toggl.workspace_id}/time_entries",
        {
            "description": description,
            "start": "2026-12-07T09:00:00Z",
            "duration": 600,
            "created_with": "test",
            "workspace_id": toggl.workspace_id,
        },
    )
    assert made.status_code == 200, made.text
    entry: dict[str, Any] = made.json()
    return entry


def _shown_within(toggl: Toggl, check: Any) -> float:
    began = time.monotonic()
    while time.monotonic() - began < LAG_SECONDS * 3:
        if check(_descriptions(toggl)):
            return time.monotonic() - began
        time.sleep(0.1)
    raise AssertionError(f"not shown through the gateway: {_descriptions(toggl)}")


def test_changes_behind_the_gateway_show_through_it_without_polling(
    servers: dict[str, LiveServer],
) -> None:
    toggl = new_account(servers["upstream"], servers["gateway"], servers["twin"])
    _entry(toggl, "before")
    assert _descriptions(toggl) == ["before"]  # fills the mirror; the gateway subscribes
    sub = _wait_validated(toggl)
    assert sub["url_callback"].startswith(servers["gateway"].url + "/hooks/toggl/")
    assert {f["entity"] for f in sub["event_filters"]} == {"time_entry", "project", "tag"}
    _descriptions(toggl)  # the first delivery marked the mirror unsure: one refresh
    before = _remaining(servers["upstream"], toggl)

    made = _entry(toggl, "made elsewhere")
    lag_made = _shown_within(toggl, lambda shown: "made elsewhere" in shown)
    changed = toggl.direct(
        "PUT",
        f"/workspaces/{toggl.workspace_id}/time_entries/{made['id']}",
        {"description": "renamed elsewhere"},
    )
    assert changed.status_code == 200, changed.text
    lag_changed = _shown_within(
        toggl, lambda shown: "renamed elsewhere" in shown and "made elsewhere" not in shown
    )
    assert max(lag_made, lag_changed) <= LAG_SECONDS

    # only the probe itself reached the upstream: the reads were answered from the mirror
    assert before - _remaining(servers["upstream"], toggl) == 1
    assert toggl.get("/me/time_entries").headers["x-trackgate-cache"] == "hit"


def _hook_path(sub: dict[str, Any], gateway: LiveServer) -> str:
    return str(sub["url_callback"])[len(gateway.url) :]


def _post(gateway: LiveServer, path: str, body: bytes, sig: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if sig is not None:
        headers[HEADER] = sig
    return httpx.post(gateway.url + path, content=body, headers=headers)


def test_unsigned_missigned_replayed_and_unknown_posts_are_refused(
    servers: dict[str, LiveServer],
) -> None:
    gateway = servers["gateway"]
    toggl = new_account(servers["upstream"], gateway, servers["twin"])
    _entry(toggl, "before")
    assert _descriptions(toggl) == ["before"]
    sub = _wait_validated(toggl)
    path = _hook_path(sub, gateway)
    event = {
        "event_id": 987654321,
        "created_at": "2026-12-07T10:00:00Z",
        "creator_id": toggl.user_id,
        "metadata": {"model": "time_entry", "action": "created"},
        "payload": {
            "id": 555000111,
            "workspace_id": toggl.workspace_id,
            "user_id": toggl.user_id,
            "description": "forged",
            "start": "2026-12-07T08:00:00Z",
            "stop": "2026-12-07T08:10:00Z",
            "duration": 600,
            "at": "2026-12-07T10:00:00Z",
        },
        "subscription_id": sub["subscription_id"],
    }
    body = json.dumps(event).encode()

    unsigned = _post(gateway, path, body, None)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "unsigned"
    missigned = _post(gateway, path, body, signature("not the secret", body))
    assert missigned.status_code == 401
    assert sub["secret"] not in missigned.text
    unknown = _post(gateway, "/hooks/toggl/no-such-hook", body, signature(sub["secret"], body))
    assert unknown.status_code == 404
    other_sub = json.dumps({**event, "subscription_id": sub["subscription_id"] + 1000}).encode()
    assert _post(gateway, path, other_sub, signature(sub["secret"], other_sub)).status_code == 404
    assert "forged" not in _descriptions(toggl)

    signed = _post(gateway, path, body, signature(sub["secret"], body))
    assert signed.status_code == 200, signed.text
    assert "forged" in _descriptions(toggl)  # a correctly signed event is applied
    replayed = _post(gateway, path, body, signature(sub["secret"], body))
    assert replayed.status_code == 409
    assert replayed.json()["error"]["code"] == "replayed"


def test_deleting_the_connection_deletes_its_subscription(
    servers: dict[str, LiveServer],
) -> None:
    gateway = servers["gateway"]
    toggl = new_account(servers["upstream"], gateway, servers["twin"])
    assert _descriptions(toggl) == []
    _wait_validated(toggl)
    deleted = toggl.gateway.delete(f"/connections/{toggl.connection_id}")
    assert deleted.status_code == 200, deleted.text
    deadline = time.monotonic() + 10
    while _subscriptions(toggl) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _subscriptions(toggl) == []


def test_a_refused_subscription_leaves_the_proxy_working_and_polling(tmp_path: Path) -> None:
    """A Free workspace whose one subscription another tool holds: the upstream refuses the
    shield's, and reads through the gateway go on as without webhooks."""
    with _servers(tmp_path, "--emulate-webhook-limits", "free") as servers:
        toggl = new_account(servers["upstream"], servers["gateway"], servers["twin"])
        theirs = toggl.twin.post(
            f"/webhooks/api/v1/subscriptions/{toggl.workspace_id}",
            json={
                "url_callback": f"http://127.0.0.1:{free_port()}/another-tool",
                "event_filters": [{"entity": "*", "action": "*"}],
                "description": "another tool",
                "enabled": True,
            },
        )
        assert theirs.status_code == 200, theirs.text
        _entry(toggl, "first")
        assert _descriptions(toggl) == ["first"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the refusal happens in the background
            assert _descriptions(toggl) == ["first"]
            time.sleep(0.5)
        listed = _subscriptions(toggl)
        assert [s["description"] for s in listed] == ["another tool"]
