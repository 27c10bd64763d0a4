"""Helpers for the tests of projects, clients, tags and tasks: urls, makers, key orders."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.core_helpers import API
from trackgate.runtime import Runtime

PROJECT_KEYS = [
    "id",
    "workspace_id",
    "client_id",
    "name",
    "is_private",
    "active",
    "at",
    "created_at",
    "server_deleted_at",
    "color",
    "billable",
    "template",
    "auto_estimates",
    "estimated_hours",
    "estimated_seconds",
    "rate",
    "rate_last_updated",
    "currency",
    "recurring",
    "template_id",
    "recurring_parameters",
    "fixed_fee",
    "actual_hours",
    "actual_seconds",
    "tasks_count",
    "can_track_time",
    "start_date",
    "status",
    "wid",
    "cid",
    "is_shared",
    "pinned",
]
CLIENT_KEYS = ["id", "wid", "archived", "name", "at", "creator_id", "notes"]
TAG_KEYS = ["id", "workspace_id", "name", "at", "creator_id"]
# models.Task in Toggl's published spec
TASK_FIELDS = {
    "active",
    "at",
    "client_name",
    "estimated_seconds",
    "id",
    "integration_ext_id",
    "integration_ext_type",
    "integration_provider",
    "name",
    "permissions",
    "project_billable",
    "project_color",
    "project_id",
    "project_name",
    "rate",
    "rate_last_updated",
    "recurring",
    "toggl_accounts_id",
    "tracked_seconds",
    "user_id",
    "workspace_id",
}
SECONDS_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
PRECISE_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
SINCE_AFTER_LONG_AGO = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp())


def ws_url(person: Person, *rest: object, workspace_id: int | None = None) -> str:
    wid = person.workspace_id if workspace_id is None else workspace_id
    return f"{API}/workspaces/{wid}" + "".join(f"/{part}" for part in rest)


def _ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def make_project(
    client: TestClient, person: Person, name: str, in_workspace: int | None = None, **fields: Any
) -> dict[str, Any]:
    url = ws_url(person, "projects", workspace_id=in_workspace)
    r = client.post(url, json={"name": name, **fields}, headers=person.auth)
    body: dict[str, Any] = _ok(r)
    return body


def make_client(client: TestClient, person: Person, name: str, **fields: Any) -> dict[str, Any]:
    r = client.post(ws_url(person, "clients"), json={"name": name, **fields}, headers=person.auth)
    body: dict[str, Any] = _ok(r)
    return body


def make_tag(client: TestClient, person: Person, name: str) -> dict[str, Any]:
    r = client.post(ws_url(person, "tags"), json={"name": name}, headers=person.auth)
    body: dict[str, Any] = _ok(r)
    return body


def make_task(
    client: TestClient, person: Person, project_id: int, name: str, **fields: Any
) -> dict[str, Any]:
    url = ws_url(person, "projects", project_id, "tasks")
    body: dict[str, Any] = _ok(client.post(url, json={"name": name, **fields}, headers=person.auth))
    return body


def backdate(runtime: Runtime, model: type[Any], *ids: int) -> None:
    """Move the objects' ``at`` to 2020, so a ``since`` in 2021 leaves them out."""
    with runtime.db.write() as session:
        for object_id in ids:
            found = session.get(model, object_id)
            assert found is not None
            found.at = LONG_AGO
