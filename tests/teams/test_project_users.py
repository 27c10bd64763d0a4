"""Project users and private projects: a private project is seen by its members and the
workspace's admins only; admins and project managers change it and its members."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
    create_entry,
)
from tests.teams.team_helpers import PROJECT_USER_FIELDS, Team, make_team, ok
from trackgate.runtime import Runtime


def projects_url(team: Team, *rest: object) -> str:
    return f"{API}/workspaces/{team.workspace_id}/projects" + "".join(f"/{p}" for p in rest)


def pu_url(team: Team, *rest: object) -> str:
    return f"{API}/workspaces/{team.workspace_id}/project_users" + "".join(f"/{p}" for p in rest)


def names(r: object) -> list[str]:
    return [p["name"] for p in ok(r)]


def test_private_projects_are_seen_by_members_and_admins_only(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    secret = ok(client.post(projects_url(team), json={"name": "Secret"}, headers=team.admin.auth))
    ok(
        client.post(
            projects_url(team), json={"name": "Open", "is_private": False}, headers=team.admin.auth
        )
    )
    assert secret["is_private"] is True
    assert names(client.get(projects_url(team), headers=team.admin.auth)) == ["Open", "Secret"]
    assert names(client.get(projects_url(team), headers=team.member.auth)) == ["Open"]
    assert names(client.get(f"{API}/me/projects", headers=team.member.auth)) == ["Open"]
    hidden = client.get(projects_url(team, secret["id"]), headers=team.member.auth)
    assert_error(hidden, 400, "Invalid project_id")
    task = client.post(
        projects_url(team, secret["id"], "tasks"), json={"name": "T"}, headers=team.admin.auth
    )
    assert task.status_code == 200
    workspace_tasks = f"{API}/workspaces/{team.workspace_id}/tasks"
    assert ok(client.get(workspace_tasks, headers=team.member.auth))["data"] == []
    # once added, the member sees it
    added = ok(
        client.post(
            pu_url(team),
            json={"project_id": secret["id"], "user_id": team.member.id, "rate": 80},
            headers=team.admin.auth,
        )
    )
    assert set(added) == PROJECT_USER_FIELDS
    assert (added["manager"], added["rate"]) == (False, 80)
    assert names(client.get(projects_url(team), headers=team.member.auth)) == ["Open", "Secret"]
    assert [
        t["name"] for t in ok(client.get(workspace_tasks, headers=team.member.auth))["data"]
    ] == ["T"]
    # removed again, it is hidden again
    r = client.delete(pu_url(team, added["id"]), headers=team.admin.auth)
    assert r.status_code == 200 and r.json() == added["id"]
    assert names(client.get(projects_url(team), headers=team.member.auth)) == ["Open"]


def test_only_admins_and_managers_change_a_project(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    shared = ok(
        client.post(
            projects_url(team),
            json={"name": "Shared", "is_private": False},
            headers=team.admin.auth,
        )
    )
    one = projects_url(team, shared["id"])
    assert_error(client.put(one, json={"color": "#000000"}, headers=team.member.auth), 403)
    assert_error(client.delete(one, headers=team.member.auth), 403)
    r = client.post(
        projects_url(team, shared["id"], "tasks"), json={"name": "x"}, headers=team.member.auth
    )
    assert_error(r, 403)
    # a member may still track time on it and pin it
    create_entry(client, team.member, project_id=shared["id"])
    assert (
        client.post(one + "/pin", json={"pin": True}, headers=team.member.auth).status_code == 200
    )
    made = ok(
        client.post(
            pu_url(team),
            json={"project_id": shared["id"], "user_id": team.member.id, "manager": True},
            headers=team.admin.auth,
        )
    )
    assert (
        ok(client.put(one, json={"color": "#000000"}, headers=team.member.auth))["color"]
        == "#000000"
    )
    # the creator of a project manages it
    own = ok(client.post(projects_url(team), json={"name": "Own"}, headers=team.member.auth))
    assert ok(
        client.put(projects_url(team, own["id"]), json={"billable": True}, headers=team.member.auth)
    )
    listed = ok(
        client.get(pu_url(team), params={"project_ids": own["id"]}, headers=team.admin.auth)
    )
    assert [(p["user_id"], p["manager"]) for p in listed] == [(team.member.id, True)]
    demoted = ok(
        client.put(pu_url(team, made["id"]), json={"manager": False}, headers=team.admin.auth)
    )
    assert demoted["manager"] is False
    assert_error(client.put(one, json={"color": "#111111"}, headers=team.member.auth), 403)


def test_project_user_errors(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    p = ok(client.post(projects_url(team), json={"name": "P"}, headers=team.admin.auth))
    body = {"project_id": p["id"], "user_id": team.member.id}
    assert_error(client.post(pu_url(team), json=body, headers=team.member.auth), 400)  # can't see
    ok(client.post(pu_url(team), json=body, headers=team.admin.auth))
    assert_error(client.post(pu_url(team), json=body, headers=team.admin.auth), 400)  # twice
    assert_error(
        client.post(pu_url(team), json={"project_id": p["id"]}, headers=team.admin.auth), 400
    )
    stranger = {"project_id": p["id"], "user_id": 987_654}
    assert_error(client.post(pu_url(team), json=stranger, headers=team.admin.auth), 400)
    assert_error(client.put(pu_url(team, 987_654), json={}, headers=team.admin.auth), 404)
    assert_error(client.delete(pu_url(team, 987_654), headers=team.admin.auth), 404)
    bad_rate = {"project_id": p["id"], "user_id": team.admin.id, "rate": "lots"}
    assert_error(client.post(pu_url(team), json=bad_rate, headers=team.admin.auth), 400)
    assert_error(client.get(pu_url(team), params={"user_id": "1,2"}, headers=team.admin.auth), 400)
    by_user = ok(
        client.get(pu_url(team), params={"user_id": team.member.id}, headers=team.admin.auth)
    )
    assert [row["user_id"] for row in by_user] == [team.member.id]


def test_bulk_patch_changes_each_project_on_its_own(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    a = ok(
        client.post(
            projects_url(team), json={"name": "A", "is_private": False}, headers=team.admin.auth
        )
    )
    b = ok(
        client.post(
            projects_url(team), json={"name": "B", "is_private": False}, headers=team.admin.auth
        )
    )
    ops = [
        {"op": "replace", "path": "/color", "value": "#123456"},
        {"op": "replace", "path": "/billable", "value": True},
        {"op": "remove", "path": "/active"},
    ]
    ids = f"{a['id']},{b['id']},987654"
    r = client.patch(projects_url(team, ids), json=ops, headers=team.admin.auth)
    assert ok(r) == {
        "success": [a["id"], b["id"]],
        "failure": [{"id": 987654, "message": "Invalid project_id"}],
    }
    for p in (a, b):
        got = ok(client.get(projects_url(team, p["id"]), headers=team.admin.auth))
        assert (got["color"], got["billable"], got["active"]) == ("#123456", True, False)
    # a member manages neither: both fail, nothing changes
    r = client.patch(
        projects_url(team, a["id"]),
        json=[{"op": "replace", "path": "/color", "value": "#000000"}],
        headers=team.member.auth,
    )
    assert [f["id"] for f in ok(r)["failure"]] == [a["id"]]
    bad_color = [{"op": "replace", "path": "/color", "value": "red"}]
    assert ok(client.patch(projects_url(team, a["id"]), json=bad_color, headers=team.admin.auth))[
        "failure"
    ]
    for bad in (
        [{"op": "replace", "path": "/nope", "value": 1}],
        [],
        [{"op": "move", "path": "/color"}],
    ):
        assert_error(
            client.patch(projects_url(team, a["id"]), json=bad, headers=team.admin.auth), 400
        )
    assert_error(client.patch(projects_url(team, "x,y"), json=ops, headers=team.admin.auth), 400)
    too_many = ",".join(str(i) for i in range(1, 102))
    assert_error(client.patch(projects_url(team, too_many), json=ops, headers=team.admin.auth), 400)


def test_time_cannot_be_tracked_on_a_private_project_one_does_not_belong_to(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    secret = ok(client.post(projects_url(team), json={"name": "Secret"}, headers=team.admin.auth))
    body = {
        "workspace_id": team.workspace_id,
        "created_with": "tests",
        "start": "2024-12-16T01:00:00Z",
        "duration": 60,
        "project_id": secret["id"],
    }
    url = f"{API}/workspaces/{team.workspace_id}/time_entries"
    assert_error(client.post(url, json=body, headers=team.member.auth), 400, "Invalid project_id")
    plain = create_entry(client, team.member)
    r = client.put(
        f"{url}/{plain['id']}", json={"project_id": secret["id"]}, headers=team.member.auth
    )
    assert_error(r, 400, "Invalid project_id")
    ok(
        client.post(
            pu_url(team),
            json={"project_id": secret["id"], "user_id": team.member.id},
            headers=team.admin.auth,
        )
    )
    assert ok(client.post(url, json=body, headers=team.member.auth))["project_id"] == secret["id"]


def test_rates_are_hidden_from_members_when_only_admins_see_them(
    client: TestClient, runtime: Runtime
) -> None:
    team = make_team(runtime)
    body = {"name": "Paid", "is_private": False, "rate": 120.0, "currency": "EUR"}
    paid = ok(client.post(projects_url(team), json=body, headers=team.admin.auth))
    one = projects_url(team, paid["id"])
    assert ok(client.get(one, headers=team.member.auth))["rate"] == 120.0
    settings = {"only_admins_see_billable_rates": True}
    ok(client.put(f"{API}/workspaces/{team.workspace_id}", json=settings, headers=team.admin.auth))
    seen = ok(client.get(one, headers=team.member.auth))
    assert (seen["rate"], seen["currency"]) == (None, None)
    assert ok(client.get(projects_url(team), headers=team.member.auth))[0]["rate"] is None
    assert ok(client.get(one, headers=team.admin.auth))["rate"] == 120.0


def test_bulk_patch_of_tasks(client: TestClient, runtime: Runtime) -> None:
    team = make_team(runtime)
    project = ok(
        client.post(
            projects_url(team), json={"name": "T", "is_private": False}, headers=team.admin.auth
        )
    )
    tasks = projects_url(team, project["id"], "tasks")
    one = ok(client.post(tasks, json={"name": "one"}, headers=team.admin.auth))
    two = ok(client.post(tasks, json={"name": "two"}, headers=team.admin.auth))
    ops = [
        {"op": "replace", "path": "/active", "value": False},
        {"op": "replace", "path": "/estimated_seconds", "value": 3600},
    ]
    r = client.patch(f"{tasks}/{one['id']},{two['id']},987654", json=ops, headers=team.admin.auth)
    assert ok(r) == {
        "success": [one["id"], two["id"]],
        "failure": [{"id": 987654, "message": "Task not found"}],
    }
    listed = ok(client.get(tasks, headers=team.admin.auth))
    assert [(t["active"], t["estimated_seconds"]) for t in listed] == [(False, 3600)] * 2
    assert_error(client.patch(f"{tasks}/{one['id']}", json=ops, headers=team.member.auth), 403)
    bad = [{"op": "replace", "path": "/project_id", "value": 1}]
    assert_error(client.patch(f"{tasks}/{one['id']}", json=bad, headers=team.admin.auth), 400)
