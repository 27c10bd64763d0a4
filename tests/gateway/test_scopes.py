"""Scoped keys: every operation of the service's own OpenAPI document, and a few paths it does
not serve, sent through the gateway with a key of each scope, get exactly the allow or deny
that the scope table says -- decided before the upstream is called."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.proxy.helpers import make_connection
from trackgate.app import create_app
from trackgate.crypto import digest
from trackgate.gateway import scopes
from trackgate.gateway.keys import create_account, issue_key
from trackgate.runtime import Runtime, build_runtime

GW = "/toggl-track"
SERVICE_ROOTS = ("/api/v9/", "/reports/api/v3/")
METHODS = ("get", "put", "post", "patch", "delete")


@dataclass
class Scoped:
    client: TestClient
    runtime: Runtime
    user: Person
    #: scope name (or "all") -> bearer headers of a key with only that scope
    keys: dict[str, dict[str, str]]
    ids: dict[str, Any]


def _key(runtime: Runtime, account_id: str, granted: frozenset[str]) -> dict[str, str]:
    with runtime.db.write() as session:
        issued = issue_key(session, account_id, scopes=granted)
    return {"Authorization": f"Bearer {issued.api_key}"}


def _made(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def scoped(runtime: Runtime, user: Person) -> Iterator[Scoped]:
    """A gateway (limits out of the way) with one account, a connection to ``user`` granting
    everything, a key of each single scope, and real objects to name in paths."""
    relaxed = build_runtime(dataclasses.replace(runtime.settings, rate_limit="100000/second"))
    try:
        with TestClient(create_app(relaxed), raise_server_exceptions=False) as client:
            with relaxed.db.write() as session:
                account_id = create_account(session, "scoped").id
            make_connection(relaxed, account_id, user.token)
            keys = {name: _key(relaxed, account_id, frozenset({name})) for name in scopes.NAMES}
            keys["all"] = _key(relaxed, account_id, scopes.ALL)
            ids = _objects(client, user)
            yield Scoped(client, relaxed, user, keys, ids)
    finally:
        relaxed.close()


def _objects(client: TestClient, user: Person) -> dict[str, Any]:
    """Real ids for the path parameters, made straight on the service."""
    wid = user.workspace_id
    api = f"/api/v9/workspaces/{wid}"
    auth = user.auth
    workspace = _made(client.get(api, headers=auth))
    project = _made(client.post(f"{api}/projects", json={"name": "Scoped"}, headers=auth))
    client_ = _made(client.post(f"{api}/clients", json={"name": "Acme"}, headers=auth))
    tag = _made(client.post(f"{api}/tags", json={"name": "deep"}, headers=auth))
    task = _made(
        client.post(f"{api}/projects/{project['id']}/tasks", json={"name": "T"}, headers=auth)
    )
    entry = _made(
        client.post(
            f"{api}/time_entries",
            json={
                "workspace_id": wid,
                "created_with": "tests",
                "start": "2026-01-05T09:00:00Z",
                "duration": 600,
                "description": "scoped",
            },
            headers=auth,
        )
    )
    members = _made(client.get(f"{api}/workspace_users", headers=auth))
    project_users = _made(client.get(f"{api}/project_users", headers=auth))
    return {
        "workspace_id": wid,
        "organization_id": workspace["organization_id"],
        "project_id": project["id"],
        "project_ids": project["id"],
        "client_id": client_["id"],
        "tag_id": tag["id"],
        "task_id": task["id"],
        "task_ids": task["id"],
        "time_entry_id": entry["id"],
        "time_entry_ids": entry["id"],
        "workspace_user_id": members[0]["id"],
        "project_user_id": project_users[0]["id"],
        "client": "desktop",
        "code": "no-such-invitation",
    }


def _operations(client: TestClient) -> list[tuple[str, str]]:
    """(method, path template) of every operation the embedded service documents."""
    document = _made(client.get("/openapi.json"))
    found = [
        (method.upper(), template)
        for template, item in document["paths"].items()
        if template.startswith(SERVICE_ROOTS)
        for method in METHODS
        if method in item
    ]
    assert len(found) > 80, "the service's operations are all in the document"
    return found


def _filled(template: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"no id for {{{name}}} in {template}: add one to _objects"
        return str(ids[name])

    return re.sub(r"\{([^}]+)\}", value, template)


def _issue_rule(method: str, template: str) -> str:
    """The scopes as the issue defines them, stated apart from the table: reading is
    ``read``; time entries ``time:write``; projects, clients, tags and tasks
    ``catalog:write``; everything else ``admin``."""
    if method == "GET" or template.startswith("/reports/api/v3/"):
        return scopes.READ
    if template.endswith("/users/data"):  # a lookup of users by id: a POST that reads
        return scopes.READ
    if template.startswith("/api/v9/workspaces/") and "/time_entries" in template:
        return scopes.TIME_WRITE
    resource = re.match(r"/api/v9/workspaces/\{workspace_id\}/(\w+)", template)
    if resource and resource.group(1) in ("projects", "clients", "tags", "tasks"):
        return scopes.CATALOG_WRITE
    return scopes.ADMIN


def _send(scoped: Scoped, key: str, method: str, path: str) -> Any:
    body = None if method in ("GET", "DELETE") else b"{}"
    headers = {**scoped.keys[key], "Content-Type": "application/json"}
    return scoped.client.request(method, GW + path, headers=headers, content=body)


def _refused(answer: Any) -> dict[str, Any] | None:
    """The insufficient_scope body, if that is what the gateway answered."""
    if answer.status_code != 403:
        return None
    try:
        body = answer.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("error") == "insufficient_scope":
        return body
    return None


def _check(scoped: Scoped, key: str, method: str, path: str, required: str) -> str | None:
    """None if the gateway decided as the table says, else what went wrong."""
    answer = _send(scoped, key, method, path)
    refused = _refused(answer)
    granted = scopes.ALL if key == "all" else frozenset({key})
    if required in granted:
        if refused is not None:
            return f"{key} key: {method} {path} refused, but {required} allows it"
        return None
    if refused is None:
        return f"{key} key: {method} {path} answered {answer.status_code}, needs {required}"
    if set(refused) != {"error", "required", "message"} or refused["required"] != required:
        return f"{key} key: {method} {path} refused with {refused}"
    if not refused["message"] or answer.headers.get("content-type") != "application/json":
        return f"{key} key: {method} {path} refusal has no message or is not JSON"
    return None


def test_every_operation_of_the_service_gets_the_tables_decision(scoped: Scoped) -> None:
    wrong: list[str] = []
    operations = _operations(scoped.client)
    for method, template in operations:
        path = _filled(template, scoped.ids)
        required = scopes.needed(method, path)
        assert required == scopes.needed(method, template), template
        assert required == _issue_rule(method, template), f"{method} {template}"
        # the destructive calls last within each key's walk would hide nothing: only the
        # gateway's decision is checked, and it comes before the upstream answers
        for key in (*scopes.NAMES, "all"):
            problem = _check(scoped, key, method, path, required)
            if problem:
                wrong.append(problem)
    assert not wrong, "\n".join(wrong)
    # every scope is needed by some operation, so none is dead weight
    assert {scopes.needed(m, t) for m, t in operations} == scopes.ALL


def _unserved(wid: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/api/v9/nothing_here"),
        ("POST", f"/api/v9/workspaces/{wid}/nothing_here"),
        ("GET", f"/webhooks/api/v1/subscriptions/{wid}"),
        ("POST", f"/webhooks/api/v1/subscriptions/{wid}"),
        ("DELETE", "/api/v9/me"),
        ("PATCH", f"/api/v9/workspaces/{wid}/tags/1"),
        ("POST", f"/reports/api/v3/workspace/{wid}/nothing_here"),
    ]


def test_paths_the_table_does_not_know_need_admin(scoped: Scoped) -> None:
    wrong: list[str] = []
    for method, path in _unserved(scoped.user.workspace_id):
        assert scopes.needed(method, path) == scopes.ADMIN
        for key in (*scopes.NAMES, "all"):
            problem = _check(scoped, key, method, path, scopes.ADMIN)
            if problem:
                wrong.append(problem)
    assert not wrong, "\n".join(wrong)
    # allowed, the call reaches the upstream, which does not serve it
    answer = _send(scoped, scopes.ADMIN, "GET", "/api/v9/nothing_here")
    assert answer.status_code == 404


def test_a_refused_call_never_reaches_the_upstream(scoped: Scoped) -> None:
    wid = scoped.user.workspace_id
    before = _made(scoped.client.get(f"/api/v9/workspaces/{wid}", headers=scoped.user.auth))
    for key in (scopes.READ, scopes.TIME_WRITE, scopes.CATALOG_WRITE):
        renamed = scoped.client.put(
            f"{GW}/api/v9/workspaces/{wid}", json={"name": "Taken over"}, headers=scoped.keys[key]
        )
        assert _refused(renamed) == {
            "error": "insufficient_scope",
            "required": "admin",
            "message": renamed.json()["message"],
        }
    after = _made(scoped.client.get(f"/api/v9/workspaces/{wid}", headers=scoped.user.auth))
    assert after["name"] == before["name"]
    done = scoped.client.put(
        f"{GW}/api/v9/workspaces/{wid}", json={"name": "Renamed"}, headers=scoped.keys["admin"]
    )
    assert done.status_code == 200 and done.json()["name"] == "Renamed"


def test_the_scope_check_comes_before_the_credential_guard(scoped: Scoped) -> None:
    """A key that may not touch the profile learns that, not how the guard judges it."""
    reset = _send(scoped, scopes.READ, "POST", "/api/v9/me/reset_token")
    assert _refused(reset) is not None
    guarded = _send(scoped, scopes.ADMIN, "POST", "/api/v9/me/reset_token")
    assert guarded.status_code == 403 and guarded.json()["error"]["code"] == "forbidden"


def test_the_control_api_is_open_to_every_key(scoped: Scoped) -> None:
    for key in scopes.NAMES:
        headers = scoped.keys[key]
        listed = scoped.client.get("/connections", headers=headers)
        assert listed.status_code == 200, (key, listed.text)


def test_a_key_is_judged_with_its_scopes_from_the_cache(scoped: Scoped) -> None:
    """Scopes live in the key cache with the key, so judging a call reads no key row."""
    read_key = scoped.keys[scopes.READ]
    assert scoped.client.get(f"{GW}/api/v9/me", headers=read_key).status_code == 200
    api_key = read_key["Authorization"].removeprefix("Bearer ")
    state = scoped.client.app.state.gateway  # type: ignore[attr-defined]
    cached = state.keys.cache.get(digest(api_key))
    assert cached is not None and cached.scopes == frozenset({scopes.READ})


def test_defaults_and_choices_at_creation(runtime: Runtime) -> None:
    with runtime.db.write() as session:
        account_id = create_account(session, "defaults").id
        plain = issue_key(session, account_id)
        chosen = issue_key(session, account_id, scopes=["read", "admin"])
        with pytest.raises(ValueError, match="unknown scope"):
            issue_key(session, account_id, scopes=["write"])
        with pytest.raises(ValueError, match="at least one"):
            issue_key(session, account_id, scopes=[])
    assert plain.scopes == scopes.DEFAULT == frozenset({"read", "time:write", "catalog:write"})
    assert chosen.scopes == frozenset({"read", "admin"})
