"""``/metrics`` of a real server, parsed as a scraper would: the limits, the retries and the
quota shield are counted as calls happen, and the quota gauges show what the upstream
reported (on with ``TRACKGATE_METRICS_QUOTA``).

The upstream is a loopback stub, so that it can answer 429 and report a quota on demand.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.proxy.helpers import Account, FakeUpstream, make_account, make_connection
from trackgate.config import load_settings
from trackgate.runtime import build_runtime
from trackgate.setting_values import SettingError

pytestmark = pytest.mark.socket

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server: LiveServer) -> Samples:
    answer = httpx.get(server.url + "/metrics", timeout=30)
    assert answer.status_code == 200
    found: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def gateway(tmp_path: Path, upstream: FakeUpstream) -> Iterator[tuple[LiveServer, str, Account]]:
    """A gateway before the stub, with a pace, a low rate limit and the quota gauges on."""
    server = start_live_server(
        tmp_path,
        "--no-service",
        "--upstream",
        upstream.url,
        env={
            "TRACKGATE_RATE_LIMIT": "20/second",
            "TRACKGATE_UPSTREAM_PACING": "2/second",
            "TRACKGATE_METRICS_QUOTA": "on",
        },
    )
    runtime = build_runtime(load_settings(server.env))
    try:
        account = make_account(runtime)
        connection_id = make_connection(runtime, account.account_id, "tok-metrics")
    finally:
        runtime.close()
    yield server, connection_id, account
    stop_live_server(server)


def test_the_shield_the_limits_and_retries_are_counted(
    gateway: tuple[LiveServer, str, Account],
) -> None:
    server, connection_id, account = gateway
    url = server.url + "/toggl-track"
    before = scrape(server)

    with httpx.Client(base_url=url, headers=account.bearer, timeout=30) as client:
        assert client.get("/api/v9/me").headers["x-trackgate-cache"] == "miss"
        assert client.get("/api/v9/me").headers["x-trackgate-cache"] == "hit"
        assert client.get("/echo").headers["x-trackgate-cache"] == "bypass"
        time.sleep(1.5)  # the pace's schedule is free again
        flaky = client.get("/flaky")  # 429 then 200: one retry
        assert flaky.json()["tries"] == 2
        assert client.get("/quota").status_code == 402  # reports the user bucket spent

    after = scrape(server)
    shield = "trackgate_shield_answers_total"
    for outcome, more in (("miss", 1), ("hit", 1), ("bypass", 3)):  # echo, flaky, quota
        assert value(after, shield, outcome=outcome) - value(before, shield, outcome=outcome) == (
            more
        ), outcome
    retries = "trackgate_upstream_retries_total"
    assert value(after, retries) - value(before, retries) == 1
    quota = value(
        after,
        "trackgate_quota_remaining",
        connection=connection_id,
        scope="user",
        organization_id="",
    )
    assert quota == 0.0
    assert (
        "trackgate_quota_remaining",
        (("connection", connection_id), ("organization_id", ""), ("scope", "user")),
    ) in after


def test_refusals_and_waiting_calls_are_counted(gateway: tuple[LiveServer, str, Account]) -> None:
    server, _, account = gateway
    before = scrape(server)
    waiting_seen: list[float] = []
    done = threading.Event()

    def watch() -> None:  # the gauge while calls wait for their turn
        while not done.is_set():
            waiting_seen.append(value(scrape(server), "trackgate_pacing_waiting"))
            time.sleep(0.1)

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60, headers=account.bearer) as client:
            return await asyncio.gather(
                *(client.get(server.url + "/toggl-track/echo") for _ in range(30))
            )

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        answers = asyncio.run(burst())
    finally:
        done.set()
        watcher.join()

    codes = [a.json()["error"]["code"] for a in answers if a.status_code == 429]
    after = scrape(server)
    refusals = "trackgate_limit_refusals_total"
    for code in ("rate_limited", "upstream_busy"):
        seen = codes.count(code)
        assert seen > 0, code
        assert value(after, refusals, code=code) - value(before, refusals, code=code) == seen
    assert max(waiting_seen) >= 1
    assert value(after, "trackgate_pacing_waiting") == 0


def test_the_quota_gauges_are_off_unless_asked_for(app: Any) -> None:
    body, _ = app.state.metrics.exposition()
    assert b"trackgate_pacing_waiting" in body
    assert b"trackgate_quota_remaining" not in body


def test_a_malformed_quota_gauge_setting_is_named() -> None:
    with pytest.raises(SettingError, match="TRACKGATE_METRICS_QUOTA must be on or off"):
        load_settings({"TRACKGATE_METRICS_QUOTA": "sometimes"})
