"""Every error of the service is Toggl's: a 4xx whose body is one JSON string, spelled
``application/json; charset=utf-8`` — never a 500, an object, or a stack trace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import _SESSION_KEY, TEST_DATABASE_URL, Person, basic, make_user
from tests.service.core_helpers import (
    API,
    JSON_TYPE,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from trackgate.app import create_app
from trackgate.config import load_settings
from trackgate.runtime import Runtime, build_runtime

HUGE = 10**30
NO_ENTRY = "Time entry not found"


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {wid} and {eid} are filled in; {other} is another user's workspace
    status: int
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True
    toggl_message: str | None = None  # Toggl's own words, where they are known

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


ENTRY = {"workspace_id": "{wid}", "created_with": "t", "start": "2024-12-16T01:00:00Z"}


def entry(**changes: Any) -> dict[str, Any]:
    return {**ENTRY, **changes}


CASES = [
    # auth
    Case("GET", "/me", 403, headers=basic("nobody@example.com", "nope")),
    Case("GET", "/me/time_entries", 403, headers={"Authorization": "Basic %%%"}),
    # routing
    Case("GET", "/no/such/route", 404),
    Case("DELETE", "/me", 405),
    Case("GET", "/me/time_entries/abc", 400),
    Case("GET", "/me/time_entries/1.5", 400),
    Case("GET", f"/me/time_entries/{HUGE}", 400),
    Case("GET", "/me/time_entries/987654321", 404, toggl_message=NO_ENTRY),
    Case("GET", "/workspaces/abc", 400),
    Case("GET", f"/workspaces/{HUGE}", 400),
    Case("GET", "/workspaces/{other}", 403),
    Case("GET", "/workspaces/{other}/users", 403),
    Case("PUT", "/workspaces/{wid}/time_entries/abc", 400, json={"description": "x"}),
    Case("PUT", f"/workspaces/{{wid}}/time_entries/{HUGE}", 400, json={"description": "x"}),
    Case("PATCH", "/workspaces/{wid}/time_entries/abc/stop", 400),
    Case("PATCH", "/workspaces/{wid}/time_entries/987654321/stop", 404, toggl_message=NO_ENTRY),
    Case(
        "PATCH",
        "/workspaces/{wid}/time_entries/{eid}/stop",
        409,
        toggl_message="Time entry already stopped",
    ),
    Case("DELETE", "/workspaces/{wid}/time_entries/987654321", 404, toggl_message=NO_ENTRY),
    Case("DELETE", "/workspaces/{wid}/time_entries/x", 400),
    Case("POST", f"/workspaces/{HUGE}/time_entries", 400, json=entry()),
    Case("POST", "/workspaces/{other}/time_entries", 403, json=entry()),
    # bodies that are not what they should be
    Case("POST", "/workspaces/{wid}/time_entries", 400, content=b"{not json"),
    Case(
        "POST",
        "/workspaces/{wid}/time_entries",
        400,
        content=b'{"workspace_id": "{wid}"}',
        headers={"Content-Type": "text/plain"},
    ),
    Case("POST", "/workspaces/{wid}/time_entries", 400, content=b""),
    Case("POST", "/workspaces/{wid}/time_entries", 400, content=b"\xff\xfe\x00"),
    Case(
        "POST",
        "/workspaces/{wid}/time_entries",
        400,
        content=b"description=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=[entry()]),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json="entry"),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=None),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(duration="abc")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(duration=1.5)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(duration=HUGE)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(duration=-HUGE)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(billable="yes")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(billable=1)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(workspace_id="{wid}x")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(workspace_id=HUGE)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(project_id=HUGE)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(project_id=987654321)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(task_id=HUGE)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(tag_ids=[HUGE])),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(tag_ids="1")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(tags="focus")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(tags=[1])),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(description=12)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(description="a\x00b")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(created_with="x" * 256)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(description="\ud800")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(tags=["\udfff"])),
    Case("POST", "/workspaces/{wid}/time_entries", 400, content=b"[" * 50_000 + b"]" * 50_000),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(created_with="")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(start="yesterday")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(start="2024-12-16T01:00:00")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(start=1734310800)),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(start="2024-02-30")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(stop="soon")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(uid="me")),
    Case("POST", "/workspaces/{wid}/time_entries", 400, json=entry(tag_action="merge")),
    Case("PUT", "/workspaces/{wid}/time_entries/{eid}", 400, json=[1, 2]),
    Case("PUT", "/workspaces/{wid}/time_entries/{eid}", 400, content=b"[1, 2"),
    Case("PUT", "/workspaces/{wid}/time_entries/{eid}", 400, json={"start": "x"}),
    Case("PUT", "/workspaces/{wid}/time_entries/{eid}", 400, json={"project_id": HUGE}),
    Case("PUT", "/workspaces/{wid}/time_entries/{eid}", 400, json={"workspace_id": "{other}"}),
    Case("PUT", "/workspaces/{wid}/time_entries/{eid}", 400, json={"tag_ids": [987654321]}),
    Case("PUT", "/workspaces/{wid}/time_entries/987654321", 404, json={"description": "x"}),
    Case("PATCH", "/workspaces/{wid}/time_entries/{eid}", 400, json={"op": "replace"}),
    Case("PATCH", "/workspaces/{wid}/time_entries/{eid}", 400, content=b"[{"),
    Case("PATCH", "/workspaces/{wid}/time_entries/" + ",".join(["1"] * 101), 400, json=[]),
    # /me and workspaces
    Case("GET", "/me?with_related_data=perhaps", 400),
    Case("PUT", "/me", 400, content=b"nope"),
    Case("PUT", "/me", 400, json=[]),
    Case("PUT", "/me", 400, json={"timezone": "Nowhere/Special"}),
    Case("PUT", "/me", 400, json={"timezone": 5}),
    Case("PUT", "/me", 400, json={"beginning_of_week": "monday"}),
    Case("PUT", "/me", 400, json={"country_id": HUGE}),
    Case("PUT", "/me", 400, json={"fullname": "a\x00b"}),
    Case("PUT", "/me", 400, content=b'{"fullname": "\\ud800"}'),
    Case("PUT", "/workspaces/{wid}", 400, content=b'{"name": "\\ud800"}'),
    Case(
        "PATCH",
        "/workspaces/{wid}/time_entries/{eid}",
        400,
        content=b'[{"op": "replace", "path": "/description", "value": "\\ud800"}]',
    ),
    Case("GET", "/me/workspaces?since=never", 400),
    Case("PUT", "/workspaces/{wid}", 400, json={"rounding": HUGE}),
    Case("PUT", "/workspaces/{wid}", 400, json={"name": None, "default_currency": 5}),
    Case("PUT", "/workspaces/{wid}", 400, content=b"{]"),
    Case("PUT", "/workspaces/{other}", 403, json={"name": "x"}),
    # listing
    Case("GET", "/me/time_entries?since=1&before=2024-01-01", 400),
    Case("GET", "/me/time_entries?since=abc", 400),
    Case("GET", "/me/time_entries?since=" + "9" * 5000, 400),
    Case("GET", "/me/time_entries?start_date=2024-12-31&end_date=2024-01-01", 400),
    Case("GET", "/me/time_entries?meta=sure", 400),
    Case("GET", "/me/time_entries/987654321?meta=true", 404),
]


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        filled = value.format(**names)
        return int(filled) if value in ("{wid}", "{other}", "{eid}") else filled
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@dataclass(frozen=True)
class World:
    """One server and two users for every case: no case changes anything."""

    client: TestClient
    user: Person
    names: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("error-shape")
    settings = load_settings(
        {},
        data_dir=tmp / "data",
        key_file=tmp / "config" / "secret.key",
        database_url=TEST_DATABASE_URL,
        secret_key=_SESSION_KEY if TEST_DATABASE_URL else None,
        auth_failure_limit="1000/minute",
    )
    runtime: Runtime = build_runtime(settings)
    user, other = make_user(runtime), make_user(runtime)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        r = client.post(
            f"{API}/workspaces/{user.workspace_id}/time_entries",
            json={
                "workspace_id": user.workspace_id,
                "created_with": "t",
                "start": "2024-12-16T01:00:00Z",
                "duration": 60,
            },
            headers=user.auth,
        )
        names = {
            "wid": str(user.workspace_id),
            "other": str(other.workspace_id),
            "eid": str(r.json()["id"]),
        }
        yield World(client, user, names)
    runtime.close()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_error_shape(world: World, case: Case) -> None:
    client, user, names = world.client, world.user, world.names
    headers = {**(user.auth if case.auth else {}), **case.headers}
    kwargs: dict[str, Any] = {"headers": headers}
    if case.content is not None:
        kwargs["content"] = case.content
    elif case.json is not None or case.method in ("POST", "PUT", "PATCH"):
        kwargs["content"] = json.dumps(_fill(case.json, names)).encode()
    if "content" in kwargs:
        headers.setdefault("Content-Type", "application/json")
    r = client.request(case.method, API + case.path.format(**names), **kwargs)
    assert r.status_code == case.status, r.text
    assert r.headers["content-type"] == JSON_TYPE
    body = json.loads(r.content)
    assert isinstance(body, str) and body.strip(), r.text
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()
    assert user.token not in r.text and user.password not in r.text
    if case.toggl_message is not None:
        assert body == case.toggl_message


def test_an_unexpected_failure_is_a_500_json_string_without_details(
    client: TestClient, user: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trackgate.service.routes import me

    def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("password=hunter2 leaked into an exception")

    monkeypatch.setattr(me, "workspaces_json", explode)
    r = client.get(f"{API}/me/workspaces", headers=user.auth)
    assert r.status_code == 500
    assert r.headers["content-type"] == JSON_TYPE
    assert r.json() == "Internal Server Error"
    assert "hunter2" not in r.text
