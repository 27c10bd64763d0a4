"""The locks that only PostgreSQL needs: names made at once in one workspace, and timers started
at once through two server processes. On SQLite (whose writes are serial) the same tests pass
without the locks; the PostgreSQL pass (``make test-pg``) is where removing one fails them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import Person, basic, start_live_server, stop_live_server
from tests.databases import OwnDatabase
from tests.service.core_helpers import API, entries_url
from trackgate.crypto import encode_key, generate_key
from trackgate.runtime import Runtime
from trackgate.storage.models import Client, Project, Tag

THREADS = 12
ROUNDS = 3


def at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """``call(i)`` from ``count`` threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def count_named(runtime: Runtime, model: type[Tag] | type[Client], wid: int, name: str) -> int:
    with runtime.db.read() as session:
        found = session.scalar(
            select(func.count()).where(model.workspace_id == wid, model.name == name)
        )
    return found or 0


def test_a_new_tag_named_by_many_entries_at_once_is_made_once(
    client: TestClient, user: Person, runtime: Runtime
) -> None:
    for _ in range(ROUNDS):
        name = "tag-" + uuid.uuid4().hex[:8]

        def start(index: int, name: str = name) -> httpx.Response:
            body = {
                "workspace_id": user.workspace_id,
                "created_with": "lock-test",
                "start": "2024-12-16T01:00:00Z",
                "duration": 60,
                "tags": [name],
            }
            if index % 3 == 0:  # the tag API takes the same lock
                return client.post(
                    f"{API}/workspaces/{user.workspace_id}/tags",
                    json={"name": name},
                    headers=user.auth,
                )
            return client.post(entries_url(user), json=body, headers=user.auth)

        answers = at_once(THREADS, start)
        assert all(r.status_code in (200, 400) for r in answers), [r.text for r in answers]
        assert count_named(runtime, Tag, user.workspace_id, name) == 1


def test_a_new_client_named_by_many_projects_at_once_is_made_once(
    client: TestClient, user: Person, runtime: Runtime
) -> None:
    for _ in range(ROUNDS):
        name = "client-" + uuid.uuid4().hex[:8]

        def create(index: int, name: str = name) -> httpx.Response:
            return client.post(
                f"{API}/workspaces/{user.workspace_id}/projects",
                json={"name": f"{name} project {index}", "client_name": name},
                headers=user.auth,
            )

        answers = at_once(THREADS, create)
        assert [r.status_code for r in answers] == [200] * THREADS, [r.text for r in answers]
        assert count_named(runtime, Client, user.workspace_id, name) == 1
        with runtime.db.read() as session:
            client_ids = set(
                session.scalars(
                    select(Project.client_id).where(Project.name.like(f"{name} project %"))
                )
            )
        assert len(client_ids) == 1


def test_clients_made_at_once_under_one_name_exist_once_the_rest_get_our_own_message(
    client: TestClient, user: Person, runtime: Runtime
) -> None:
    for _ in range(ROUNDS):
        name = "client-" + uuid.uuid4().hex[:8]
        answers = at_once(
            THREADS,
            lambda _i, name=name: client.post(
                f"{API}/workspaces/{user.workspace_id}/clients",
                json={"name": name},
                headers=user.auth,
            ),
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200] + [400] * (THREADS - 1), [r.text for r in answers]
        refused = [r.json() for r in answers if r.status_code == 400]
        assert set(refused) == {"Name has already been taken"}  # our own message
        assert count_named(runtime, Client, user.workspace_id, name) == 1


def test_timers_started_at_once_through_two_servers_leave_one_running(
    own_database: OwnDatabase, tmp_path: Path
) -> None:
    env = {**own_database.env(), "TRACKGATE_SECRET_KEY": encode_key(generate_key())}
    first = start_live_server(tmp_path, env=env)
    try:
        second = start_live_server(tmp_path, env=env)
    except BaseException:
        stop_live_server(first)
        raise
    try:
        made = first.cli("users", "create", "--email", "locks@example.com", "--password", "x" * 8)
        assert made.returncode == 0, made.stderr
        me = httpx.get(first.url + API + "/me", auth=None, timeout=30, headers=_auth(made.stdout))
        wid = me.json()["default_workspace_id"]
        base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

        def start(index: int) -> httpx.Response:
            server = (first, second)[index % 2]
            return httpx.post(
                f"{server.url}{API}/workspaces/{wid}/time_entries",
                json={
                    "workspace_id": wid,
                    "created_with": "lock-test",
                    "start": (base + timedelta(seconds=index)).isoformat(),
                    "duration": -1,
                },
                headers=_auth(made.stdout),
                timeout=60,
            )

        answers = at_once(THREADS, start)
        assert [r.status_code for r in answers] == [200] * THREADS, [r.text for r in answers]
        listed = httpx.get(
            second.url + API + "/me/time_entries", headers=_auth(made.stdout), timeout=30
        ).json()
        assert len(listed) == THREADS
        assert len([e for e in listed if e["stop"] is None]) == 1
    finally:
        stop_live_server(second)
        stop_live_server(first)


def _auth(created_user_json: str) -> dict[str, str]:
    import json

    return basic(json.loads(created_user_json)["api_token"], "api_token")
