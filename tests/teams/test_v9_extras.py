"""What clients call next: ``GET /workspaces``, ``/me/features``, ``/me/preferences``,
``/me/projects/paginated``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.catalog_helpers import backdate, make_project
from tests.service.core_helpers import (
    API,
    assert_error,
    cheap_hashing,  # noqa: F401 (autouse: cheap argon2)
)
from tests.teams.team_helpers import ok
from trackgate.runtime import Runtime
from trackgate.storage.models import Workspace

RECORDED_WORKSPACE_ORDER = (
    "id, organization_id, name, premium, business_ws, admin, role, suspended_at, "
    "server_deleted_at, default_hourly_rate, rate_last_updated, default_currency, "
    "only_admins_may_create_projects, only_admins_may_create_tags, "
    "only_admins_see_billable_rates, only_admins_see_team_dashboard, "
    "projects_billable_by_default, projects_private_by_default, projects_enforce_billable, "
    "limit_public_project_data, last_modified, reports_collapse, rounding, rounding_minutes, "
    "api_token, at, logo_url, ical_url, ical_enabled, csv_upload, subscription, "
    "hide_start_end_times, working_hours_in_minutes"
).split(", ")


def test_workspaces_lists_the_users_workspaces_as_me_workspaces_does(
    client: TestClient, runtime: Runtime, user: Person, other_user: Person
) -> None:
    listed = ok(client.get(f"{API}/workspaces", headers=user.auth))
    assert listed == ok(client.get(f"{API}/me/workspaces", headers=user.auth))
    assert [w["id"] for w in listed] == [user.workspace_id]
    keys = list(listed[0])
    assert keys[: len(RECORDED_WORKSPACE_ORDER)] == RECORDED_WORKSPACE_ORDER
    assert "profile" not in keys
    backdate(runtime, Workspace, user.workspace_id)
    assert (
        ok(client.get(f"{API}/workspaces", params={"since": 1609459200}, headers=user.auth)) == []
    )
    assert_error(client.get(f"{API}/workspaces", params={"since": "x"}, headers=user.auth), 400)
    assert client.get(f"{API}/workspaces").status_code == 401


def test_features_per_workspace(client: TestClient, user: Person) -> None:
    [entry] = ok(client.get(f"{API}/me/features", headers=user.auth))
    assert entry["workspace_id"] == user.workspace_id
    assert all(set(f) == {"feature_id", "name", "enabled"} for f in entry["features"])
    assert {"free", "tasks"} <= {f["name"] for f in entry["features"] if f["enabled"]}


def test_preferences_round_trip_and_per_client(client: TestClient, user: Person) -> None:
    url = f"{API}/me/preferences"
    before = ok(client.get(url, headers=user.auth))
    assert before["date_format"] == "MM/DD/YYYY" and before["pg_time_zone_name"] == "UTC"
    r = client.post(
        url, json={"date_format": "YYYY-MM-DD", "beginningOfWeek": 1}, headers=user.auth
    )
    assert r.status_code == 200 and r.json() == "OK"
    after = ok(client.get(url, headers=user.auth))
    assert after["date_format"] == "YYYY-MM-DD" and after["beginningOfWeek"] == 1
    assert after["timeofday_format"] == before["timeofday_format"]
    ok(client.post(url + "/desktop", json={"show_dock_icon": True}, headers=user.auth))
    desktop = ok(client.get(url + "/desktop", headers=user.auth))
    assert desktop["show_dock_icon"] is True and desktop["date_format"] == "YYYY-MM-DD"
    assert "show_dock_icon" not in ok(client.get(url, headers=user.auth))
    for bad in ([1], "x", {"bad key!": 1}, {"x": "y" * 20_000}):
        assert_error(client.post(url, json=bad, headers=user.auth), 400)
    assert_error(client.get(url + "/Not-A-Client", headers=user.auth), 400)


def test_projects_paginated_by_id_from_a_start(client: TestClient, user: Person) -> None:
    made = [make_project(client, user, name)["id"] for name in ("c", "a", "b")]
    made.append(make_project(client, user, "shelved", active=False)["id"])
    url = f"{API}/me/projects/paginated"
    first = ok(client.get(url, params={"per_page": 2}, headers=user.auth))
    assert [p["id"] for p in first] == made[:2]
    rest = ok(
        client.get(url, params={"per_page": 2, "start_project_id": made[1] + 1}, headers=user.auth)
    )
    assert [p["id"] for p in rest] == made[2:]
    assert ok(client.get(url, params={"start_project_id": made[-1] + 1}, headers=user.auth)) == []
    for bad in ({"per_page": "x"}, {"start_project_id": "-5"}, {"since": "soon"}):
        assert_error(client.get(url, params=bad, headers=user.auth), 400)


def test_small_lookups_clients_make_at_start(client: TestClient, user: Person) -> None:
    zones = ok(client.get(f"{API}/timezones", headers=user.auth))
    assert "Europe/Berlin" in zones and zones == sorted(zones)
    assert ok(client.get(f"{API}/me/id", headers=user.auth)) == user.id
    make_project(client, user, "Euro work", currency="eur")
    currencies = ok(
        client.get(f"{API}/workspaces/{user.workspace_id}/currencies", headers=user.auth)
    )
    assert currencies == ["USD", "EUR"]
    constraints = ok(
        client.get(
            f"{API}/workspaces/{user.workspace_id}/time_entry_constraints", headers=user.auth
        )
    )
    assert constraints["time_entry_constraints_enabled"] is False


def test_organization_owner_and_roles(client: TestClient, user: Person, other_user: Person) -> None:
    oid = ok(client.get(f"{API}/me/organizations", headers=user.auth))[0]["id"]
    owner = ok(client.get(f"{API}/organizations/{oid}/owner", headers=user.auth))
    assert (owner["user_id"], owner["email"], owner["organization_id"]) == (
        user.id,
        user.email,
        oid,
    )
    roles = ok(client.get(f"{API}/organizations/{oid}/roles", headers=user.auth))
    assert [r["code"] for r in roles] == ["admin", "member"]
    assert_error(client.get(f"{API}/organizations/{oid}/owner", headers=other_user.auth), 403)
