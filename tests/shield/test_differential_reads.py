"""The reads the mirror answers beyond the plain listings, over real sockets: each is answered
from the mirror (``hit``) once filled, and equals the quota-free twin's answer with the same
keys in the same order (byte for byte where no credential had to be taken out); reads it
cannot answer exactly pass through; and what a passed-through read answered serves later
reads from the mirror."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import LiveServer
from tests.shield.conftest import without_token
from tests.shield.sockets import Toggl, new_account, shielded_servers

pytestmark = pytest.mark.socket

CACHE = "x-trackgate-cache"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    with shielded_servers(tmp_path_factory.mktemp("differential-reads"), 60.0) as found:
        yield found


@pytest.fixture
def toggl(servers: dict[str, LiveServer]) -> Toggl:
    return new_account(servers["upstream"], servers["gateway"], servers["twin"])


def same(t: Toggl, path: str) -> httpx.Response:
    """The gateway's answer equals the twin's: same status, keys, values and order."""
    shielded = t.get(path)
    direct = t.direct("GET", path)
    assert shielded.status_code == direct.status_code, (path, shielded.text, direct.text)
    expected = without_token(direct.json())
    assert json.dumps(shielded.json()) == json.dumps(expected), path
    if "api_token" not in direct.text:
        assert shielded.content == direct.content, path
    return shielded


def hits(t: Toggl, paths: list[str]) -> None:
    """Each read, asked twice: equal both times, the second from the mirror."""
    for path in paths:
        same(t, path)
    for path in paths:
        assert same(t, path).headers[CACHE] == "hit", path


def bypasses(t: Toggl, paths: list[str]) -> None:
    for path in paths:
        assert same(t, path).headers[CACHE] == "bypass", path


def made(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def at_noon(days_ago: int, hour: int = 12) -> datetime:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def entry(t: Toggl, start: datetime, seconds: int, **extra: Any) -> dict[str, Any]:
    body = {
        "workspace_id": t.workspace_id,
        "created_with": "elsewhere",
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": seconds,
        "description": f"worked {start:%d %H}",
        **extra,
    }
    return made(t.direct("POST", f"/workspaces/{t.workspace_id}/time_entries", body))


def catalog(t: Toggl) -> dict[str, Any]:
    """Clients, projects (archived, billable, pinned) and tasks, made behind the gateway."""
    wid = t.workspace_id
    ws = f"/workspaces/{wid}"
    acme = made(t.direct("POST", f"{ws}/clients", {"name": "Acme"}))
    zeta = made(t.direct("POST", f"{ws}/clients", {"name": "Zeta"}))
    specs = [
        ("Apollo", acme["id"], True, True),
        ("boreas", zeta["id"], True, False),
        ("Café Ç", None, True, True),
        ("Dormant", acme["id"], False, False),
    ]
    projects = {
        name: made(
            t.direct(
                "POST",
                f"{ws}/projects",
                {"name": name, "client_id": client, "active": active, "billable": billable},
            )
        )
        for name, client, active, billable in specs
    }
    assert t.direct("POST", f"{ws}/projects/{projects['boreas']['id']}/pin", {"pin": True})
    apollo = projects["Apollo"]["id"]
    tasks = [
        made(t.direct("POST", f"{ws}/projects/{apollo}/tasks", {"name": name, "active": active}))
        for name, active in (("design", True), ("Build", True), ("archive me", False))
    ]
    boreas = projects["boreas"]["id"]
    tasks.append(made(t.direct("POST", f"{ws}/projects/{boreas}/tasks", {"name": "sail"})))
    return {"projects": projects, "tasks": tasks, "clients": [acme, zeta]}


def test_tasks_and_organizations_are_answered_from_the_mirror(toggl: Toggl) -> None:
    t, wid = toggl, toggl.workspace_id
    made_now = catalog(t)
    apollo = made_now["projects"]["Apollo"]["id"]
    task = made_now["tasks"][0]["id"]
    since = int(time.time()) - 3600
    organization = t.direct("GET", "/me/organizations").json()[0]["id"]
    hits(
        t,
        [
            "/me/tasks",
            "/me/tasks?include_not_active=true",
            f"/me/tasks?since={since}&include_not_active=true",
            f"/me/tasks?since={int(time.time()) + 3600}",
            "/me/tasks?offset=1&per_page=2&meta=true",
            f"/workspaces/{wid}/tasks",
            f"/workspaces/{wid}/tasks?active=false",
            f"/workspaces/{wid}/tasks?active=both&pid={apollo}&sort_order=DESC",
            f"/workspaces/{wid}/tasks?page=2&per_page=2",
            f"/workspaces/{wid}/projects/{apollo}/tasks",
            f"/workspaces/{wid}/projects/{apollo}/tasks?active=true",
            f"/workspaces/{wid}/projects/{apollo}/tasks/{task}",
            "/me/organizations",
            f"/organizations/{organization}",
        ],
    )
    bypasses(
        t,
        [
            f"/workspaces/{wid}/tasks?sort_field=created_at",  # not shown: cannot order by it
            f"/workspaces/{wid}/projects/{apollo}/tasks/999999",  # not held: the upstream's 404
            "/organizations/999999",
            "/me/tasks?per_page=0",  # the upstream's 400
        ],
    )


def test_workspace_projects_with_filters_order_and_paging(toggl: Toggl) -> None:
    t, wid = toggl, toggl.workspace_id
    made_now = catalog(t)
    acme, zeta = (c["id"] for c in made_now["clients"])
    ws = f"/workspaces/{wid}/projects"
    hits(
        t,
        [
            ws,
            f"{ws}?active=true",
            f"{ws}?active=false",
            f"{ws}?active=both&billable=true",
            f"{ws}?billable=false",
            f"{ws}?client_ids={acme}",
            f"{ws}?client_ids={acme},{zeta}&active=true",
            f"{ws}?name=o",
            f"{ws}?name={quote('CAFÉ')}",
            f"{ws}?page=2&per_page=3",
            f"{ws}?per_page=2&page=9",
            f"{ws}?sort_order=DESC",
            f"{ws}?sort_field=client_name",
            f"{ws}?sort_field=client_name&sort_order=desc",
            f"{ws}?sort_field=active&sort_order=DESC",
            f"{ws}?sort_field=billable",
            f"{ws}?sort_pinned=true",
            f"{ws}?sort_pinned=true&sort_field=name&sort_order=DESC",
        ],
    )
    bypasses(
        t,
        [
            f"{ws}?since={int(time.time()) - 60}",  # lists deleted projects, which are not held
            f"{ws}?sort_field=color",  # the upstream's 400
            f"{ws}?active=maybe",
        ],
    )
    # ordered by a stamp: answered when no two share a second, passed through otherwise;
    # equal either way
    for path in (f"{ws}?sort_field=at", f"{ws}?sort_field=created_at&sort_order=DESC"):
        same(t, path)
        assert same(t, path).headers[CACHE] in ("hit", "bypass")


def test_time_entries_with_meta_default_window_and_dates_outside_utc(toggl: Toggl) -> None:
    t = toggl
    made_now = catalog(t)
    assert made(t.direct("PUT", "/me", {"timezone": "America/New_York"}))
    apollo = made_now["projects"]["Apollo"]
    cafe = made_now["projects"]["Café Ç"]
    first = entry(t, at_noon(1), 3600, project_id=apollo["id"], task_id=made_now["tasks"][0]["id"])
    entry(t, at_noon(3), 1800, project_id=cafe["id"], tags=["deep"])
    entry(t, at_noon(6), 600)
    entry(t, at_noon(20), 900, project_id=apollo["id"])  # outside Toggl's default window
    entry(t, at_noon(30, hour=2), 900)  # 02:00 UTC: the day before, in New York
    running = made(
        t.direct(
            "POST",
            f"/workspaces/{t.workspace_id}/time_entries",
            {
                "workspace_id": t.workspace_id,
                "created_with": "elsewhere",
                "start": at_noon(0, hour=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "duration": -1,
                "project_id": apollo["id"],
            },
        )
    )
    day = datetime.now(UTC).date()
    week_ago = day - timedelta(days=7)
    hits(
        t,
        [
            "/me/time_entries",
            "/me/time_entries?meta=true",
            f"/me/time_entries/{first['id']}?meta=true",
            f"/me/time_entries/{running['id']}?meta=true",
            f"/me/time_entries?start_date={week_ago}&end_date={day - timedelta(days=2)}",
            f"/me/time_entries?start_date={day - timedelta(days=25)}&meta=true",
        ],
    )
    # changes since before the first fill: passed through, and kept, so they are held now
    since = f"/me/time_entries?since={int(time.time()) - 3600}"
    bypasses(t, [since])
    hits(t, [since, f"{since}&meta=true"])
    # 00:00 of that day in UTC and in New York fall either side of an entry: the mirror
    # cannot tell how the upstream places the date, so the read passes through
    unsure: date = day - timedelta(days=30)
    bypasses(t, [f"/me/time_entries?start_date={unsure}&end_date={day}"])


def test_a_before_answer_kept_lets_the_mirror_answer_everything_older(toggl: Toggl) -> None:
    t = toggl
    old = entry(t, at_noon(50), 1200)  # older than the mirror's first fill
    entry(t, at_noon(2), 1200)
    day = datetime.now(UTC).date()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    everything = f"/me/time_entries?before={tomorrow}"
    assert same(t, "/me/time_entries").headers[CACHE] == "miss"  # filled: the last 35 days
    older = f"/me/time_entries?start_date={day - timedelta(days=60)}&end_date={day}"
    bypasses(t, [f"/me/time_entries/{old['id']}", older, "/me?with_related_data=true"])
    # what those answered is kept: the entry itself, and a range reaching back 60 days
    hits(t, [older, f"/me/time_entries/{old['id']}"])
    bypasses(t, [everything])  # kept: every entry the account has
    hits(
        t,
        [
            everything,
            f"/me/time_entries?end_date={day}",
            f"/me/time_entries?start_date={day - timedelta(days=400)}&end_date={day}",
            "/me?with_related_data=true",
        ],
    )


def test_a_kept_catalog_answer_updates_what_the_mirror_holds(toggl: Toggl) -> None:
    t, wid = toggl, toggl.workspace_id
    project = made(t.direct("POST", f"/workspaces/{wid}/projects", {"name": "Kept"}))
    single = f"/workspaces/{wid}/projects/{project['id']}"
    hits(t, [single, f"/workspaces/{wid}/projects"])
    time.sleep(1.1)  # a later ``at``
    assert made(t.direct("PUT", single, {"color": "#0b83d9"}))
    changes = f"/workspaces/{wid}/projects?since={int(time.time()) - 600}"
    bypasses(t, [changes])
    answer = same(t, single)  # changed in place from what the last read answered
    assert answer.headers[CACHE] == "hit" and answer.json()["color"] == "#0b83d9"
    # a project the held listing does not know yet: placed in it by name
    assert made(t.direct("POST", f"/workspaces/{wid}/projects", {"name": "A newer one"}))
    bypasses(t, [changes])
    listed = same(t, f"/workspaces/{wid}/projects")
    assert listed.headers[CACHE] == "hit" and len(listed.json()) == 2
