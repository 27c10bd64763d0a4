"""Small helpers shared by the service's core tests: paths, a timer, and the wire checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import Person
from trackgate.service import passwords

API = "/api/v9"
JSON_TYPE = "application/json; charset=utf-8"

ENTRY_KEYS = [
    "id",
    "workspace_id",
    "project_id",
    "task_id",
    "billable",
    "start",
    "stop",
    "duration",
    "description",
    "tags",
    "tag_ids",
    "duronly",
    "at",
    "server_deleted_at",
    "user_id",
    "uid",
    "wid",
]


def instant(stamp: str) -> datetime:
    """A wire timestamp as a datetime: compare instants, not strings ("56.5Z" < "56Z")."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def entries_url(person: Person, *rest: object) -> str:
    tail = "".join(f"/{part}" for part in rest)
    return f"{API}/workspaces/{person.workspace_id}/time_entries{tail}"


def create_entry(client: TestClient, person: Person, **fields: Any) -> dict[str, Any]:
    """POST a time entry (defaults: a one-hour entry in the person's workspace); 200 expected."""
    body: dict[str, Any] = {
        "workspace_id": person.workspace_id,
        "created_with": "trackgate-tests",
        "start": "2024-12-16T01:00:00Z",
        "duration": 3600,
    }
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not ...}
    r = client.post(entries_url(person), json=body, headers=person.auth)
    assert r.status_code == 200, r.text
    entry: dict[str, Any] = r.json()
    return entry


def assert_error(r: Response, status: int, message: str | None = None) -> str:
    """A Toggl error: the status, a JSON string body, Toggl's content type."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == JSON_TYPE, r.headers
    body = json.loads(r.content)
    assert isinstance(body, str) and body, r.text
    if message is not None:
        assert body == message
    return body


@pytest.fixture(scope="module", autouse=True)
def cheap_hashing() -> Iterator[None]:
    """argon2 at production cost spends ~0.25 s a hash; these tests need its behaviour only.

    Autouse in every module that imports it (module scope, so module fixtures benefit too).
    """
    with pytest.MonkeyPatch.context() as patch:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        patch.setattr(passwords, "_hasher", cheap)
        yield
