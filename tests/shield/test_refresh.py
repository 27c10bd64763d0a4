"""How the mirror refreshes, over real sockets: changes made behind the gateway's back come
back through ``since`` listings at the next refresh, deletions those listings do not report at
the next whole listing (at most ``FULL_LISTING_SECONDS`` later); refreshes spend from the
bucket with the most left and never a bucket's last 5 requests. The upstream is
``trackgate serve --emulate-quota 30``; the twin (same data, no quota) is the reference."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.conftest import LiveServer
from tests.shield.conftest import without_token
from tests.shield.sockets import Toggl, new_account, shielded_servers
from trackgate.config import load_settings
from trackgate.runtime import build_runtime
from trackgate.shield import rules
from trackgate.storage.models import ShieldKind

pytestmark = pytest.mark.socket

CACHE = "x-trackgate-cache"
NOW = {"Cache-Control": "max-age=0"}  # the copy is too old: refresh before answering
PAST = {"Cache-Control": "no-cache"}  # straight to the upstream (the gateway records its quota)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    with shielded_servers(tmp_path_factory.mktemp("refresh"), 60.0) as found:
        yield found


@pytest.fixture
def toggl(servers: dict[str, LiveServer]) -> Toggl:
    return new_account(servers["upstream"], servers["gateway"], servers["twin"])


def upstream_of(t: Toggl, servers: dict[str, LiveServer]) -> httpx.Client:
    """The account straight at the quota-counting upstream."""
    return httpx.Client(base_url=servers["upstream"].url, headers=dict(t.twin.headers), timeout=30)


def remaining(upstream: httpx.Client) -> dict[str, int]:
    """What is left of each bucket, as the upstream counts (``/me/quota`` is not counted)."""
    buckets = upstream.get("/api/v9/me/quota").json()
    return {
        ("user" if b["organization_id"] is None else "organization"): b["remaining"]
        for b in buckets
    }


def spend(upstream: httpx.Client, path: str, until: int, bucket: str) -> None:
    while remaining(upstream).get(bucket, 30) > until:
        assert upstream.get("/api/v9" + path).status_code == 200


def same(t: Toggl, path: str, **headers: str) -> Any:
    shielded = t.get(path, **headers)
    direct = t.direct("GET", path)
    assert shielded.status_code == direct.status_code == 200, (path, shielded.text)
    assert shielded.json() == without_token(direct.json()), path
    return shielded


def age_whole_listings(gateway: LiveServer, t: Toggl, kind: str) -> None:
    """As if the kind's last whole listing were older than the mirror lists whole again."""
    runtime = build_runtime(load_settings(gateway.env))
    try:
        with runtime.db.write() as session:
            session.execute(
                update(ShieldKind)
                .where(ShieldKind.connection_id == t.connection_id, ShieldKind.kind == kind)
                .values(covered_from=ShieldKind.covered_from - rules.FULL_LISTING_SECONDS - 1)
            )
    finally:
        runtime.close()


def test_changes_elsewhere_come_back_through_since_and_deletions_by_the_whole_listing(
    toggl: Toggl, servers: dict[str, LiveServer]
) -> None:
    t, wid = toggl, toggl.workspace_id
    project = t.direct("POST", f"/workspaces/{wid}/projects", {"name": "Apollo", "active": True})
    pid = project.json()["id"]
    tasks = [
        t.direct("POST", f"/workspaces/{wid}/projects/{pid}/tasks", {"name": name}).json()
        for name in ("design", "build")
    ]
    upstream = upstream_of(t, servers)
    for path in ("/me/tasks", "/me/workspaces"):
        assert same(t, path).headers[CACHE] == "miss"
    # behind the gateway's back: a task renamed, the workspace renamed, a task deleted
    renamed = t.direct("PUT", f"/workspaces/{wid}/projects/{pid}/tasks/{tasks[0]['id']}", {
        "name": "design review",
    })  # fmt: skip
    assert renamed.status_code == 200
    assert t.direct("PUT", f"/workspaces/{wid}", {"name": "Renamed"}).status_code == 200
    gone = t.direct("DELETE", f"/workspaces/{wid}/projects/{pid}/tasks/{tasks[1]['id']}")
    assert gone.status_code == 200
    before = remaining(upstream)["user"]
    # the next refresh asks only for changes: the renames show, the deletion cannot yet
    assert same(t, "/me/workspaces", **NOW).json()[0]["name"] == "Renamed"
    listed = t.get("/me/tasks", **NOW)
    assert listed.headers[CACHE] == "miss"
    assert [task["name"] for task in listed.json()] == ["build", "design review"]
    assert remaining(upstream)["user"] == before - 2  # one request each
    # the deletion shows at the first refresh once the whole listing is due
    age_whole_listings(servers["gateway"], t, rules.TASKS)
    assert [task["name"] for task in same(t, "/me/tasks", **NOW).json()] == ["design review"]


