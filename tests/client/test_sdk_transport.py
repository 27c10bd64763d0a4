"""The SDK's own logic against a scripted transport, for both flavours: retries and
Retry-After, quota headers and 402, network failures, report paging, tolerant models."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.client.conftest import Either
from trackgate.client import (
    APIError,
    AsyncToggl,
    NetworkError,
    QuotaExceededError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TimeEntry,
    Toggl,
)

Handler = Callable[[httpx.Request], httpx.Response]
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_wait=1.0)


@pytest.fixture(params=["sync", "async"])
def scripted(request: pytest.FixtureRequest) -> Any:
    """``scripted(handler)`` -> a client whose every call the handler answers."""
    runner = asyncio.Runner()

    def build(handler: Handler, **options: Any) -> Either:
        transport = httpx.MockTransport(handler)
        options = {"api_token": "t" * 32, "retry": FAST, **options}
        if request.param == "sync":
            return Either(Toggl(transport=transport, **options), runner)
        return Either(AsyncToggl(transport=transport, **options), runner)

    yield build
    runner.close()


def _answers(*responses: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler, seen


def test_a_429_is_retried_after_retry_after(scripted: Any) -> None:
    handler, seen = _answers(
        httpx.Response(429, headers={"Retry-After": "0"}, json="slow down"),
        httpx.Response(200, json=None),
    )
    assert scripted(handler).time_entries.current() is None
    assert len(seen) == 2


def test_a_retry_after_longer_than_the_cap_is_not_waited(scripted: Any) -> None:
    handler, seen = _answers(httpx.Response(429, headers={"Retry-After": "3600"}, json="wait"))
    with pytest.raises(RateLimitError) as caught:
        scripted(handler).time_entries.current()
    assert caught.value.retry_after == 3600 and len(seen) == 1


def test_a_post_is_never_retried(scripted: Any) -> None:
    handler, seen = _answers(httpx.Response(503, json="down"))
    with pytest.raises(ServerError):
        scripted(handler).time_entries.start(1, "x")
    assert len(seen) == 1


def test_5xx_on_a_get_is_retried_then_raised(scripted: Any) -> None:
    handler, seen = _answers(httpx.Response(502, json="bad gateway"))
    with pytest.raises(ServerError) as caught:
        scripted(handler).me.get()
    assert caught.value.status == 502 and len(seen) == FAST.attempts + 1


def test_402_carries_remaining_and_resets_in(scripted: Any) -> None:
    headers = {"X-Toggl-Quota-Remaining": "0", "X-Toggl-Quota-Resets-In": "1234"}
    handler, _ = _answers(httpx.Response(402, headers=headers, json="quota spent"))
    toggl = scripted(handler)
    with pytest.raises(QuotaExceededError) as caught:
        toggl.me.get()
    assert (caught.value.remaining, caught.value.resets_in) == (0, 1234)
    assert caught.value.message == "quota spent"
    assert toggl.quota.remaining == 0 and toggl.quota.resets_in == 1234


def test_the_last_quota_headers_are_readable(scripted: Any) -> None:
    headers = {"X-Toggl-Quota-Remaining": "17", "X-Toggl-Quota-Resets-In": "600"}
    handler, _ = _answers(httpx.Response(200, headers=headers, json={"id": 1}))
    toggl = scripted(handler)
    assert toggl.quota is None
    toggl.me.get()
    assert (toggl.quota.remaining, toggl.quota.resets_in) == (17, 600)


def test_no_network_is_a_network_error_without_the_token(scripted: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    token = "a" * 32
    with pytest.raises(NetworkError) as caught:
        scripted(refuse, api_token=token).me.get()
    assert token not in str(caught.value)


def test_models_tolerate_unknown_and_absent_keys(scripted: Any) -> None:
    sent = {"id": 7, "surprise": {"nested": True}, "start": "2026-01-01T00:00:00Z"}
    handler, _ = _answers(httpx.Response(200, json=sent))
    entry = scripted(handler).time_entries.get(7)
    assert isinstance(entry, TimeEntry) and entry.id == 7 and entry.description is None
    assert entry.raw == sent and entry.start is not None and entry.start.year == 2026


def test_detailed_report_follows_the_next_headers(scripted: Any) -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        assert request.url.path == "/reports/api/v3/workspace/5/search/time_entries"
        if "first_id" not in body:
            rows = [{"row_number": 1, "description": "a", "time_entries": []}]
            return httpx.Response(
                200, json=rows, headers={"X-Next-ID": "99", "X-Next-Row-Number": "2"}
            )
        return httpx.Response(200, json=[{"row_number": 2, "description": "b"}])

    rows = scripted(handler).reports.detailed(5, "2026-01-01", "2026-01-31", page_size=1)
    assert [r.description for r in rows] == ["a", "b"]
    assert bodies[1]["first_id"] == 99 and bodies[1]["first_row_number"] == 2
    assert bodies[0]["start_date"] == "2026-01-01" and bodies[0]["page_size"] == 1


def test_gateway_calls_go_to_the_app_path_with_the_connection(scripted: Any) -> None:
    handler, seen = _answers(httpx.Response(200, json={"id": 1}))
    toggl = scripted(
        handler, api_token=None, gateway_key="k", connection="c-1", base_url="http://gw.test"
    )
    toggl.me.get()
    assert str(seen[0].url) == "http://gw.test/toggl-track/api/v9/me"
    assert seen[0].headers["authorization"] == "Bearer k"
    assert seen[0].headers["maton-connection"] == "c-1"


def test_organizations_and_quota_buckets(scripted: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/me/quota"):
            return httpx.Response(
                200,
                json=[{"organization_id": None, "remaining": 3, "resets_in_secs": 9, "total": 30}],
            )
        return httpx.Response(200, json=[{"id": 4, "name": "Org", "pricing_plan_id": 0}])

    toggl = scripted(handler)
    assert [o.name for o in toggl.organizations.list()] == ["Org"]
    assert toggl.me.quota()[0].remaining == 3


RECORDED = {
    "remaining": 12,
    "resets_in": 1800,
    "observed_at": "2026-01-05T09:30:00.000000Z",
    "buckets": [
        {
            "scope": "user",
            "organization_id": None,
            "remaining": 21,
            "resets_in": 2400,
            "observed_at": "2026-01-05T09:29:58.000000Z",
        },
        {
            "scope": "organization",
            "organization_id": 4,
            "remaining": 12,
            "resets_in": 1800,
            "observed_at": "2026-01-05T09:30:00.000000Z",
        },
    ],
}


def _gateway(quota: dict[str, Any]) -> tuple[Handler, list[str]]:
    """A gateway with connections c-1 (named) and c-0 (its oldest ACTIVE one)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        if request.url.path == "/connections":
            listed = [{"connection_id": c, "status": "ACTIVE", "quota": quota} for c in ("c-0",)]
            return httpx.Response(200, json={"connections": listed})
        if request.url.path.startswith("/connections/"):
            one = {"connection_id": request.url.path.rsplit("/", 1)[1], "quota": quota}
            return httpx.Response(200, json={"connection": one})
        if request.url.path.endswith("/me/quota"):
            return httpx.Response(200, json=[{"organization_id": None, "remaining": 7}])
        return httpx.Response(404, json="Not Found")

    return handler, seen


