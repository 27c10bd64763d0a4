"""Budgets: a key may spend at most N upstream requests an hour. Past it, the calls of that key
that would reach the upstream get 429 ``budget_exhausted`` with ``Retry-After``, while the
quota shield's mirror still answers its reads; the connection shows each key's spend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.proxy.helpers import assert_gateway_error
from tests.shield.conftest import Shielded, T, stamp
from trackgate.gateway.keys import issue_key

CACHE = "x-trackgate-cache"
BUDGET = 4


def budgeted_key(gw: Shielded, budget: int, name: str = "agent") -> tuple[str, dict[str, str]]:
    with gw.runtime.db.write() as session:
        issued = issue_key(session, gw.account.account_id, name=name, budget=budget)
    return issued.key_id, {"Authorization": f"Bearer {issued.api_key}"}


def entry(gw: Shielded, description: str) -> dict[str, Any]:
    return {
        "workspace_id": gw.wid,
        "created_with": "tests",
        "start": stamp(minutes_ago=30),
        "duration": 60,
        "description": description,
    }


def test_past_its_budget_a_key_is_refused_upstream_but_the_mirror_still_answers(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded()
    key_id, headers = budgeted_key(gw, BUDGET)
    first = gw.client.get(T + "/me", headers=headers)  # fills the mirror: spends the budget
    assert first.status_code == 200 and first.headers[CACHE] == "miss"
    writes = f"{T}/workspaces/{gw.wid}/time_entries"
    answers = [
        gw.client.post(writes, json=entry(gw, f"e{n}"), headers=headers) for n in range(BUDGET)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    refused = answers[-1]
    assert_gateway_error(refused, 429, "budget_exhausted")
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    # nothing more reaches the upstream: the write was not made
    made = gw.direct("GET", "/me/time_entries").json()
    assert len(made) == statuses.count(200)
    # a read the mirror holds is still answered from it
    again = gw.client.get(T + "/me", headers=headers)
    assert again.status_code == 200 and again.headers[CACHE] == "hit"
    # a read that would pass through is refused
    passing = gw.client.get(T + "/me?with_related_data=true", headers=headers)
    assert_gateway_error(passing, 429, "budget_exhausted")
    # other keys of the account are not held to this key's budget
    assert gw.client.post(writes, json=entry(gw, "other"), headers=gw.account.bearer).is_success
    shown = gw.client.get(f"/connections/{gw.connection_id}", headers=gw.account.bearer)
    assert shown.status_code == 200
    assert shown.json()["connection"]["budgets"] == [
        {"key_id": key_id, "name": "agent", "budget": BUDGET, "spent": BUDGET}
    ]


def test_a_refresh_for_a_spent_key_is_not_made_and_the_mirror_answers_stale(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(shield_max_age=0.0)  # every read asks for a refresh
    _, headers = budgeted_key(gw, 1)
    assert gw.client.get(T + "/me", headers=headers).headers[CACHE] == "miss"
    late = gw.client.get(T + "/me", headers=headers)
    assert late.status_code == 200 and late.headers[CACHE] == "stale"


def test_keys_without_a_budget_are_not_listed_or_counted(gw: Shielded) -> None:
    shown = gw.client.get(f"/connections/{gw.connection_id}", headers=gw.account.bearer)
    assert shown.json()["connection"]["budgets"] == []
    _, headers = budgeted_key(gw, 50, name="raycast")
    assert gw.get("/me/tags").status_code == 200
    shown = gw.client.get(f"/connections/{gw.connection_id}", headers=headers)
    (row,) = shown.json()["connection"]["budgets"]
    assert (row["name"], row["budget"], row["spent"]) == ("raycast", 50, 0)
