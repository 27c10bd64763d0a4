"""An upstream on a real loopback socket that misbehaves: slow, refusing, resetting, asking to
slow down, over quota, failing -- and one that streams a large body."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from tests.conftest import free_port
from tests.proxy.conftest import Remote
from tests.proxy.helpers import (
    BIG_CHUNK,
    BIG_CHUNKS,
    FakeUpstream,
    assert_gateway_error,
    connection_row,
)
from trackgate.gateway.credential_store import seal_credential
from trackgate.gateway.routing import Chosen
from trackgate.storage.models import Connection

T = "/toggl-track"


def test_a_slow_upstream_is_504(remote_gateway: Callable[..., Remote], upstream: FakeUpstream):
    gw = remote_gateway(upstream.url, upstream_timeout=0.3)
    assert_gateway_error(gw.client.get(f"{T}/slow", headers=gw.headers), 504, "upstream_timeout")


def test_a_refused_port_is_502(remote_gateway: Callable[..., Remote]):
    gw = remote_gateway(f"http://127.0.0.1:{free_port()}")
    r = gw.client.get(f"{T}/api/v9/me", headers=gw.headers)
    body = assert_gateway_error(r, 502, "upstream_unreachable")
    assert "127.0.0.1" not in body["error"]["message"]


def test_a_reset_connection_is_502(remote_gateway: Callable[..., Remote], upstream: FakeUpstream):
    gw = remote_gateway(upstream.url)
    r = gw.client.get(f"{T}/reset", headers=gw.headers)
    assert_gateway_error(r, 502, "upstream_unreachable")
    assert gw.client.get(f"{T}/echo", headers=gw.headers).status_code == 200  # pool recovers


def test_a_429_is_retried_for_idempotent_methods(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    for method in ("GET", "PUT", "DELETE"):
        r = gw.client.request(method, f"{T}/flaky/{method}", headers=gw.headers, content=b"{}")
        assert r.status_code == 200, (method, r.text)
        assert r.json() == {"ok": True, "tries": 2}
    assert upstream.hits["/flaky/PUT"] == 2
    assert [s.body for s in upstream.seen if s.raw_path == "/flaky/PUT"] == [b"{}", b"{}"]


def test_post_and_patch_are_never_retried(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    for method in ("POST", "PATCH"):
        r = gw.client.request(method, f"{T}/flaky/{method}", headers=gw.headers, content=b"{}")
        assert r.status_code == 429
        assert r.headers["retry-after"] == "0"
        assert r.json() == "slow down"
        assert upstream.hits[f"/flaky/{method}"] == 1


def test_a_429_still_there_after_the_retries_passes_through(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    r = gw.client.get(f"{T}/busy", headers=gw.headers)
    assert r.status_code == 429
    assert r.json() == "slow down"  # the upstream's own body, not a gateway error
    assert upstream.hits["/busy"] == 3
    long_wait = gw.client.get(f"{T}/busy?retry_after=3600", headers=gw.headers)
    assert long_wait.status_code == 429
    assert long_wait.headers["retry-after"] == "3600"
    assert upstream.hits["/busy?retry_after=3600"] == 1  # not worth waiting for


def test_a_402_passes_through_with_its_quota_headers(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    r = gw.client.get(f"{T}/quota", headers=gw.headers)
    assert r.status_code == 402
    assert r.headers["x-toggl-quota-remaining"] == "0"
    assert r.headers["x-toggl-quota-resets-in"] == "1234"
    assert r.json().startswith("Quota exceeded")
    assert upstream.hits["/quota"] == 1


def test_a_500_passes_through(remote_gateway: Callable[..., Remote], upstream: FakeUpstream):
    gw = remote_gateway(upstream.url)
    r = gw.client.get(f"{T}/boom", headers=gw.headers)
    assert r.status_code == 500
    assert r.json() == "internal error"
    assert r.headers["x-toggl-thing"] == "1"
    assert "set-cookie" not in r.headers


def test_a_large_body_streams_through_whole(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    digest = hashlib.sha256()
    size = 0
    with gw.client.stream("GET", f"{T}/big", headers=gw.headers) as r:
        assert r.status_code == 200
        for chunk in r.iter_bytes():
            digest.update(chunk)
            size += len(chunk)
    assert size == len(BIG_CHUNK) * BIG_CHUNKS
    assert digest.hexdigest() == hashlib.sha256(BIG_CHUNK * BIG_CHUNKS).hexdigest()


def test_a_large_request_body_streams_to_the_upstream(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url, max_body=4 * 1024 * 1024)
    payload = BIG_CHUNK * 40  # 2.5 MiB, above what the gateway reads before calling

    def chunks():  # no Content-Length: sent chunked
        for i in range(0, len(payload), 100_000):
            yield payload[i : i + 100_000]

    for body in (payload, chunks()):
        r = gw.client.post(f"{T}/echo", headers=gw.headers, content=body)
        assert r.status_code == 200
        assert upstream.seen[-1].body == payload


def test_a_403_with_a_working_credential_keeps_the_connection(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    assert gw.client.get(f"{T}/forbidden", headers=gw.headers).status_code == 403
    assert upstream.paths()[-1] == "/api/v9/me"  # checked: the credential itself works
    assert connection_row(gw.runtime, gw.connection_id).status == "ACTIVE"
    assert gw.client.get(f"{T}/forbidden", headers=gw.headers).status_code == 403
    assert upstream.paths()[-1] == "/forbidden"  # checked once a minute, not on every 403


def test_a_refused_credential_makes_the_connection_failed(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    upstream.refused_tokens.add(gw.token)
    r = gw.client.get(f"{T}/api/v9/me/time_entries/current/x", headers=gw.headers)
    assert r.status_code == 403  # the upstream's answer still passes through
    assert upstream.paths() == ["/api/v9/me/time_entries/current/x", "/api/v9/me"]
    row = connection_row(gw.runtime, gw.connection_id)
    assert row.status == "FAILED"
    assert row.failure_reason and "403" in row.failure_reason
    listed = gw.client.get(f"/connections/{gw.connection_id}", headers=gw.headers)
    assert listed.json()["connection"]["status"] == "FAILED"
    assert listed.json()["connection"]["failure_reason"] == row.failure_reason
    # the account's only connection: a call that names none is told it failed
    body = assert_gateway_error(
        gw.client.get(f"{T}/echo", headers=gw.headers), 400, "connection_failed"
    )
    assert f"GET /connections/{gw.connection_id}" in body["error"]["message"]


def test_a_401_makes_the_connection_failed_too(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    upstream.refusal_status = 401
    upstream.refused_tokens.add(gw.token)
    r = gw.client.get(f"{T}/api/v9/me/time_entries/current/x", headers=gw.headers)
    assert r.status_code == 401
    assert upstream.paths() == ["/api/v9/me/time_entries/current/x", "/api/v9/me"]
    row = connection_row(gw.runtime, gw.connection_id)
    assert row.status == "FAILED"
    assert row.failure_reason is not None
    assert "(401) on GET /me at " in row.failure_reason
    assert row.failure_reason.endswith(": reconnect it")
    assert gw.token not in row.failure_reason
    chosen = {**gw.headers, "Maton-Connection": gw.connection_id}
    refused = gw.client.get(f"{T}/echo", headers=chosen)
    body = assert_gateway_error(refused, 400, "connection_failed")
    assert row.failure_reason in body["error"]["message"]
    assert upstream.paths()[-1] == "/api/v9/me"  # refused before the upstream is called


def test_a_refusal_while_me_fails_keeps_the_connection(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    """Only ``/me`` refusing the credential fails a connection: not a 5xx answer of it."""
    gw = remote_gateway(upstream.url)
    upstream.refusal_status = 401
    upstream.refused_tokens.add(gw.token)
    upstream.me_status = 503
    assert gw.client.get(f"{T}/echo", headers=gw.headers).status_code == 401
    assert upstream.paths() == ["/echo", "/api/v9/me"]
    row = connection_row(gw.runtime, gw.connection_id)
    assert row.status == "ACTIVE" and row.failure_reason is None


def test_a_refusal_after_a_reconnect_does_not_fail_the_new_credential(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    """The credential refused is not the one held any more (re-authorised meanwhile)."""
    gw = remote_gateway(upstream.url)
    upstream.refused_tokens.add(gw.token)
    proxy = gw.app.state.gateway.proxy
    with gw.runtime.db.write() as session:
        row = session.get(Connection, gw.connection_id)
        assert row is not None
        row.credential_ciphertext = seal_credential(gw.runtime.keyring, row.id, "tok-new")
    stale = Chosen(gw.connection_id, gw.token, frozenset())
    portal = gw.client.portal
    assert portal is not None
    assert not portal.call(proxy.router.mark_failed, stale, "refused")
    assert connection_row(gw.runtime, gw.connection_id).status == "ACTIVE"


def test_a_refused_me_call_needs_no_second_check(
    remote_gateway: Callable[..., Remote], upstream: FakeUpstream
):
    gw = remote_gateway(upstream.url)
    upstream.refused_tokens.add(gw.token)
    assert gw.client.get(f"{T}/api/v9/me", headers=gw.headers).status_code == 403
    assert upstream.paths() == ["/api/v9/me"]
    assert connection_row(gw.runtime, gw.connection_id).status == "FAILED"