def test_quota_left_through_a_gateway_is_the_connections_record(scripted: Any) -> None:
    handler, seen = _gateway(RECORDED)
    named = scripted(
        handler, api_token=None, gateway_key="k", connection="c-1", base_url="http://gw.test"
    )
    buckets = named.me.quota_left()
    assert [(b.scope, b.organization_id, b.remaining, b.seconds_to_reset) for b in buckets] == [
        ("user", None, 21, 2400),
        ("organization", 4, 12, 1800),
    ]
    assert buckets[1].observed_at is not None and buckets[1].observed_at.minute == 30
    assert seen == ["GET /connections/c-1?"]  # no request to Toggl: nothing of the quota spent
    chosen = scripted(handler, api_token=None, gateway_key="k", base_url="http://gw.test")
    assert [b.remaining for b in chosen.me.quota_left()] == [21, 12]
    assert seen[1:] == ["GET /connections?app=toggl-track&status=ACTIVE"]


def test_quota_left_asks_toggl_when_the_gateway_recorded_nothing(scripted: Any) -> None:
    empty = {"remaining": None, "resets_in": None, "observed_at": None, "buckets": []}
    handler, seen = _gateway(empty)
    toggl = scripted(handler, api_token=None, gateway_key="k", base_url="http://gw.test")
    assert [b.remaining for b in toggl.me.quota_left()] == [7]
    assert seen[-1] == "GET /toggl-track/api/v9/me/quota?"


