"""Quota awareness: what the upstream last said of each hourly bucket of a connection, whether
a refresh may spend from it, and how ``GET /connections/{id}`` shows it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from trackgate.shield.rules import RESERVED_REQUESTS
from trackgate.storage.models import ShieldQuota

REMAINING = "x-toggl-quota-remaining"
RESETS_IN = "x-toggl-quota-resets-in"
USER_BUCKET = "user"

_ORGANIZATION = re.compile(r"/organizations/(\d{1,18})(?:/|$)")
_WORKSPACE = re.compile(r"/workspaces?/(\d{1,18})(?:/|$)")


@dataclass(frozen=True)
class Reported:
    remaining: int
    resets_in: int


def reported(headers: Sequence[tuple[str, str]]) -> Reported | None:
    """The quota headers of an upstream answer, if it carries both as integers."""
    remaining = resets_in = None
    for k, v in headers:
        if k[:1] not in "xX":  # most headers: no lower-casing, no comparison
            continue
        name = k.lower()
        if name == REMAINING:
            remaining = v
        elif name == RESETS_IN:
            resets_in = v
    if remaining is None or resets_in is None:
        return None
    try:
        return Reported(int(remaining.strip()), max(0, int(resets_in.strip())))
    except ValueError:
        return None


@dataclass(frozen=True)
class Named:
    """What a path names for quota purposes: an organization, a workspace, or neither."""

    organization_id: int | None = None
    workspace_id: int | None = None


def named_by(path: str) -> Named:
    if found := _ORGANIZATION.search(path):
        return Named(organization_id=int(found.group(1)))
    if found := _WORKSPACE.search(path):
        return Named(workspace_id=int(found.group(1)))
    return Named()


def bucket_key(organization_id: int | None, workspace_id: int | None) -> str:
    """``user``, ``organization:<id>``, or ``workspace:<id>`` while its organization is not
    known to the mirror yet."""
    if organization_id is not None:
        return f"organization:{organization_id}"
    if workspace_id is not None:
        return f"workspace:{workspace_id}"
    return USER_BUCKET


def left(row: ShieldQuota, now: datetime) -> int | None:
    """Requests known left in the bucket now; None once its reported reset time has passed."""
    if now >= row.observed_at + timedelta(seconds=row.resets_in):
        return None
    return row.remaining


def headroom(row: ShieldQuota | None, now: datetime) -> float:
    """Requests refreshes may still spend from a bucket: what is left past the last
    :data:`RESERVED_REQUESTS`, kept for the caller's writes; unbounded while the upstream has
    reported nothing current of it (never asked, or the reported reset time has passed)."""
    if row is None:
        return math.inf
    remaining = left(row, now)
    return math.inf if remaining is None else remaining - RESERVED_REQUESTS


def may_spend(room: float) -> bool:
    """The reserve rule, decided here only: a refresh may spend from a bucket (or from the
    tightest of several, see :meth:`.ledger.QuotaLedger.headroom`) while its :func:`headroom`,
    ``room``, is above zero -- so never its last :data:`RESERVED_REQUESTS`."""
    return room > 0


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def quota_json(rows: Sequence[ShieldQuota]) -> dict[str, Any]:
    """The ``quota`` object of a connection; the top-level figures are the tightest bucket's."""
    buckets: list[dict[str, Any]] = [
        {
            "scope": "user" if row.bucket == USER_BUCKET else "organization",
            "organization_id": row.organization_id,
            "remaining": row.remaining,
            "resets_in": row.resets_in,
            "observed_at": _stamp(row.observed_at),
        }
        for row in sorted(rows, key=lambda r: (r.bucket != USER_BUCKET, r.bucket))
    ]
    if not buckets:
        return {"remaining": None, "resets_in": None, "observed_at": None, "buckets": []}
    tightest = min(buckets, key=lambda b: (b["remaining"], -b["resets_in"]))
    return {
        "remaining": tightest["remaining"],
        "resets_in": tightest["resets_in"],
        "observed_at": tightest["observed_at"],
        "buckets": buckets,
    }
