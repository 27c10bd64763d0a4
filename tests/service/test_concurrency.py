"""Sixteen timers started at once by one user leave exactly one running.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with
``TRACKGATE_TEST_DATABASE_URL``), through the in-process client from sixteen threads.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.core_helpers import (
    API,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    entries_url,
)

THREADS = 16


def start_timers_at_once(client: TestClient, person: Person, count: int) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def start(index: int) -> None:
        body = {
            "workspace_id": person.workspace_id,
            "created_with": "concurrency-test",
            "description": f"timer {index}",
            "start": (base + timedelta(seconds=index)).isoformat(),
            "duration": -1,
        }
        barrier.wait(timeout=30)
        results[index] = client.post(entries_url(person), json=body, headers=person.auth)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_sixteen_timers_at_once_leave_one_running(client: TestClient, user: Person) -> None:
    answers = start_timers_at_once(client, user, THREADS)
    assert [r.status_code for r in answers] == [200] * THREADS, [r.text for r in answers]
    created = {r.json()["id"] for r in answers}
    assert len(created) == THREADS

    entries = client.get(f"{API}/me/time_entries", headers=user.auth).json()
    assert {e["id"] for e in entries} == created
    running = [e for e in entries if e["stop"] is None]
    stopped = [e for e in entries if e["stop"] is not None]
    assert len(running) == 1 and len(stopped) == THREADS - 1
    assert all(e["duration"] >= 0 for e in stopped)
    assert running[0]["duration"] < 0

    current = client.get(f"{API}/me/time_entries/current", headers=user.auth).json()
    assert current["id"] == running[0]["id"]


def test_other_users_timers_are_untouched(
    client: TestClient, user: Person, other_user: Person
) -> None:
    theirs = client.post(
        entries_url(other_user),
        json={
            "workspace_id": other_user.workspace_id,
            "created_with": "concurrency-test",
            "start": datetime.now(UTC).isoformat(),
            "duration": -1,
        },
        headers=other_user.auth,
    ).json()
    answers = start_timers_at_once(client, user, 8)
    assert all(r.status_code == 200 for r in answers)
    current = client.get(f"{API}/me/time_entries/current", headers=other_user.auth).json()
    assert current["id"] == theirs["id"] and current["stop"] is None


def test_sixteen_stops_at_once_stop_once(client: TestClient, user: Person) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    entry = client.post(
        entries_url(user),
        json={
            "workspace_id": user.workspace_id,
            "created_with": "concurrency-test",
            "start": start.isoformat(),
            "duration": -1,
        },
        headers=user.auth,
    ).json()
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def stop() -> None:
        barrier.wait(timeout=30)
        r = client.patch(entries_url(user, entry["id"], "stop"), headers=user.auth)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=stop) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
