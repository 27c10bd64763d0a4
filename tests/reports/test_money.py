"""Billable amounts: the rate by Toggl's precedence (task, project, workspace here; project-user
and workspace-user rates have no table yet), cents rounded per entry, currencies apart,
rounding of durations, and ``hide_amounts``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reports.helpers import Team, make_team
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.runtime import Runtime

WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}
HOUR = 3600


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    made = make_team(client, runtime)
    made.workspace(default_hourly_rate=50.0, default_currency="USD")
    return made


def rows_by_id(team: Team, **body: Any) -> dict[int, dict[str, Any]]:
    rows = team.ok(team.admin, "search/time_entries", **WEEK, **body)
    return {row["time_entries"][0]["id"]: row for row in rows}


def test_the_first_rate_set_wins_task_then_project_then_workspace(team: Team) -> None:
    project = team.project("Apollo", rate=100.0, billable=True)
    task = team.task(project["id"], "Build", rate=150.0)
    bare_task = team.task(project["id"], "Test")
    on_task = team.entry(
        team.admin,
        "2024-12-10T08:00:00Z",
        HOUR,
        project_id=project["id"],
        task_id=task,
        billable=True,
    )
    on_project = team.entry(
        team.admin,
        "2024-12-10T10:00:00Z",
        HOUR,
        project_id=project["id"],
        task_id=bare_task,
        billable=True,
    )
    on_workspace = team.entry(team.admin, "2024-12-10T12:00:00Z", HOUR, billable=True)
    unbilled = team.entry(team.admin, "2024-12-10T14:00:00Z", HOUR, project_id=project["id"])
    rows = rows_by_id(team)
    assert rows[on_task["id"]]["hourly_rate_in_cents"] == 15000
    assert rows[on_task["id"]]["billable_amount_in_cents"] == 15000
    assert rows[on_project["id"]]["billable_amount_in_cents"] == 10000
    assert rows[on_workspace["id"]]["billable_amount_in_cents"] == 5000
    assert rows[unbilled["id"]]["billable_amount_in_cents"] == 0
    assert rows[unbilled["id"]]["hourly_rate_in_cents"] is None
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    assert totals["billable_amount_in_cents"] == 30000
    assert totals["seconds"] == 4 * HOUR
    assert sorted((r["hourly_rate_in_cents"], r["billable_seconds"]) for r in totals["rates"]) == [
        (5000, HOUR),
        (10000, HOUR),
        (15000, HOUR),
    ]


def test_each_entry_is_rounded_to_cents_before_the_sum(team: Team) -> None:
    team.workspace(default_hourly_rate=1.0)
    for hour in (8, 9, 10):  # 10 s at 1.00/h is 0.28 cents: 0 each, 0 in all (not 1)
        team.entry(team.admin, f"2024-12-10T{hour:02d}:00:00Z", 10, billable=True)
    team.entry(team.admin, "2024-12-10T11:00:00Z", 18, billable=True)  # 0.5 cents: half up
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    assert totals["billable_amount_in_cents"] == 1


def test_amounts_are_in_the_projects_currency_and_rates_split_by_currency(team: Team) -> None:
    euro = team.project("Euro work", rate=80.0, currency="EUR", billable=True)
    team.entry(team.admin, "2024-12-10T08:00:00Z", HOUR, project_id=euro["id"], billable=True)
    plain = team.entry(team.admin, "2024-12-10T10:00:00Z", HOUR * 2, billable=True)
    rows = rows_by_id(team)
    assert rows[plain["id"]]["currency"] == "USD"
    assert {r["currency"] for r in rows.values()} == {"USD", "EUR"}
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    assert sorted(
        (r["currency"], r["hourly_rate_in_cents"], r["billable_seconds"]) for r in totals["rates"]
    ) == [("EUR", 8000, HOUR), ("USD", 5000, 2 * HOUR)]
    summary = team.ok(team.admin, "summary/time_entries", **WEEK)
    currencies = {
        rate["currency"] for g in summary["groups"] for s in g["sub_groups"] for rate in s["rates"]
    }
    assert currencies == {"USD", "EUR"}


@pytest.mark.parametrize(
    ("rounding", "expected_minutes"),
    [(1, [15, 30]), (-1, [0, 15]), (0, [0, 30])],
    ids=["up", "down", "nearest"],
)
def test_durations_round_per_entry_before_amounts(
    team: Team, rounding: int, expected_minutes: list[int]
) -> None:
    team.workspace(default_hourly_rate=60.0)
    short = team.entry(team.admin, "2024-12-10T08:00:00Z", 7 * 60, billable=True)
    long = team.entry(team.admin, "2024-12-10T09:00:00Z", 23 * 60, billable=True)
    body = {"rounding": rounding, "rounding_minutes": 15}
    rows = rows_by_id(team, **body)
    got = [rows[e["id"]]["time_entries"][0]["seconds"] // 60 for e in (short, long)]
    assert got == expected_minutes
    amounts = [rows[e["id"]]["billable_amount_in_cents"] for e in (short, long)]
    assert amounts == [m * 100 for m in expected_minutes]  # 60.00/h is 1.00 a minute
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK, **body)
    assert totals["seconds"] == sum(expected_minutes) * 60


def test_hide_amounts_hides_every_amount_and_rate(team: Team) -> None:
    team.entry(team.admin, "2024-12-10T08:00:00Z", HOUR, billable=True)
    (row,) = team.ok(team.admin, "search/time_entries", **WEEK, hide_amounts=True)
    assert row["billable_amount_in_cents"] is None
    assert row["hourly_rate_in_cents"] is None
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK, hide_amounts=True)
    assert totals["billable_amount_in_cents"] is None
    assert all(b["billable_amount_in_cents"] is None for b in totals["graph"])
    (weekly,) = team.ok(team.admin, "weekly/time_entries", **WEEK, hide_amounts=True)
    assert weekly["billable_amounts_in_cents"] is None
