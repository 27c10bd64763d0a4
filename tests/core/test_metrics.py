"""``/metrics``: the Prometheus text format, parsed as a scraper would, over a real socket;
closed to addresses outside loopback and ``TRACKGATE_METRICS_ALLOW``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import LiveServer
from trackgate.config import load_settings
from trackgate.metrics import allowed
from trackgate.netaddr import parse_trusted_proxies


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_a_scrape_counts_requests_and_upstream_calls(live_server: LiveServer):
    from tests.proxy.helpers import make_account, make_connection
    from trackgate.runtime import build_runtime

    runtime = build_runtime(load_settings(live_server.env))
    try:
        account = make_account(runtime)
        make_connection(runtime, account.account_id, "0" * 32)
    finally:
        runtime.close()
    health = ("trackgate_requests_total", (("group", "health"), ("status", "200")))
    before = samples(httpx.get(live_server.url + "/metrics").text)
    for _ in range(3):
        assert httpx.get(live_server.url + "/healthz").status_code == 200
    assert httpx.get(live_server.url + "/api/v9/me").status_code == 401
    bearer = {"Authorization": f"Bearer {account.api_key}"}
    # Through the proxy to the embedded service, which refuses the stored token.
    assert httpx.get(live_server.url + "/toggl-track/api/v9/me", headers=bearer).status_code == 403
    r = httpx.get(live_server.url + "/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    found = samples(r.text)
    assert found[health] - before[health] == 3
    assert found[("trackgate_requests_total", (("group", "service"), ("status", "401")))] == 1
    assert found[("trackgate_requests_total", (("group", "proxy"), ("status", "403")))] == 1
    # The proxied call, and the credential check of /me its 403 starts, were timed.
    assert found[("trackgate_upstream_seconds_count", (("outcome", "answered"),))] >= 1


def test_metrics_are_refused_outside_the_allowed_networks(client: TestClient):
    r = client.get("/metrics")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_allowed_addresses():
    networks = parse_trusted_proxies("10.0.0.0/8, 192.168.1.7")
    assert allowed("127.0.0.1", ())
    assert allowed("::1", ())
    assert allowed("10.2.3.4", networks)
    assert allowed("192.168.1.7", networks)
    assert not allowed("192.168.1.8", networks)
    assert not allowed("8.8.8.8", networks)
    assert not allowed("testclient", networks)


def test_a_malformed_allow_list_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(ValueError, match="TRACKGATE_METRICS_ALLOW"):  # SettingError
        load_settings({"TRACKGATE_METRICS_ALLOW": "10.0.0.0/8,not-a-network"})
