"""The quota shield: a per-connection mirror of the upstream account that answers the reads it
can answer exactly, so agents keep working within Toggl's hourly quota.

- :mod:`.rules`: what is true (kinds, freshness, read spelling, what writes change);
- :mod:`.reads`: which reads the mirror answers, and how;
- :mod:`.rawjson`: the upstream's JSON kept as written;
- :mod:`.store`: the mirror in the gateway's database;
- :mod:`.quota`: the quota the upstream reports, and what refreshes may spend;
- :mod:`.ledger`: the quota reported of each bucket, recorded and consulted;
- :mod:`.refresh`: bringing kinds up to date, the cheapest way the rules and quota allow;
- :mod:`.writes`: what a write through the gateway changes in the mirror;
- :mod:`.mirror`: the shield at work, driven by the proxy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from trackgate.shield.mirror import QuotaShield
from trackgate.shield.quota import quota_json
from trackgate.shield.store import quotas


def connection_quotas(session: Session, connection_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The ``quota`` object of each connection, as ``/connections`` shows it."""
    found = quotas(session, connection_ids)
    return {
        cid: quota_json([row for row in found if row.connection_id == cid])
        for cid in connection_ids
    }


__all__ = ["QuotaShield", "connection_quotas"]
