"""The hot reads answered past FastAPI's routing answer exactly as the FastAPI routes do:
the same status, bytes and content type, for several users and query variants."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from trackgate.runtime import Runtime
from trackgate.service.app import create_service_app
from trackgate.service.hot_reads import HotReads, find_read

PATHS = [
    "/me",
    "/me?with_related_data=true",
    "/me?with_related_data=maybe",
    "/me/time_entries/current",
    "/me/time_entries",
    "/me/time_entries?meta=true&start_date=2020-01-01&end_date=2100-01-01",
    "/me/time_entries?since=0",
    "/me/time_entries?before=2100-01-01T00:00:00Z&start_date=2020-01-01",
    "/me/time_entries?start_date=2025-02-01&end_date=2025-01-01",
    "/me/time_entries?since=1&before=2",
    "/me/time_entries?start_date=yesterday",
]


def _service(runtime: Runtime, hot: bool) -> FastAPI:
    app = create_service_app(runtime)
    if not hot:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not HotReads]
    return app


@pytest.fixture
def both(runtime: Runtime) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(_service(runtime, True), raise_server_exceptions=False) as hot,
        TestClient(_service(runtime, False), raise_server_exceptions=False) as routed,
    ):
        yield hot, routed


def test_hot_reads_answer_as_the_routes_do(
    both: tuple[TestClient, TestClient], user: Person
) -> None:
    hot, routed = both
    for body in (
        {"created_with": "t", "start": "2025-01-10T09:00:00Z", "duration": 600, "tags": ["a"]},
        {"created_with": "t", "start": "2025-01-11T09:00:00Z", "duration": -1},
    ):
        made = routed.post(
            f"/workspaces/{user.workspace_id}/time_entries",
            json={"workspace_id": user.workspace_id, **body},
            headers=user.auth,
        )
        assert made.status_code == 200
    statuses = set()
    for path in PATHS:
        fast, slow = hot.get(path, headers=user.auth), routed.get(path, headers=user.auth)
        assert (fast.status_code, fast.content) == (slow.status_code, slow.content), path
        assert fast.headers["content-type"] == slow.headers["content-type"], path
        statuses.add(fast.status_code)
    assert statuses == {200, 400}
    assert hot.get("/me").status_code == routed.get("/me").status_code == 401


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def _catalog(routed: TestClient, admin: Person, member: Person) -> dict[str, int]:
    """A workspace of ``admin`` with ``member`` in it: public, private and archived projects
    (one private project has the member as a project user), an archived client, a deleted tag,
    inactive tasks, entries with tags and tasks, and rates only admins see."""
    wid = admin.workspace_id
    base = f"/workspaces/{wid}"

    def post(path: str, body: dict[str, Any], who: Person = admin) -> Any:
        return _ok(routed.post(base + path, json=body, headers=who.auth))

    _ok(routed.put(base, json={"only_admins_see_billable_rates": True}, headers=admin.auth))
    acme = post("/clients", {"name": "Acme"})["id"]
    gone = post("/clients", {"name": "gone corp"})["id"]
    _ok(routed.post(f"{base}/clients/{gone}/archive", headers=admin.auth))
    public = {"is_private": False}
    alpha = post(
        "/projects", {"name": "Alpha", "client_id": acme, "billable": True, "rate": 80, **public}
    )
    secret = post("/projects", {"name": "secret", "is_private": True})
    shared = post("/projects", {"name": "Shared", "is_private": True, "client_id": gone})
    old = post("/projects", {"name": "old one", "active": False, **public})
    for i in range(4):
        post("/projects", {"name": f"bulk {i}", "billable": i % 2 == 0, **public})
    post("/project_users", {"project_id": shared["id"], "user_id": member.id})
    task = post(f"/projects/{alpha['id']}/tasks", {"name": "Design"})["id"]
    post(f"/projects/{alpha['id']}/tasks", {"name": "asleep", "active": False})
    post(f"/projects/{secret['id']}/tasks", {"name": "hidden"})
    tag = post("/tags", {"name": "focus"})["id"]
    dropped = post("/tags", {"name": "dropped"})["id"]
    assert routed.delete(f"{base}/tags/{dropped}", headers=admin.auth).status_code == 200
    post("/tags", {"name": "Zeta"}, member)
    entries = {}
    for who, project in ((member, alpha), (member, shared), (admin, secret), (admin, alpha)):
        made = post(
            "/time_entries",
            {
                "created_with": "t",
                "workspace_id": wid,
                "start": "2025-01-10T09:00:00Z",
                "duration": 3600,
                "project_id": project["id"],
                "task_id": task if project is alpha else None,
                "tag_ids": [tag],
            },
            who,
        )
        entries[f"{who.email}:{project['name']}"] = made["id"]
    return {
        "wid": wid,
        "acme": acme,
        "gone": gone,
        "alpha": alpha["id"],
        "secret": secret["id"],
        "shared": shared["id"],
        "old": old["id"],
        "member_entry": entries[f"{member.email}:Alpha"],
        "admin_entry": entries[f"{admin.email}:secret"],
    }


CATALOG_PATHS = [
    "/me/projects",
    "/me/projects?include_archived=true",
    "/me/projects?include_archived=nope",
    "/me/projects?since={since}",
    "/me/projects?since=abc",
    "/me/clients",
    "/me/clients?since={since}",
    "/me/tags",
    "/me/tags?since={since}",
    "/me/tags?since=0",
    "/me/tasks",
    "/me/tasks?include_not_active=true&offset=1&per_page=1",
    "/me/tasks?per_page=0",
    "/me/tasks?since={since}&meta=true",
    "/me/workspaces",
    "/me/workspaces?since={since}",
    "/me/time_entries/{member_entry}",
    "/me/time_entries/{member_entry}?meta=true",
    "/me/time_entries/{admin_entry}",
    "/me/time_entries/0",
    "/me/time_entries/-1",
    "/me/time_entries/99999999999999999999",
    "/workspaces/{wid}/projects",
    "/workspaces/{wid}/projects?active=true",
    "/workspaces/{wid}/projects?active=false",
    "/workspaces/{wid}/projects?active=both&billable=true",
    "/workspaces/{wid}/projects?active=maybe",
    "/workspaces/{wid}/projects?client_ids={acme},{gone}",
    "/workspaces/{wid}/projects?client_ids=x",
    "/workspaces/{wid}/projects?name=BULK&sort_order=DESC",
    "/workspaces/{wid}/projects?sort_field=client_name&sort_pinned=true",
    "/workspaces/{wid}/projects?sort_field=size",
    "/workspaces/{wid}/projects?page=2&per_page=3",
    "/workspaces/{wid}/projects?page=0",
    "/workspaces/{wid}/projects?per_page=201",
    "/workspaces/{wid}/projects?since={since}",
    "/workspaces/{wid}/projects/{alpha}",
    "/workspaces/{wid}/projects/{secret}",
    "/workspaces/{wid}/projects/{shared}",
    "/workspaces/{wid}/projects/{old}",
    "/workspaces/{wid}/projects/123456789",
    "/workspaces/{wid}/projects/+{alpha}",
    "/workspaces/{wid}/clients",
    "/workspaces/{wid}/clients?status=archived",
    "/workspaces/{wid}/clients?status=both&name=CORP",
    "/workspaces/{wid}/clients?status=gone",
    "/workspaces/{wid}/clients/{acme}",
    "/workspaces/{wid}/clients/{gone}",
    "/workspaces/{wid}/clients/987654321",
    "/workspaces/{wid}/tags",
    "/workspaces/{wid}/tags?page=1&per_page=1",
    "/workspaces/{wid}/tags?per_page=2",
    "/workspaces/{wid}/tags?page=x",
    "/workspaces/{wid}/tags/1",
    "/workspaces/987654321/projects",
    "/workspaces/987654321/clients/{acme}",
    "/workspaces/{wid}/projects/{alpha}/tasks",
]


def test_catalog_reads_answer_as_the_routes_do(
    runtime: Runtime, both: tuple[TestClient, TestClient]
) -> None:
    """Every catalog listing and single object read here, for an admin, a member (who sees
    the private project only they were added to, and no rates) and an outsider (403s)."""
    hot, routed = both
    admin = make_user(runtime, fullname="Ada Admin")
    member = make_user(runtime, fullname="Max Member", workspace_id=admin.workspace_id)
    outsider = make_user(runtime, fullname="Otto Outsider")
    ids = _catalog(routed, admin, member)
    ids["since"] = int(time.time()) - 3600
    statuses: set[int] = set()
    seen: dict[str, set[int]] = {}
    for label, who in (("admin", admin), ("member", member), ("outsider", outsider)):
        for template in CATALOG_PATHS:
            path = template.format(**ids)
            fast, slow = hot.get(path, headers=who.auth), routed.get(path, headers=who.auth)
            assert (fast.status_code, fast.content) == (slow.status_code, slow.content), (
                label,
                path,
            )
            assert fast.headers["content-type"] == slow.headers["content-type"], path
            statuses.add(fast.status_code)
            if template == "/me/projects?include_archived=true":
                seen[label] = {p["id"] for p in fast.json()}
    assert statuses >= {200, 400, 403, 404}
    # the rules were exercised: the member sees the private project they were added to only
    assert ids["secret"] in seen["admin"] and ids["secret"] not in seen["member"]
    assert ids["shared"] in seen["member"] and ids["old"] in seen["member"]


def test_only_plain_id_paths_are_read_here() -> None:
    assert find_read("/workspaces/1/projects/2") is not None
    assert find_read("/me/time_entries/current") is not None
    for path in (
        "/workspaces/1/projects/+2",
        "/workspaces/1/projects/2/tasks",
        "/workspaces/1/tags/3",
        "/workspaces/1",
        "/me/time_entries/" + "9" * 19,
        "/workspaces/１/projects",  # a digit, but not an ASCII one
    ):
        assert find_read(path) is None, path
