"""Rounds of the connections' health check against a loopback upstream: who is asked, by whom,
and what is spared -- a connection used lately, one another replica took this interval, one
whose quota is down to the requests kept for writes, one whose ``/me`` fails with a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.proxy.conftest import Remote
from tests.proxy.helpers import FakeUpstream, connection_row
from trackgate.gateway.health import ConnectionHealth
from trackgate.shield.rules import RESERVED_REQUESTS
from trackgate.shield.store import record_quota
from trackgate.storage.models import Connection

HOUR = 3600.0


def idle(gw: Remote, hours: float = 2) -> None:
    """The connection stored ``hours`` ago and not used since."""
    with gw.runtime.db.write() as session:
        row = session.get(Connection, gw.connection_id)
        assert row is not None
        row.updated_at = datetime.now(UTC) - timedelta(hours=hours)
        row.last_used_at = None


def health(gw: Remote) -> ConnectionHealth:
    """A health check of this gateway's process (another one is another replica's)."""
    state = gw.app.state.gateway
    return ConnectionHealth(state, state.proxy, HOUR)


def round_of(gw: Remote, check: ConnectionHealth) -> int:
    portal = gw.client.portal
    assert portal is not None
    return portal.call(check.round)


def me_calls(upstream: FakeUpstream) -> int:
    return upstream.paths().count("/api/v9/me")


@pytest.fixture
def gw(remote_gateway: Callable[..., Remote], upstream: FakeUpstream) -> Remote:
    return remote_gateway(upstream.url, connection_check=HOUR)


def test_an_idle_refused_connection_fails_once_per_interval_whatever_the_replicas(
    gw: Remote, upstream: FakeUpstream
) -> None:
    idle(gw)
    upstream.refusal_status = 401
    upstream.refused_tokens.add(gw.token)
    first, second = health(gw), health(gw)
    assert round_of(gw, first) == 1
    assert round_of(gw, second) == 0  # taken this interval: not asked again
    assert me_calls(upstream) == 1
    row = connection_row(gw.runtime, gw.connection_id)
    assert row.status == "FAILED"
    assert row.failure_reason and "(401) on GET /me" in row.failure_reason
    assert gw.token not in row.failure_reason


def test_replicas_that_both_see_a_connection_due_take_it_once(gw: Remote) -> None:
    """Both found it idle before either took it: the conditional update gives it to one."""
    idle(gw)
    cutoff = datetime.now(UTC) - timedelta(hours=1)
    first, second = health(gw), health(gw)
    assert first._due({}, cutoff) == second._due({}, cutoff) == [gw.connection_id]
    assert first._take(gw.connection_id, cutoff) == gw.token
    assert second._take(gw.connection_id, cutoff) is None


def test_a_working_idle_connection_is_asked_and_stays_active(
    gw: Remote, upstream: FakeUpstream
) -> None:
    idle(gw)
    check = health(gw)
    assert round_of(gw, check) == 1
    assert round_of(gw, check) == 0  # next one due an interval later
    row = connection_row(gw.runtime, gw.connection_id)
    assert row.status == "ACTIVE" and row.last_used_at is not None


def test_a_connection_used_lately_is_not_asked(gw: Remote, upstream: FakeUpstream) -> None:
    idle(gw)
    assert gw.client.get("/toggl-track/echo", headers=gw.headers).status_code == 200
    assert round_of(gw, health(gw)) == 0  # the use is noted first
    assert upstream.paths() == ["/echo"]
    assert connection_row(gw.runtime, gw.connection_id).last_used_at is not None


def test_a_recently_stored_connection_waits_an_interval(gw: Remote, upstream: FakeUpstream) -> None:
    assert round_of(gw, health(gw)) == 0
    assert upstream.paths() == []


def test_the_quota_kept_for_writes_is_never_spent(gw: Remote, upstream: FakeUpstream) -> None:
    idle(gw)
    with gw.runtime.db.write() as session:
        record_quota(
            session, gw.connection_id, "user", None, RESERVED_REQUESTS, 1800, datetime.now(UTC)
        )
    check = health(gw)
    assert round_of(gw, check) == 0
    assert upstream.paths() == []
    with gw.runtime.db.write() as session:  # one more left than the reserve: asked
        record_quota(
            session, gw.connection_id, "user", None, RESERVED_REQUESTS + 1, 1800, datetime.now(UTC)
        )
    assert round_of(gw, check) == 1


def test_a_failing_me_leaves_the_connection_active(gw: Remote, upstream: FakeUpstream) -> None:
    idle(gw)
    upstream.refused_tokens.add(gw.token)
    upstream.me_status = 500
    assert round_of(gw, health(gw)) == 1
    assert connection_row(gw.runtime, gw.connection_id).status == "ACTIVE"
