"""Prometheus metrics of one server process, served at ``/metrics`` in the text format.

Counted in the edge layer (requests by route group and status), around the upstream (time to
the answer's headers, by outcome), and by the gateway's limits and quota shield (calls waiting
for their pace, refusals, retries, what the shield answered). Each application has its own
registry, so several in one process (tests) do not mix. Figures are this process's own: a
scraper adds up the replicas. ``/metrics`` answers loopback callers and the
networks in ``TRACKGATE_METRICS_ALLOW``; everyone else gets a 404, as if it were not there.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import AsyncIterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from trackgate.gateway.upstream import Headers, Upstream, UpstreamError, UpstreamResponse
from trackgate.netaddr import Network

#: Path prefixes and the group they count under; the first match wins.
GROUPS = (
    ("/api/v9/", "service"),
    ("/reports/", "reports"),
    ("/connections", "control"),
    ("/connect", "connect"),
    ("/healthz", "health"),
    ("/readyz", "health"),
    ("/metrics", "metrics"),
)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self, proxy_prefixes: Sequence[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "trackgate_requests",
            "Requests answered, by route group and status",
            ["group", "status"],
            registry=self.registry,
        )
        self.upstream_seconds = Histogram(
            "trackgate_upstream_seconds",
            "Time from sending a call upstream to its answer's headers, by outcome",
            ["outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.pacing_waiting = Gauge(
            "trackgate_pacing_waiting",
            "Proxied calls waiting for their connection's turn upstream",
            registry=self.registry,
        )
        self.refusals = Counter(
            "trackgate_limit_refusals",
            "Calls refused by the gateway's own limits, by error code "
            "(rate_limited: the account's rate; upstream_busy: the connection's pacing queue)",
            ["code"],
            registry=self.registry,
        )
        self.upstream_retries = Counter(
            "trackgate_upstream_retries",
            "Upstream calls sent again after the upstream answered 429",
            registry=self.registry,
        )
        self.shield_answers = Counter(
            "trackgate_shield_answers",
            "Proxied GETs by what the quota shield did: hit, miss, stale or bypass",
            ["outcome"],
            registry=self.registry,
        )
        self.groups = tuple((prefix, "proxy") for prefix in proxy_prefixes) + GROUPS
        self._children: dict[tuple[str, int], Counter] = {}
        self._labelled: dict[tuple[int, str], Counter] = {}

    def group_of(self, path: str) -> str:
        for prefix, group in self.groups:
            if path.startswith(prefix):
                return group
        return "other"

    def count(self, path: str, status: int) -> None:
        """One answered request: a dictionary look-up and an increment on the hot path."""
        group = self.group_of(path)
        child = self._children.get((group, status))
        if child is None:
            child = self._children[(group, status)] = self.requests.labels(group, str(status))
        child.inc()

    def refused(self, code: str) -> None:
        self._child(self.refusals, code).inc()

    def shield_answered(self, outcome: str) -> None:
        self._child(self.shield_answers, outcome).inc()

    def _child(self, counter: Counter, label: str) -> Counter:
        child = self._labelled.get((id(counter), label))
        if child is None:
            child = self._labelled[(id(counter), label)] = counter.labels(label)
        return child

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def allowed(client: str | None, networks: Sequence[Network]) -> bool:
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return address.is_loopback or any(address in network for network in networks)


class TimedUpstream:
    """An :class:`Upstream` whose calls are timed into ``trackgate_upstream_seconds``."""

    def __init__(self, upstream: Upstream, metrics: Metrics) -> None:
        self.upstream = upstream
        self.ok = metrics.upstream_seconds.labels("answered")
        self.failed = metrics.upstream_seconds.labels("failed")

    async def send(
        self,
        method: str,
        target: str,
        headers: Headers,
        body: AsyncIterator[bytes] | bytes | None = None,
    ) -> UpstreamResponse:
        started = time.perf_counter()
        try:
            answer = await self.upstream.send(method, target, headers, body)
        except UpstreamError:
            self.failed.observe(time.perf_counter() - started)
            raise
        self.ok.observe(time.perf_counter() - started)
        return answer

    async def close(self) -> None:
        await self.upstream.close()
