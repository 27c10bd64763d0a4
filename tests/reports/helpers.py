"""Helpers for the report tests: a team workspace, entries made through the v9 API, report calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import Person, make_user
from tests.service.core_helpers import API, JSON_TYPE
from trackgate.runtime import Runtime
from trackgate.storage.models import Task, User, WorkspaceMember

REPORTS = "/reports/api/v3"


@dataclass
class Team:
    """``admin`` owns the workspace; ``member`` and ``other`` are plain members of it."""

    client: TestClient
    runtime: Runtime
    admin: Person
    member: Person
    other: Person
    workspace_id: int

    def url(self, tail: str) -> str:
        return f"{REPORTS}/workspace/{self.workspace_id}/{tail}"

    def report(self, person: Person, tail: str, **body: Any) -> Response:
        return self.client.post(self.url(tail), json=body, headers=person.auth)

    def ok(self, person: Person, tail: str, **body: Any) -> Any:
        r = self.report(person, tail, **body)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == JSON_TYPE
        return r.json()

    def entry(self, person: Person, start: str, seconds: int, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "workspace_id": self.workspace_id,
            "created_with": "trackgate-tests",
            "start": start,
            "duration": seconds,
        }
        body.update(fields)
        url = f"{API}/workspaces/{self.workspace_id}/time_entries"
        r = self.client.post(url, json=body, headers=person.auth)
        assert r.status_code == 200, r.text
        made: dict[str, Any] = r.json()
        return made

    def project(self, name: str, **fields: Any) -> dict[str, Any]:
        url = f"{API}/workspaces/{self.workspace_id}/projects"
        body = {"name": name, "active": True, "is_private": False, **fields}
        r = self.client.post(url, json=body, headers=self.admin.auth)
        assert r.status_code == 200, r.text
        made: dict[str, Any] = r.json()
        return made

    def client_named(self, name: str) -> dict[str, Any]:
        url = f"{API}/workspaces/{self.workspace_id}/clients"
        r = self.client.post(url, json={"name": name}, headers=self.admin.auth)
        assert r.status_code == 200, r.text
        made: dict[str, Any] = r.json()
        return made

    def task(self, project_id: int, name: str, rate: float | None = None) -> int:
        url = f"{API}/workspaces/{self.workspace_id}/projects/{project_id}/tasks"
        r = self.client.post(url, json={"name": name}, headers=self.admin.auth)
        assert r.status_code == 200, r.text
        task_id: int = r.json()["id"]
        if rate is not None:  # the v9 API has no task rates; Toggl sets them in its web app
            with self.runtime.db.write() as session:
                task = session.get(Task, task_id)
                assert task is not None
                task.rate = rate
        return task_id

    def workspace(self, **fields: Any) -> None:
        url = f"{API}/workspaces/{self.workspace_id}"
        r = self.client.put(url, json=fields, headers=self.admin.auth)
        assert r.status_code == 200, r.text


def join_workspace(
    runtime: Runtime, person: Person, workspace_id: int, admin: bool = False
) -> None:
    with runtime.db.write() as session:
        role = "admin" if admin else "member"
        session.add(
            WorkspaceMember(workspace_id=workspace_id, user_id=person.id, admin=admin, role=role)
        )


def set_calendar(runtime: Runtime, person: Person, timezone: str, beginning_of_week: int) -> None:
    with runtime.db.write() as session:
        user = session.get(User, person.id)
        assert user is not None
        user.timezone = timezone
        user.beginning_of_week = beginning_of_week


def make_team(client: TestClient, runtime: Runtime) -> Team:
    admin = make_user(runtime, fullname="Ada Admin")
    member = make_user(runtime, fullname="Mo Member")
    other = make_user(runtime, fullname="Olu Other")
    for person in (member, other):
        join_workspace(runtime, person, admin.workspace_id)
    return Team(client, runtime, admin, member, other, admin.workspace_id)


def assert_toggl_error(r: Response, status: int, contains: str | None = None) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == JSON_TYPE, r.headers
    body = json.loads(r.content)
    assert isinstance(body, str) and body, r.text
    if contains is not None:
        assert contains in body, body
    return body
