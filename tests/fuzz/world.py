"""Two tenants for the fuzz run: ``a`` is the caller, ``b`` the neighbour whose data carries a
marker that must never show up in an answer to ``a`` (or to nobody)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.proxy.helpers import Account, make_account, make_connection
from trackgate.runtime import Runtime

MARKER = "zq-bee"


@dataclass
class Tenant:
    person: Person
    account: Account
    connection_ids: list[str]
    ids: dict[str, list[int]] = field(default_factory=dict)


def _made(client: TestClient, person: Person, path: str, body: dict[str, Any]) -> int:
    r = client.post(
        f"/api/v9/workspaces/{person.workspace_id}/{path}", json=body, headers=person.auth
    )
    assert r.status_code == 200, r.text
    made: int = r.json()["id"]
    return made


def populate(client: TestClient, person: Person, label: str) -> dict[str, list[int]]:
    """A project with a task, a client, a tag and two time entries, named with ``label``."""
    project = _made(client, person, "projects", {"name": f"{label} project"})
    task = _made(client, person, f"projects/{project}/tasks", {"name": f"{label} task"})
    customer = _made(client, person, "clients", {"name": f"{label} client"})
    tag = _made(client, person, "tags", {"name": f"{label} tag"})
    entries = [
        _made(
            client,
            person,
            "time_entries",
            {
                "description": f"{label} entry",
                "start": "2026-01-05T09:00:00Z",
                "duration": duration,
                "project_id": project,
                "created_with": "fuzz",
                "workspace_id": person.workspace_id,
            },
        )
        for duration in (3600, -1)
    ]
    return {
        "workspace_id": [person.workspace_id],
        "project_id": [project],
        "task_id": [task],
        "client_id": [customer],
        "tag_id": [tag],
        "time_entry_id": entries,
        "user_id": [person.id],
    }


def tenant(runtime: Runtime, client: TestClient, label: str) -> Tenant:
    person = make_user(
        runtime, email=f"{label}-{uuid.uuid4().hex[:8]}@example.com", fullname=f"{label} person"
    )
    account = make_account(runtime, label)
    details = {"email": person.email, "fullname": person.me["fullname"], "user_id": person.id}
    active = make_connection(runtime, account.account_id, person.token, details=details)
    r = client.post("/connections", json={"app": "toggl-track"}, headers=account.bearer)
    assert r.status_code == 200, r.text
    pending = r.json()["connection"]["connection_id"]
    return Tenant(person, account, [active, pending], populate(client, person, label))


SNAPSHOT_PATHS = (
    "/api/v9/me?with_related_data=true",
    "/api/v9/me/workspaces",
    "/api/v9/me/projects?include_archived=true",
    "/api/v9/me/clients",
    "/api/v9/me/tags",
    "/api/v9/me/tasks?include_not_active=true",
    "/api/v9/me/time_entries?start_date=2026-01-01&end_date=2026-12-31",
)


def snapshot(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    """What the tenant itself sees of its data and connections: nobody else may change it."""
    seen: dict[str, Any] = {}
    for path in SNAPSHOT_PATHS:
        r = client.get(path, headers=tenant.person.auth)
        assert r.status_code == 200, (path, r.text)
        seen[path] = r.json()
    r = client.get("/connections", headers=tenant.account.bearer)
    assert r.status_code == 200, r.text
    seen["/connections"] = sorted(
        (c["connection_id"], c["status"], c["last_updated_time"]) for c in r.json()["connections"]
    )
    return seen
