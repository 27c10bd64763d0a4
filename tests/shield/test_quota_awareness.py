"""Quota awareness: the quota the upstream reports is recorded per bucket and shown on the
connection; refreshes keep a bucket's last requests for writes; a spent quota makes reads
``stale`` from the mirror while writes get the upstream's 402."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.shield.conftest import Shielded, today_range
from trackgate.shield.quota import headroom, may_spend
from trackgate.shield.rules import RESERVED_REQUESTS
from trackgate.storage.models import ShieldQuota

CACHE = "x-trackgate-cache"
REMAINING = "x-toggl-quota-remaining"


def _quota(gw: Shielded) -> dict[str, Any]:
    answer = gw.client.get(f"/connections/{gw.connection_id}", headers=gw.account.bearer)
    assert answer.status_code == 200
    quota: dict[str, Any] = answer.json()["connection"]["quota"]
    return quota


def test_the_connection_shows_each_buckets_last_reported_quota(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(emulate_quota="20,30")
    assert _quota(gw) == {"remaining": None, "resets_in": None, "observed_at": None, "buckets": []}
    assert gw.get("/me").headers[CACHE] == "miss"
    assert gw.get("/me/workspaces").headers[CACHE] == "miss"
    passed = gw.get(f"/workspaces/{gw.wid}/statistics")
    assert passed.headers[CACHE] == "bypass" and passed.headers[REMAINING] == "19"
    quota = _quota(gw)
    user, organization = quota["buckets"]
    assert set(user) == {"scope", "organization_id", "remaining", "resets_in", "observed_at"}
    assert (user["scope"], user["organization_id"], user["remaining"]) == ("user", None, 28)
    workspace = gw.get("/me/workspaces").json()[0]
    assert organization["scope"] == "organization"
    assert organization["organization_id"] == workspace["organization_id"]
    assert organization["remaining"] == 19
    assert 0 < organization["resets_in"] <= 3600 and organization["observed_at"].endswith("Z")
    assert quota["remaining"] == 19 and quota["observed_at"] == organization["observed_at"]


def test_mirror_answers_never_repeat_quota_headers(shielded: Callable[..., Shielded]) -> None:
    gw = shielded(emulate_quota="30")
    for _ in range(3):
        answer = gw.get("/me")
        assert answer.status_code == 200 and REMAINING not in answer.headers
    assert REMAINING in gw.get("/me?with_related_data=true").headers


def test_refreshes_keep_the_last_five_requests_for_writes(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(emulate_quota="20,8")
    for path in ("/me", "/me/workspaces", "/me/organizations"):
        assert gw.get(path).headers[CACHE] == "miss"
    assert _quota(gw)["buckets"][0]["remaining"] == 5
    # nothing held and no refresh allowed: the caller's own read goes through
    assert gw.get("/me/tasks").headers[CACHE] == "bypass"
    again = gw.get("/me", **{"Cache-Control": "max-age=0"})
    assert again.status_code == 200 and again.headers[CACHE] == "stale"
    assert again.json()["id"] == gw.user.id
    assert _quota(gw)["buckets"][0]["remaining"] == 4


def test_the_reserve_rule_spends_only_past_the_last_five_requests() -> None:
    now = datetime(2024, 12, 10, 12, tzinfo=UTC)

    def bucket(remaining: int, observed_minutes_ago: int = 1) -> ShieldQuota:
        observed = now - timedelta(minutes=observed_minutes_ago)
        return ShieldQuota(remaining=remaining, resets_in=600, observed_at=observed)

    assert RESERVED_REQUESTS == 5
    assert [may_spend(headroom(bucket(n), now)) for n in (0, 4, 5, 6, 30)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert headroom(bucket(6), now) == 1
    # nothing reported yet, or a reset time gone by: nothing known to keep
    assert may_spend(headroom(None, now))
    assert may_spend(headroom(bucket(0, observed_minutes_ago=11), now))


def test_a_spent_quota_serves_reads_stale_and_writes_get_the_402(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(emulate_quota="20,10")
    assert gw.get("/me/time_entries/current").headers[CACHE] == "miss"
    assert gw.get("/me").headers[CACHE] == "miss"
    while gw.direct("GET", "/me").status_code != 402:  # another client spends the rest
        pass
    stale = gw.get("/me/time_entries/current", **{"Cache-Control": "max-age=0"})
    assert stale.status_code == 200 and stale.headers[CACHE] == "stale"
    assert stale.json() is None
    assert _quota(gw)["buckets"][0]["remaining"] == 0
    refused = gw.send("PUT", "/me", {"fullname": "New Name"})
    assert refused.status_code == 402 and isinstance(refused.json(), str)
    assert refused.headers[REMAINING] == "0" and int(refused.headers["x-toggl-quota-resets-in"]) > 0
    # the organization's bucket is a budget of its own
    assert gw.start("still working")["description"] == "still working"
    current = gw.get("/me/time_entries/current")
    assert current.headers[CACHE] == "hit" and current.json()["description"] == "still working"


def test_a_deletion_is_read_back_even_when_no_refresh_is_allowed(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(emulate_quota="20,8")
    entry = gw.start("soon gone", minutes_ago=5)
    gw.send("PATCH", f"/workspaces/{gw.wid}/time_entries/{entry['id']}/stop")
    assert gw.get("/me").headers[CACHE] == "miss"  # one request
    assert gw.get("/me/time_entries/current").headers[CACHE] == "miss"  # two more: 5 left
    assert gw.send("DELETE", f"/workspaces/{gw.wid}/time_entries/{entry['id']}").status_code == 200
    listed = gw.get(f"/me/time_entries?{today_range()}")
    assert listed.headers[CACHE] == "stale" and listed.json() == []
