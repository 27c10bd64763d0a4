"""Summary (groupings and sub-groupings, entry ids), totals (graph, resolution), weekly rows and
project summaries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reports.helpers import Team, assert_toggl_error, make_team
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.runtime import Runtime

WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    return make_team(client, runtime)


@pytest.fixture
def tracked(team: Team) -> dict[str, Any]:
    """Two projects (one with a client and a task), two people, tags; 7 entries."""
    acme = team.client_named("Acme")
    apollo = team.project("Apollo", client_id=acme["id"])
    gemini = team.project("Gemini")
    build = team.task(apollo["id"], "Build")
    made = {
        "a1": team.entry(
            team.admin,
            "2024-12-09T08:00:00Z",
            600,
            project_id=apollo["id"],
            task_id=build,
            description="plan",
            tags=["red"],
        ),
        "a2": team.entry(
            team.admin,
            "2024-12-10T08:00:00Z",
            1200,
            project_id=apollo["id"],
            description="plan",
            tags=["red", "blue"],
        ),
        "a3": team.entry(
            team.member, "2024-12-11T08:00:00Z", 1800, project_id=apollo["id"], description="code"
        ),
        "g1": team.entry(
            team.member,
            "2024-12-12T08:00:00Z",
            2400,
            project_id=gemini["id"],
            description="code",
            billable=True,
        ),
        "n1": team.entry(team.admin, "2024-12-13T08:00:00Z", 3000, description=""),
        "n2": team.entry(team.other, "2024-12-15T08:00:00Z", 60),
        "out": team.entry(team.admin, "2024-12-16T08:00:00Z", 99999),
    }
    return {"acme": acme, "apollo": apollo, "gemini": gemini, "build": build, **made}


def by_id(groups: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {g["id"]: g for g in groups}


def sub_seconds(group: dict[str, Any], key: str = "id") -> dict[Any, int]:
    return {s[key]: s["seconds"] for s in group["sub_groups"]}


def test_summary_by_project_and_description_with_entry_ids(team: Team, tracked: Any) -> None:
    r = team.report(team.admin, "summary/time_entries", **WEEK, include_time_entry_ids=True)
    assert r.status_code == 200, r.text
    assert r.headers["x-grouping"] == "projects"
    assert r.headers["x-sub-grouping"] == "time_entries"
    groups = by_id(r.json()["groups"])
    assert set(groups) == {tracked["apollo"]["id"], tracked["gemini"]["id"], None}
    apollo = groups[tracked["apollo"]["id"]]
    assert sub_seconds(apollo, "title") == {"plan": 1800, "code": 1800}
    assert all(s["id"] is None for s in apollo["sub_groups"])
    plan = next(s for s in apollo["sub_groups"] if s["title"] == "plan")
    assert plan["ids"] == sorted([tracked["a1"]["id"], tracked["a2"]["id"]])
    assert sum(sub_seconds(groups[None], "title").values()) == 3060


@pytest.mark.parametrize(
    ("grouping", "sub_grouping"),
    [
        ("clients", None),
        ("users", None),
        ("users", "clients"),
        ("projects", "users"),
        ("projects", "tasks"),
    ],
)
def test_groupings_and_sub_groupings_add_up(
    team: Team, tracked: Any, grouping: str, sub_grouping: str | None
) -> None:
    body: dict[str, Any] = {**WEEK, "grouping": grouping}
    if sub_grouping:
        body["sub_grouping"] = sub_grouping
    groups = by_id(team.ok(team.admin, "summary/time_entries", **body)["groups"])
    total = sum(s["seconds"] for g in groups.values() for s in g["sub_groups"])
    assert total == 600 + 1200 + 1800 + 2400 + 3000 + 60
    if grouping == "clients":
        acme = groups[tracked["acme"]["id"]]
        assert sub_seconds(acme) == {tracked["apollo"]["id"]: 3600}
    if grouping == "users":
        assert sum(sub_seconds(groups[team.member.id]).values()) == 4200
    if sub_grouping == "tasks":
        apollo = groups[tracked["apollo"]["id"]]
        assert sub_seconds(apollo) == {tracked["build"]: 600, None: 3000}


def test_tag_sub_groups_count_an_entry_under_each_of_its_tags(team: Team, tracked: Any) -> None:
    body = {**WEEK, "grouping": "projects", "sub_grouping": "tags"}
    groups = by_id(team.ok(team.admin, "summary/time_entries", **body)["groups"])
    red, blue = tracked["a2"]["tag_ids"]
    names = {tracked["a2"]["tags"][0]: red, tracked["a2"]["tags"][1]: blue}
    apollo = sub_seconds(groups[tracked["apollo"]["id"]])
    assert apollo == {names["red"]: 1800, names["blue"]: 1200, None: 1800}


def test_summary_order_by_duration_or_title(team: Team, tracked: Any) -> None:
    body = {**WEEK, "grouping": "users", "sub_grouping": "projects"}
    longest = team.ok(team.admin, "summary/time_entries", **body, order_by="duration")
    totals = [sum(s["seconds"] for s in g["sub_groups"]) for g in longest["groups"]]
    assert totals == sorted(totals, reverse=True) == [4800, 4200, 60]
    shortest = team.ok(
        team.admin, "summary/time_entries", **body, order_by="duration", order_dir="ASC"
    )
    assert [g["id"] for g in shortest["groups"]] == [g["id"] for g in longest["groups"]][::-1]
    by_name = team.ok(team.admin, "summary/time_entries", **body, order_by="title")
    # Ada Admin, Mo Member, Olu Other
    assert [g["id"] for g in by_name["groups"]] == [team.admin.id, team.member.id, team.other.id]
    content = team.report(
        team.admin, "summary/time_entries.csv", **body, order_by="title", order_dir="DESC"
    ).content.decode()
    users = [line.split(",")[0] for line in content.splitlines()[1:]]
    assert users == sorted(users, reverse=True) and users[0] == "Olu Other"


def test_sub_grouping_must_differ_from_grouping(team: Team) -> None:
    body = {**WEEK, "grouping": "users", "sub_grouping": "users"}
    assert_toggl_error(team.report(team.admin, "summary/time_entries", **body), 400)


def test_totals_graph_has_every_day_and_resolution(team: Team, tracked: Any) -> None:
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    assert totals["resolution"] == "day"
    assert [b["seconds"] for b in totals["graph"]] == [600, 1200, 1800, 2400, 3000, 0, 60]
    assert totals["seconds"] == 9060
    assert totals["tracked_days"] == 6
    months = team.ok(
        team.admin,
        "search/time_entries/totals",
        start_date="2024-10-01",
        end_date="2024-12-31",
        resolution="month",
    )
    assert [b["seconds"] for b in months["graph"]] == [0, 0, 9060 + 99999]
    auto = team.ok(
        team.admin, "search/time_entries/totals", start_date="2024-01-01", end_date="2024-12-31"
    )
    assert auto["resolution"] == "month" and len(auto["graph"]) == 12


def test_weekly_rows_per_user_and_project(team: Team, tracked: Any) -> None:
    rows = team.ok(team.admin, "weekly/time_entries", start_date="2024-12-09")
    got = {(r["user_id"], r["project_id"]): r["seconds"] for r in rows}
    assert got == {
        (team.admin.id, tracked["apollo"]["id"]): [600, 1200, 0, 0, 0, 0, 0],
        (team.admin.id, None): [0, 0, 0, 0, 3000, 0, 0],
        (team.member.id, tracked["apollo"]["id"]): [0, 0, 1800, 0, 0, 0, 0],
        (team.member.id, tracked["gemini"]["id"]): [0, 0, 0, 2400, 0, 0, 0],
        (team.other.id, None): [0, 0, 0, 0, 0, 0, 60],
    }
    mine = team.ok(team.member, "weekly/time_entries", start_date="2024-12-09")
    assert {r["user_id"] for r in mine} == {team.member.id}


def test_project_summaries(team: Team, tracked: Any) -> None:
    rows = team.ok(team.admin, "projects/summary", **WEEK)
    got = {
        (r["user_id"], r["project_id"]): (r["tracked_seconds"], r["billable_seconds"]) for r in rows
    }
    # Apollo is billable (the workspace's default): its entries that did not say are too.
    assert got == {
        (team.admin.id, tracked["apollo"]["id"]): (1800, 1800),
        (team.member.id, tracked["apollo"]["id"]): (1800, 1800),
        (team.member.id, tracked["gemini"]["id"]): (2400, 2400),
    }
    one = team.ok(team.admin, f"projects/{tracked['apollo']['id']}/summary", **WEEK)
    assert one["seconds"] == 3600
    r = team.report(team.admin, "projects/999999/summary", **WEEK)
    assert_toggl_error(r, 404)
