"""What is made through one replica is usable through the other: keys, connections, connect
links (a session made by one, completed on the other's page) and the quota shield's mirror."""

from __future__ import annotations

import httpx
import pytest

from tests.replicas.conftest import Pair
from tests.replicas.helpers import make_tenant, proxied_me

pytestmark = pytest.mark.socket


def test_a_connection_made_through_one_replica_is_connected_and_used_through_the_other(
    pair: Pair,
) -> None:
    # started through the first, its connect page completed on the second
    tenant = make_tenant(pair.runtime, pair.first, pair.second)

    for server in pair.both:
        shown = httpx.get(
            f"{server.url}/connections/{tenant.connection_id}", headers=tenant.bearer, timeout=30
        )
        assert shown.status_code == 200, shown.text
        connection = shown.json()["connection"]
        assert connection["status"] == "ACTIVE"
        assert connection["metadata"]["email"] == tenant.email
        listed = httpx.get(f"{server.url}/connections", headers=tenant.bearer, timeout=30)
        assert [c["connection_id"] for c in listed.json()["connections"]] == [tenant.connection_id]
        me = proxied_me(server, tenant, connection=True)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == tenant.email


def test_the_mirror_filled_through_one_replica_answers_through_the_other(pair: Pair) -> None:
    tenant = make_tenant(pair.runtime, pair.first, pair.first)

    filled = proxied_me(pair.first, tenant)
    assert filled.status_code == 200
    assert filled.headers["x-trackgate-cache"] == "miss"

    answered = proxied_me(pair.second, tenant)
    assert answered.status_code == 200
    assert answered.headers["x-trackgate-cache"] == "hit"
    assert answered.json() == filled.json()


def test_a_key_issued_while_both_run_works_through_either(pair: Pair) -> None:
    from trackgate.gateway.keys import issue_key

    tenant = make_tenant(pair.runtime, pair.second, pair.first)
    with pair.runtime.db.write() as session:
        issued = issue_key(session, tenant.account_id, name="second key")
    for server in pair.both:
        me = httpx.get(
            server.url + "/toggl-track/api/v9/me",
            headers={"Authorization": f"Bearer {issued.api_key}"},
            timeout=30,
        )
        assert me.status_code == 200, me.text
