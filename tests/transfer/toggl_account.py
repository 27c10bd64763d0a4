"""A small Toggl account built over HTTP on a live `trackgate serve`, and what an import of it
must reproduce: listings and Reports API totals, read the same way on both sides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import LiveServer


@dataclass
class Account:
    token: str
    email: str
    workspace_id: int
    member_emails: list[str]


def cli(data_dir: Path, key_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKGATE_KEY_FILE": str(key_file), "TRACKGATE_DATA_DIR": str(data_dir)}
    env.pop("TRACKGATE_TEST_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args, "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _make_user(server: LiveServer, email: str, name: str, *extra: str) -> dict[str, Any]:
    made = server.cli(
        "users",
        "create",
        "--data-dir",
        str(server.data_dir),
        "--email",
        email,
        "--password",
        "secret123",
        "--fullname",
        name,
        *extra,
    )
    assert made.returncode == 0, made.stderr
    found: dict[str, Any] = json.loads(made.stdout)
    return found


def build_account(server: LiveServer, entries: int = 24) -> Account:
    """An owner in Europe/Berlin, two members (one with a non-ASCII name), clients, projects
    (a rate, a colour, an archived one), tags, tasks, project users and entries over 2 years."""
    tag = uuid.uuid4().hex[:8]
    owner_email = f"owner-{tag}@example.com"
    owner = _make_user(server, owner_email, "Ówner Zoë", "--timezone", "Europe/Berlin")
    wid = int(owner["default_workspace_id"])
    members = [f"ana-{tag}@example.com", f"bjorn-{tag}@example.com"]
    people = [owner]
    for email, name in zip(members, ["Ana Añorve", "Björn 山田"], strict=True):
        people.append(_make_user(server, email, name, "--workspace", str(wid)))
    api = httpx.Client(
        base_url=f"{server.url}/api/v9", auth=(str(owner["api_token"]), "api_token"), timeout=60
    )

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = api.post(path, json=body)
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer

    w = f"/workspaces/{wid}"
    client = post(w + "/clients", {"name": "Kunde Müller"})
    projects = [
        post(
            w + "/projects",
            {
                "name": "Website",
                "client_id": client["id"],
                "active": True,
                "billable": True,
                "rate": 80,
                "color": "#c9806b",
                "is_private": False,
            },
        ),
        post(w + "/projects", {"name": "社内", "active": True, "is_private": False}),
        post(w + "/projects", {"name": "Old", "active": True, "is_private": False}),
    ]
    task = post(w + f"/projects/{projects[0]['id']}/tasks", {"name": "Design"})
    tags = [post(w + "/tags", {"name": n}) for n in ("urgent", "café")]
    for person in people[1:]:
        post(w + "/project_users", {"project_id": projects[0]["id"], "user_id": person["id"]})
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=700)
    for i in range(entries):
        person = people[i % len(people)]
        begin = start + timedelta(days=i * 29, hours=i % 5)
        project = projects[i % 3] if i % 4 else None
        body: dict[str, Any] = {
            "description": f"work {i} – ü",
            "start": begin.isoformat().replace("+00:00", "Z"),
            "duration": 1800 + 600 * (i % 7),
            "workspace_id": wid,
            "created_with": "tests",
            "billable": i % 2 == 0,
            "tag_ids": [tags[i % 2]["id"]] if i % 3 else [],
            "user_id": person["id"],
        }
        if project is not None:
            body["project_id"] = project["id"]
            if project is projects[0] and i % 2:
                body["task_id"] = task["id"]
        r = httpx.post(
            f"{server.url}/api/v9{w}/time_entries",
            json=body,
            auth=(str(person["api_token"]), "api_token"),
            timeout=60,
        )
        assert r.status_code == 200, r.text
    archived = api.put(w + f"/projects/{projects[2]['id']}", json={"active": False})
    assert archived.status_code == 200, archived.text
    api.close()
    return Account(str(owner["api_token"]), owner_email, wid, members)


def token_of(data_dir: Path, key_file: Path, email: str) -> str:
    done = cli(data_dir, key_file, "users", "reset-token", "--email", email)
    assert done.returncode == 0, done.stderr
    token: str = json.loads(done.stdout)["api_token"]
    return token


def snapshot(url: str, token: str) -> dict[str, Any]:
    """What a user sees: listings by name and every report total, ids replaced by names so two
    services compare equal."""
    api = httpx.Client(base_url=url, auth=(token, "api_token"), timeout=60)
    me = api.get("/api/v9/me", params={"with_related_data": "true"}).json()
    wid = me["default_workspace_id"]
    projects = {p["id"]: p["name"] for p in me["projects"]}
    clients = {c["id"]: c["name"] for c in me["clients"]}
    tags = {t["id"]: t["name"] for t in me["tags"]}
    users = {
        u["id"]: u["email"] for u in api.get(f"/api/v9/workspaces/{wid}/workspace_users").json()
    }
    tasks = {
        t["id"]: t["name"]
        for t in api.get("/api/v9/me/tasks", params={"include_not_active": "true"}).json()
    }
    out: dict[str, Any] = {
        "projects": sorted(
            (
                p["name"],
                p["active"],
                p["color"],
                p["rate"],
                p["billable"],
                clients.get(p["client_id"]),
            )
            for p in me["projects"]
        ),
        "clients": sorted(clients.values()),
        "tags": sorted(tags.values()),
        "tasks": sorted(tasks.values()),
        "users": sorted(users.values()),
    }
    names = {"projects": projects, "users": users, "clients": clients, "tags": tags}
    first = (datetime.now(UTC) - timedelta(days=730)).date()
    for year in range(first.year, datetime.now(UTC).year + 1):
        body = {"start_date": f"{year}-01-01", "end_date": f"{year}-12-31"}
        for grouping in ("projects", "users"):
            summary = api.post(
                f"/reports/api/v3/workspace/{wid}/summary/time_entries",
                json={**body, "grouping": grouping, "sub_grouping": "time_entries"},
            )
            assert summary.status_code == 200, summary.text
            out[f"{year} by {grouping}"] = sorted(
                (names[grouping].get(g["id"]) or "-", sum(s["seconds"] for s in g["sub_groups"]))
                for g in summary.json()["groups"]
            )
        by_tag = api.post(
            f"/reports/api/v3/workspace/{wid}/summary/time_entries",
            json={**body, "grouping": "projects", "sub_grouping": "tags"},
        ).json()
        out[f"{year} by tag"] = sorted(
            (tags.get(s["id"]) or "-", s["seconds"])
            for g in by_tag["groups"]
            for s in g["sub_groups"]
        )
        totals = api.post(
            f"/reports/api/v3/workspace/{wid}/search/time_entries/totals",
            json={**body, "granularity": "day"},
        )
        assert totals.status_code == 200, totals.text
        out[f"{year} per day"] = [g["seconds"] for g in totals.json()["graph"]]
        out[f"{year} seconds"] = totals.json()["seconds"]
    api.close()
    return out
