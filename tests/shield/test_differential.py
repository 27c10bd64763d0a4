"""The differential suite: the same agent session through the shielded gateway and straight
at the upstream, over real sockets. Every shielded answer must equal the direct one, except
that a change made behind the gateway's back may show late -- never later than the freshness
limit. The upstream is ``trackgate serve --emulate-quota 30``; the direct answers come from a
quota-free twin serving the same data, so that comparing spends no quota."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.shield.conftest import without_token
from tests.shield.sockets import Toggl, new_account, shielded_servers

pytestmark = pytest.mark.socket

#: The gateways' freshness limit; time-based checks ask for a shorter one per request
#: (``Cache-Control: max-age``), so that the quota of 30 an hour lasts the whole session.
MAX_AGE = 60.0
LIMIT = 2
CACHE = "x-trackgate-cache"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    with shielded_servers(tmp_path_factory.mktemp("differential"), MAX_AGE, replicas=2) as found:
        yield found


@pytest.fixture
def toggl(servers: dict[str, LiveServer]) -> Toggl:
    return new_account(servers["upstream"], servers["gateway"], servers["twin"])


def _window() -> str:
    today = datetime.now(UTC).date()
    return f"start_date={today - timedelta(days=6)}&end_date={today + timedelta(days=1)}"


def reads(t: Toggl) -> list[str]:
    wid = t.workspace_id
    return [
        "/me",
        "/me/workspaces",
        "/me/projects",
        "/me/projects?include_archived=true",
        "/me/clients",
        "/me/tags",
        "/me/time_entries/current",
        f"/me/time_entries?{_window()}",
        f"/workspaces/{wid}/projects",
        f"/workspaces/{wid}/clients",
        f"/workspaces/{wid}/tags",
    ]


def same(t: Toggl, path: str, **headers: str) -> httpx.Response:
    shielded = t.get(path, **headers)
    direct = t.direct("GET", path)
    assert shielded.status_code == direct.status_code, (path, shielded.text)
    assert shielded.json() == without_token(direct.json()), path
    assert shielded.headers[CACHE] in ("hit", "miss", "bypass")
    return shielded


def all_same(t: Toggl, extra: list[str] = (), **headers: str) -> None:  # type: ignore[assignment]
    for path in [*reads(t), *extra]:
        same(t, path, **headers)


def _start(t: Toggl, description: str, **extra: Any) -> dict[str, Any]:
    when = datetime.now(UTC) - timedelta(minutes=extra.pop("minutes_ago", 1))
    body = {
        "workspace_id": t.workspace_id,
        "created_with": "agent",
        "start": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": -1,
        "description": description,
        **extra,
    }
    answer = t.send("POST", f"/workspaces/{t.workspace_id}/time_entries", body)
    assert answer.status_code == 200, answer.text
    made: dict[str, Any] = answer.json()
    return made


def test_an_agent_session_reads_the_same_through_the_shield(toggl: Toggl) -> None:
    t, wid = toggl, toggl.workspace_id
    all_same(t)
    since = int(time.time()) + 2
    client = t.send("POST", f"/workspaces/{wid}/clients", {"name": "Acme"}).json()
    project = t.send(
        "POST",
        f"/workspaces/{wid}/projects",
        {"name": "Apollo", "active": True, "client_id": client["id"]},
    ).json()
    first = _start(t, "planning", tags=["focus"], project_id=project["id"], minutes_ago=30)
    all_same(t, [f"/me/time_entries/{first['id']}", f"/workspaces/{wid}/projects/{project['id']}"])
    second = _start(t, "coding")  # stops the first
    all_same(t, [f"/me/time_entries/{first['id']}"])
    assert t.send("PATCH", f"/workspaces/{wid}/time_entries/{second['id']}/stop").status_code == 200
    edited = t.send(
        "PUT", f"/workspaces/{wid}/time_entries/{second['id']}", {"description": "reviewing"}
    )
    assert edited.status_code == 200
    all_same(t, [f"/me/time_entries/{second['id']}"])
    assert t.send("DELETE", f"/workspaces/{wid}/time_entries/{first['id']}").status_code == 200
    all_same(t, [f"/me/time_entries/{first['id']}", f"/me/time_entries?since={since}"])
    archived = t.send("POST", f"/workspaces/{wid}/clients/{client['id']}/archive")
    assert archived.status_code == 200
    all_same(t, [f"/workspaces/{wid}/projects/{project['id']}"])
    assert same(t, "/me/time_entries/current").json() is None
    # the whole session within the upstream's quota, and a bucket never overdrawn
    user_bucket = t.quota()["buckets"][0]
    assert user_bucket["scope"] == "user" and user_bucket["remaining"] >= 5


def test_changes_elsewhere_show_within_the_freshness_limit(toggl: Toggl) -> None:
    t, wid = toggl, toggl.workspace_id
    keep = t.direct("POST", f"/workspaces/{wid}/projects", {"name": "Keep", "active": True}).json()
    old = t.direct("POST", f"/workspaces/{wid}/time_entries", {
        "workspace_id": wid, "created_with": "elsewhere", "duration": 600, "description": "old",
        "start": (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }).json()  # fmt: skip
    all_same(t)
    watched = [
        "/me/time_entries/current",
        f"/me/time_entries?{_window()}",
        "/me/projects",
        f"/workspaces/{wid}/projects",
        "/me/workspaces",
    ]
    limit = {"Cache-Control": f"max-age={LIMIT}"}
    before = {path: t.get(path, **limit).json() for path in watched}
    # behind the gateway's back: a timer started elsewhere, a deletion, an archived project
    started = t.direct("POST", f"/workspaces/{wid}/time_entries", {
        "workspace_id": wid, "created_with": "elsewhere", "duration": -1, "description": "phone",
        "start": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })  # fmt: skip
    assert started.status_code == 200
    assert t.direct("DELETE", f"/workspaces/{wid}/time_entries/{old['id']}").status_code == 200
    archived = t.direct("PUT", f"/workspaces/{wid}/projects/{keep['id']}", {"active": False})
    assert archived.status_code == 200
    changed_at = time.monotonic()
    for path in watched:  # late or current, nothing else
        shown = t.get(path, **limit).json()
        direct = without_token(t.direct("GET", path).json())
        if time.monotonic() - changed_at < LIMIT:
            assert shown in (before[path], direct), path
    time.sleep(max(0.0, LIMIT + 0.2 - (time.monotonic() - changed_at)))
    for path in watched:
        same(t, path, **limit)
    assert same(t, "/me/time_entries/current", **limit).json()["description"] == "phone"
    assert same(t, "/me/projects", **limit).json() == []
    assert same(t, f"/me/time_entries/{old['id']}", **limit).status_code == 404


def test_two_replicas_share_one_mirror(toggl: Toggl, servers: dict[str, LiveServer]) -> None:
    t = toggl
    replica = t.via(
        httpx.Client(base_url=servers["replica"].url, headers=dict(t.gateway.headers), timeout=30)
    )
    assert t.get("/me/tags").headers[CACHE] == "miss"
    assert replica.get("/me/tags").headers[CACHE] == "hit"  # filled by the other replica
    made = _start(t, "on replica one", tags=["shared"])
    current = same(replica, "/me/time_entries/current")
    assert current.json()["id"] == made["id"]
    assert same(replica, "/me/tags").json()[0]["name"] == "shared"
    # once the copy is old, many reads at once through both replicas refresh it once
    assert t.get("/me/workspaces").headers[CACHE] == "miss"
    time.sleep(LIMIT + 0.2)
    spent_before = t.quota()["buckets"][0]["remaining"]
    answers: list[str] = []

    def read(side: Toggl) -> None:
        answers.append(
            side.get("/me/workspaces", **{"Cache-Control": f"max-age={LIMIT}"}).headers[CACHE]
        )

    threads = [threading.Thread(target=read, args=(side,)) for side in (t, replica) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers).count("miss") >= 1 and "bypass" not in answers
    assert spent_before - t.quota()["buckets"][0]["remaining"] == 1


def test_the_gateway_keeps_an_agent_working_past_the_quota(
    toggl: Toggl, servers: dict[str, LiveServer]
) -> None:
    t = toggl
    direct_agent = new_account(servers["upstream"], servers["gateway"], servers["twin"])
    upstream = httpx.Client(
        base_url=servers["upstream"].url, headers=dict(direct_agent.twin.headers), timeout=30
    )
    window = _window()
    paths = ["/me/time_entries/current", f"/me/time_entries?{window}", "/me/projects", "/me/tags"]
    statuses = []
    for index in range(60):
        path = paths[index % len(paths)]
        statuses.append(t.get(path).status_code)
    assert set(statuses) == {200}
    direct = [upstream.get("/api/v9" + paths[i % len(paths)]).status_code for i in range(60)]
    assert direct.count(402) == 30  # Toggl's user bucket: 30 an hour
    assert t.quota()["buckets"][0]["remaining"] >= 5
