"""``GET /me/time_entries``: since, before, start and end dates, order, deleted ones, meta."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.core_helpers import (
    API,
    ENTRY_KEYS,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
    entries_url,
)
from trackgate.runtime import Runtime
from trackgate.storage.models import TimeEntry

ALL_OF_2024_ON = {"start_date": "2024-01-01"}


def listing(client: TestClient, person: Person, **params: Any) -> list[dict[str, Any]]:
    """The listing; with no parameters, from 2024 on (the test entries' year), since the
    bare call shows only the last ten days."""
    r = client.get(f"{API}/me/time_entries", params=params or ALL_OF_2024_ON, headers=person.auth)
    assert r.status_code == 200, r.text
    body: list[dict[str, Any]] = r.json()
    return body


def set_at(runtime: Runtime, entry_id: int, at: datetime) -> None:
    with runtime.db.write() as session:
        row = session.get(TimeEntry, entry_id)
        assert row is not None
        row.at = at


def test_sorted_by_start_newest_first(client: TestClient, user: Person) -> None:
    starts = ["2024-12-16T00:41:29Z", "2024-12-16T02:18:20Z", "2024-12-16T01:29:40Z"]
    for start in starts:
        create_entry(client, user, start=start, duration=60)
    got = [e["start"] for e in listing(client, user)]
    assert got == [
        "2024-12-16T02:18:20+00:00",
        "2024-12-16T01:29:40+00:00",
        "2024-12-16T00:41:29+00:00",
    ]


def test_no_parameters_show_the_last_ten_days_from_midnight_utc_newest_first(
    client: TestClient, user: Person
) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    edge = today - timedelta(days=10)
    on_edge = create_entry(client, user, start=edge.isoformat(), duration=60)
    create_entry(client, user, start=(edge - timedelta(seconds=1)).isoformat(), duration=60)
    recent = create_entry(client, user, start=(today - timedelta(days=1)).isoformat())
    r = client.get(f"{API}/me/time_entries", headers=user.auth)
    assert r.status_code == 200
    assert [e["id"] for e in r.json()] == [recent["id"], on_edge["id"]]


def test_lists_only_the_callers_entries(
    client: TestClient, user: Person, other_user: Person
) -> None:
    mine = create_entry(client, user)
    create_entry(client, other_user)
    assert [e["id"] for e in listing(client, user)] == [mine["id"]]


def test_since_returns_changes_including_deleted(
    client: TestClient, runtime: Runtime, user: Person
) -> None:
    old = create_entry(client, user, description="old")
    kept = create_entry(client, user, description="kept", start="2024-12-16T00:41:29Z")
    gone = create_entry(client, user, description="gone", start="2024-12-16T02:18:20Z")
    long_ago = datetime(2024, 1, 1, tzinfo=UTC)
    for entry in (old, kept, gone):
        set_at(runtime, entry["id"], long_ago)
    since = int(time.time()) - 1
    client.put(entries_url(user, kept["id"]), json={"billable": True}, headers=user.auth)
    assert client.delete(entries_url(user, gone["id"]), headers=user.auth).status_code == 200
    changed = listing(client, user, since=since)
    assert [e["id"] for e in changed] == [gone["id"], kept["id"]]
    deleted = changed[0]
    assert list(deleted) == ENTRY_KEYS
    assert deleted["server_deleted_at"] is not None
    assert deleted["server_deleted_at"].endswith("+00:00")
    assert changed[1]["server_deleted_at"] is None
    assert datetime.fromisoformat(deleted["at"].replace("Z", "+00:00")).timestamp() >= since
    # without since, deleted entries are not listed
    assert sorted(e["id"] for e in listing(client, user)) == sorted([old["id"], kept["id"]])
    # a since in the future lists nothing
    assert listing(client, user, since=int(time.time()) + 3600) == []


def test_since_and_before_together_is_the_recorded_400(client: TestClient, user: Person) -> None:
    r = client.get(
        f"{API}/me/time_entries?before=2024-12-16T03%3A25%3A20%2B01%3A00&since=1734305120",
        headers=user.auth,
    )
    assert_error(r, 400, "'since' and 'before' can not be present simultaneously")


def test_before(client: TestClient, user: Person) -> None:
    early = create_entry(client, user, start="2024-12-15T10:00:00Z")
    create_entry(client, user, start="2024-12-16T10:00:00Z")
    got = listing(client, user, before="2024-12-16T03:25:20+01:00")
    assert [e["id"] for e in got] == [early["id"]]
    assert [e["id"] for e in listing(client, user, before="2024-12-16")] == [early["id"]]


def test_start_and_end_date(client: TestClient, user: Person) -> None:
    ids = {
        day: create_entry(client, user, start=f"2024-12-{day}T12:00:00Z")["id"]
        for day in (14, 15, 16, 17)
    }
    got = listing(client, user, start_date="2024-12-15", end_date="2024-12-17")
    assert [e["id"] for e in got] == [ids[16], ids[15]]
    got = listing(
        client, user, start_date="2024-12-15T13:00:00+01:00", end_date="2024-12-16T12:00:01Z"
    )
    assert [e["id"] for e in got] == [ids[16], ids[15]]
    got = listing(client, user, start_date="2024-12-16")
    assert [e["id"] for e in got] == [ids[17], ids[16]]
    got = listing(client, user, end_date="2024-12-15")
    assert [e["id"] for e in got] == [ids[14]]


def test_start_date_after_end_date_is_a_400(client: TestClient, user: Person) -> None:
    r = client.get(
        f"{API}/me/time_entries",
        params={"start_date": "2024-12-17", "end_date": "2024-12-15"},
        headers=user.auth,
    )
    assert_error(r, 400)


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"since": "1e10"},
        {"since": "9" * 30},
        {"before": "last week"},
        {"start_date": "2024-13-45"},
        {"end_date": "2024-12-15T10:00:00"},
        {"start_date": "0001-01-01T00:00:00+01:00"},
        {"meta": "maybe"},
    ],
)
def test_bad_query_values_are_400(client: TestClient, user: Person, params: dict[str, str]) -> None:
    assert_error(client.get(f"{API}/me/time_entries", params=params, headers=user.auth), 400)


def test_meta_fields(client: TestClient, user: Person) -> None:
    create_entry(client, user)
    plain = listing(client, user)[0]
    assert list(plain) == ENTRY_KEYS
    with_meta = listing(client, user, meta="true", **ALL_OF_2024_ON)[0]
    extra = [key for key in with_meta if key not in ENTRY_KEYS]
    assert extra == [
        "client_name",
        "project_name",
        "project_color",
        "project_active",
        "project_billable",
        "user_name",
        "user_avatar_url",
    ]
    assert with_meta["user_name"] == "Jane Doe" and with_meta["project_name"] is None
    assert list(listing(client, user, meta="false", **ALL_OF_2024_ON)[0]) == ENTRY_KEYS


def test_tags_read_back_as_lists(client: TestClient, user: Person) -> None:
    create_entry(client, user)
    create_entry(client, user, tags=["x"], start="2024-12-16T05:00:00Z")
    got = listing(client, user)
    assert got[0]["tags"] == ["x"] and len(got[0]["tag_ids"]) == 1
    assert got[1]["tags"] == [] and got[1]["tag_ids"] == []


def test_running_entry_in_the_list(client: TestClient, user: Person) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    create_entry(client, user, start=start.isoformat(), duration=-1)
    got = listing(client, user)[0]
    assert got["stop"] is None and got["duration"] == -int(start.timestamp())