def test_deleted_projects_and_tags_come_back_at_the_next_refresh(toggl: Toggl) -> None:
    t, wid = toggl, toggl.workspace_id
    made = [
        t.direct("POST", f"/workspaces/{wid}/projects", {"name": n, "active": True}).json()
        for n in ("Alpha", "beta", "Gamma")
    ]
    for name in ("x", "Y"):
        assert t.direct("POST", f"/workspaces/{wid}/tags", {"name": name}).status_code == 200
    for path in ("/me/projects", "/me/tags"):
        same(t, path)
    tag = t.direct("GET", "/me/tags").json()[0]
    assert t.direct("DELETE", f"/workspaces/{wid}/projects/{made[1]['id']}").status_code == 200
    assert t.direct("DELETE", f"/workspaces/{wid}/tags/{tag['id']}").status_code == 200
    assert t.direct("POST", f"/workspaces/{wid}/projects", {"name": "delta"}).status_code == 200
    names = [p["name"] for p in same(t, "/me/projects?include_archived=true", **NOW).json()]
    assert names == ["Alpha", "delta", "Gamma"]
    assert [g["name"] for g in same(t, "/me/tags", **NOW).json()] == ["Y"]


def test_refreshes_go_to_the_organization_bucket_when_the_users_runs_low(
    toggl: Toggl, servers: dict[str, LiveServer]
) -> None:
    t, wid = toggl, toggl.workspace_id
    upstream = upstream_of(t, servers)
    keep = t.direct("POST", f"/workspaces/{wid}/projects", {"name": "Keep", "active": True})
    drop = t.direct("POST", f"/workspaces/{wid}/projects", {"name": "Drop", "active": True})
    for path in ("/me/workspaces", "/me/projects"):
        same(t, path)
    spend(upstream, "/me", 8, "user")
    assert t.get("/me", **PAST).headers[CACHE] == "bypass"  # the gateway sees 7 left
    assert remaining(upstream)["user"] == 7
    # behind the gateway's back: a project deleted, one renamed
    assert t.direct("DELETE", f"/workspaces/{wid}/projects/{drop.json()['id']}").status_code == 200
    renamed = t.direct("PUT", f"/workspaces/{wid}/projects/{keep.json()['id']}", {"name": "Kept"})
    assert renamed.status_code == 200
    organization = remaining(upstream).get("organization", 30)
    assert [p["name"] for p in same(t, "/me/projects", **NOW).json()] == ["Kept"]
    assert remaining(upstream) == {"user": 7, "organization": organization - 1}
    # the user's bucket is then left alone down to its last 5
    for _ in range(2):
        assert t.get("/me", **NOW).headers[CACHE] == "miss"
    assert remaining(upstream)["user"] == 5
    assert t.get("/me", **NOW).headers[CACHE] == "stale"
    assert remaining(upstream)["user"] == 5


def test_refreshes_go_to_the_users_bucket_when_the_organizations_runs_low(
    toggl: Toggl, servers: dict[str, LiveServer]
) -> None:
    t, wid = toggl, toggl.workspace_id
    upstream = upstream_of(t, servers)
    for path in ("/me/workspaces", "/me/projects"):
        same(t, path)
    spend(upstream, f"/workspaces/{wid}/projects", 6, "organization")
    passed = t.get(f"/workspaces/{wid}/projects?active=false", **PAST)  # the gateway sees 5
    assert passed.headers[CACHE] == "bypass"
    assert (
        t.direct("POST", f"/workspaces/{wid}/projects", {"name": "New", "active": True}).status_code
        == 200
    )
    user = remaining(upstream)["user"]
    assert [p["name"] for p in same(t, "/me/projects", **NOW).json()] == ["New"]
    assert remaining(upstream) == {"user": user - 1, "organization": 5}
    # a write still has the organization's last requests
    made = t.send("POST", f"/workspaces/{wid}/projects", {"name": "Newer", "active": True})
    assert made.status_code == 200
    assert remaining(upstream)["organization"] == 4
