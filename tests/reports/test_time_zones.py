"""Report days and weeks follow the user's zone and first day of the week, through a change of
daylight-saving time, on SQLite (offsets computed in Python) as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from tests.reports.helpers import Team, make_team, set_calendar
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.reports.clock import LocalCalendar, zone_of
from trackgate.runtime import Runtime

# Berlin moves from +01:00 to +02:00 at 2024-03-31 01:00 UTC (02:00 local becomes 03:00).
BERLIN = "Europe/Berlin"


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    made = make_team(client, runtime)
    set_calendar(runtime, made.admin, BERLIN, 0)  # weeks start on Sunday
    return made


def test_local_midnights_around_the_change_are_an_hour_apart_in_utc() -> None:
    calendar = LocalCalendar(zone_of(BERLIN), 1)
    assert calendar.midnight(date(2024, 3, 31)) == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert calendar.midnight(date(2024, 4, 1)) == datetime(2024, 3, 31, 22, tzinfo=UTC)
    spans = calendar.spans(*calendar.bounds(date(2024, 3, 25), date(2024, 4, 5)))
    assert [(s.since, s.offset) for s in spans[1:]] == [
        (datetime(2024, 3, 31, 1, tzinfo=UTC), 7200)
    ]
    assert spans[0].offset == 3600


def test_entries_fall_on_their_local_day_across_the_spring_change(team: Team) -> None:
    # 00:30 local on the 31st (+01:00), 23:30 local on the 31st (+02:00), 00:30 on April 1st
    first = team.entry(team.admin, "2024-03-30T23:30:00Z", 600)
    last = team.entry(team.admin, "2024-03-31T21:30:00Z", 1200)
    next_day = team.entry(team.admin, "2024-03-31T22:30:00Z", 1800)
    before = team.entry(team.admin, "2024-03-30T22:30:00Z", 60)  # 23:30 on the 30th
    day = {"start_date": "2024-03-31", "end_date": "2024-03-31"}
    rows = team.ok(team.admin, "search/time_entries", **day, order_dir="ASC")
    assert [r["time_entries"][0]["id"] for r in rows] == [first["id"], last["id"]]
    assert rows[0]["time_entries"][0]["start"] == "2024-03-31T00:30:00+01:00"
    assert rows[1]["time_entries"][0]["start"] == "2024-03-31T23:30:00+02:00"
    totals = team.ok(
        team.admin,
        "search/time_entries/totals",
        start_date="2024-03-30",
        end_date="2024-04-01",
        resolution="day",
    )
    assert [b["seconds"] for b in totals["graph"]] == [60, 1800, 1800]
    assert totals["tracked_days"] == 3
    assert next_day["id"] and before["id"]


def test_the_weekly_report_is_the_users_week_holding_start_date(team: Team) -> None:
    # Sunday 2024-03-31 begins this user's week; Tuesday April 2nd is asked for
    team.entry(team.admin, "2024-03-30T23:30:00Z", 600)  # Sunday 00:30 local
    team.entry(team.admin, "2024-04-06T21:30:00Z", 900)  # Saturday 23:30 local
    team.entry(team.admin, "2024-04-06T22:30:00Z", 999)  # Sunday April 7th: next week
    (row,) = team.ok(team.admin, "weekly/time_entries", start_date="2024-04-02")
    assert row["seconds"] == [600, 0, 0, 0, 0, 0, 900]


def test_monday_weeks_group_the_totals_graph(team: Team) -> None:
    set_calendar(team.runtime, team.admin, "UTC", 1)
    team.entry(team.admin, "2024-04-07T12:00:00Z", 100)  # Sunday
    team.entry(team.admin, "2024-04-08T12:00:00Z", 200)  # Monday
    totals = team.ok(
        team.admin,
        "search/time_entries/totals",
        start_date="2024-04-01",
        end_date="2024-04-14",
        resolution="week",
    )
    assert totals["resolution"] == "week"
    assert [b["seconds"] for b in totals["graph"]] == [100, 200]


def test_an_unknown_zone_reads_as_utc() -> None:
    assert zone_of("Not/AZone").key == "UTC"
    assert zone_of("").key == "UTC"
