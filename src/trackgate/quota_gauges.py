"""``trackgate_quota_remaining``: the upstream quota left in each bucket of each connection.

Read from the database at each scrape, where every replica records what the upstream
reports (:mod:`trackgate.shield.quota`), so every replica shows the same figures. One series
per connection and bucket is too many for some Prometheus set-ups, so the gauges are on only
with ``TRACKGATE_METRICS_QUOTA=on``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select

from trackgate.shield.quota import USER_BUCKET, left
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldQuota
from trackgate.storage.types import utcnow

log = logging.getLogger("trackgate.metrics")

NAME = "trackgate_quota_remaining"
HELP = (
    "Upstream requests left in a connection's hourly quota bucket, as the upstream last "
    "reported (buckets whose reset time has passed are left out)"
)
LABELS = ["connection", "scope", "organization_id"]
#: A scrape reads at most this many buckets.
MAX_BUCKETS = 10_000


class QuotaGauges(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The family without its samples: registering reads no database."""
        yield GaugeMetricFamily(NAME, HELP, labels=LABELS)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(NAME, HELP, labels=LABELS)
        try:
            with self.db.read() as session:
                rows = list(
                    session.scalars(
                        select(ShieldQuota)
                        .order_by(ShieldQuota.connection_id, ShieldQuota.bucket)
                        .limit(MAX_BUCKETS)
                    )
                )
        except Exception as exc:  # noqa: BLE001 - a scrape without them, not a failed scrape
            log.warning("quota gauges unavailable: %s", type(exc).__name__)
            rows = []
        now = utcnow()
        for row in rows:
            remaining = left(row, now)
            if remaining is None:
                continue
            scope = "user" if row.bucket == USER_BUCKET else "organization"
            organization = "" if row.organization_id is None else str(row.organization_id)
            family.add_metric([row.connection_id, scope, organization], remaining)
        yield family
