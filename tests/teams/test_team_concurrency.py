"""Team changes made at once: one project membership per pair, one workspace membership per
person, never a 500 (fails on PostgreSQL without the workspace lock)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import make_user
from tests.service.core_helpers import (
    API,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from tests.teams.team_helpers import make_team, ok, organization_id
from trackgate.runtime import Runtime

THREADS = 8


def at_once(call: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_same_project_user_added_at_once_is_added_once(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    base = f"{API}/workspaces/{team.workspace_id}"
    project = ok(client.post(f"{base}/projects", json={"name": "Busy"}, headers=team.admin.auth))
    body = {"project_id": project["id"], "user_id": team.member.id}
    results = at_once(
        lambda: client.post(f"{base}/project_users", json=body, headers=team.admin.auth)
    )
    assert sorted(r.status_code for r in results) == [200] + [400] * (THREADS - 1)
    listed = ok(
        client.get(
            f"{base}/project_users", params={"user_id": team.member.id}, headers=team.admin.auth
        )
    )
    assert len(listed) == 1


def test_the_same_person_invited_and_accepting_at_once_joins_once(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    newcomer = make_user(runtime, fullname="New Comer")
    oid = organization_id(client, team.admin)
    body = {"emails": [newcomer.email], "workspaces": [{"workspace_id": team.workspace_id}]}
    url = f"{API}/organizations/{oid}/invitations"
    results = at_once(lambda: client.post(url, json=body, headers=team.admin.auth))
    assert [r.status_code for r in results] == [200] * THREADS, [r.text for r in results]
    invite_urls = [r.json()["data"][0]["invite_url"] for r in results]
    assert len(set(invite_urls)) == THREADS  # one pending invitation each; all accepted at once
    accepted = at_once(lambda: client.post(invite_urls.pop(), headers=newcomer.auth))
    assert [r.status_code for r in accepted] == [200] * THREADS, [r.text for r in accepted]
    users = ok(
        client.get(f"{API}/workspaces/{team.workspace_id}/workspace_users", headers=team.admin.auth)
    )
    assert [u["email"] for u in users].count(newcomer.email) == 1
    orgs = ok(client.get(f"{API}/me/organizations", headers=newcomer.auth))
    assert [o["id"] for o in orgs].count(oid) == 1