def test_quota_left_direct_falls_back_to_the_last_headers(scripted: Any) -> None:
    headers = {"X-Toggl-Quota-Remaining": "17", "X-Toggl-Quota-Resets-In": "600"}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/me/quota"):
            return httpx.Response(404, json="Not Found")
        return httpx.Response(200, headers=headers, json={"id": 1})

    toggl = scripted(handler)
    (bucket,) = toggl.me.quota_left()
    assert (bucket.organization_id, bucket.remaining, bucket.seconds_to_reset) == (None, 17, 600)
    assert bucket.raw == {"organization_id": None, "remaining": 17, "resets_in_secs": 600}
    assert seen == ["/api/v9/me/quota", "/api/v9/me"]


def test_summary_weekly_and_exports_post_toggls_bodies(scripted: Any) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, json.loads(request.content)))
        if request.url.path.endswith(".csv"):
            return httpx.Response(
                200, content=b"User,Project\n", headers={"Content-Type": "text/csv"}
            )
        if "summary" in request.url.path:
            return httpx.Response(200, json={"groups": [{"id": 3, "sub_groups": []}]})
        return httpx.Response(200, json=[{"project_id": 3, "seconds": [0, 60, 0, 0, 0, 0, 0]}])

    toggl = scripted(handler)
    summary = toggl.reports.summary(5, "2026-03-02", "2026-03-08", sub_grouping="time_entries")
    assert summary == {"groups": [{"id": 3, "sub_groups": []}]}
    assert toggl.reports.weekly(5, "2026-03-02", "2026-03-08")[0]["seconds"][1] == 60
    assert toggl.reports.export(5, "search", "csv", "2026-03-02", "2026-03-08") == b"User,Project\n"
    root = "/reports/api/v3/workspace/5"
    assert [path for path, _ in seen] == [
        f"{root}/summary/time_entries",
        f"{root}/weekly/time_entries",
        f"{root}/search/time_entries.csv",
    ]
    assert seen[0][1] == {
        "start_date": "2026-03-02",
        "end_date": "2026-03-08",
        "grouping": "projects",
        "sub_grouping": "time_entries",
    }
    with pytest.raises(ValueError):
        toggl.reports.export(5, "search", "xls", "2026-03-02", "2026-03-08")


def test_a_post_refused_by_the_gateways_own_limit_is_sent_again(scripted: Any) -> None:
    limited = {"error": {"code": "rate_limited", "message": "Too many requests"}}
    handler, seen = _answers(
        httpx.Response(429, headers={"Retry-After": "0"}, json=limited),
        httpx.Response(200, json={"id": 9, "duration": -1}),
    )
    assert scripted(handler).time_entries.start(1, "x").id == 9
    assert len(seen) == 2


def test_a_post_refused_by_toggls_429_is_not_sent_again(scripted: Any) -> None:
    handler, seen = _answers(httpx.Response(429, headers={"Retry-After": "0"}, json="slow"))
    with pytest.raises(RateLimitError):
        scripted(handler).time_entries.start(1, "x")
    assert len(seen) == 1


def test_a_call_beyond_the_keys_scopes_names_the_scope(scripted: Any) -> None:
    refused = {
        "error": "insufficient_scope",
        "required": "admin",
        "message": "This gateway key does not have the 'admin' scope",
    }
    handler, seen = _answers(httpx.Response(403, json=refused))
    with pytest.raises(APIError) as caught:
        scripted(handler).me.get()
    assert caught.value.status == 403 and caught.value.code == "insufficient_scope"
    assert "'admin' scope" in caught.value.message and len(seen) == 1
