"""The detailed report: rows as Toggl spells them, paging by X-Next-ID / X-Next-Row-Number,
every filter of the body, grouped rows, who sees what, and Toggl-shaped refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reports.helpers import Team, assert_toggl_error, make_team
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.runtime import Runtime

SEARCH = "search/time_entries"
WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}
ROW_KEYS = [
    "user_id",
    "username",
    "project_id",
    "task_id",
    "billable",
    "description",
    "tag_ids",
    "billable_amount_in_cents",
    "hourly_rate_in_cents",
    "currency",
    "time_entries",
    "row_number",
]


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    return make_team(client, runtime)


def ids_of(rows: list[dict[str, Any]]) -> list[int]:
    return [e["id"] for row in rows for e in row["time_entries"]]


def pages(team: Team, body: dict[str, Any]) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """Every page, following the headers as Toggl clients do."""
    body = dict(body)
    while True:
        r = team.report(team.admin, SEARCH, **body)
        assert r.status_code == 200, r.text
        yield r.json(), r.headers
        if "x-next-id" not in r.headers:
            return
        body["first_id"] = int(r.headers["x-next-id"])
        body["first_row_number"] = int(r.headers["x-next-row-number"])


def test_rows_are_spelled_as_toggl_with_times_in_the_users_zone(team: Team) -> None:
    from tests.reports.helpers import set_calendar

    set_calendar(team.runtime, team.admin, "America/New_York", 1)
    made = team.entry(team.admin, "2024-12-10T15:00:00Z", 5400, description="Design", tags=["x"])
    rows = team.ok(team.admin, SEARCH, **WEEK)
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == ROW_KEYS
    assert row["username"] == "Ada Admin"
    assert row["description"] == "Design"
    assert row["tag_ids"] == made["tag_ids"]
    assert row["row_number"] == 1
    (entry,) = row["time_entries"]
    assert list(entry) == ["id", "seconds", "start", "stop", "at", "at_tz"]
    assert entry["id"] == made["id"]
    assert entry["seconds"] == 5400
    assert entry["start"] == "2024-12-10T10:00:00-05:00"
    assert entry["stop"] == "2024-12-10T11:30:00-05:00"
    assert entry["at"].endswith("+00:00")
    assert entry["at_tz"].endswith("-05:00")


def test_enrich_response_adds_the_names(team: Team) -> None:
    acme = team.client_named("Acme")
    project = team.project("Apollo", client_id=acme["id"], color="#c9806b")
    task = team.task(project["id"], "Build")
    team.entry(
        team.member,
        "2024-12-10T08:00:00Z",
        60,
        project_id=project["id"],
        task_id=task,
        tags=["red", "blue"],
    )
    (row,) = team.ok(team.admin, SEARCH, **WEEK, enrich_response=True)
    assert list(row)[: len(ROW_KEYS)] == ROW_KEYS
    assert row["client_name"] == "Acme"
    assert row["project_name"] == "Apollo"
    assert row["project_hex"] == "#c9806b"
    assert row["task_name"] == "Build"
    assert sorted(row["tag_names"]) == ["blue", "red"]
    assert row["email"] == team.member.email
    (plain,) = team.ok(team.admin, SEARCH, **WEEK)
    assert list(plain) == ROW_KEYS


def test_an_empty_report_is_an_empty_array_without_paging_headers(team: Team) -> None:
    r = team.report(team.admin, SEARCH, **WEEK)
    assert r.status_code == 200
    assert r.json() == []
    assert "x-next-id" not in r.headers


@pytest.mark.parametrize(
    ("order_by", "order_dir"),
    [
        ("date", "DESC"),
        ("date", "ASC"),
        ("duration", "DESC"),
        ("description", "ASC"),
        ("user", "ASC"),
    ],
)
def test_paging_visits_every_entry_once_with_consecutive_row_numbers(
    team: Team, order_by: str, order_dir: str
) -> None:
    start = datetime(2024, 12, 9, 8, tzinfo=UTC)
    made = []
    for i in range(23):
        when = start + timedelta(hours=5 * i)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        # equal durations and descriptions in places, so ties must be broken by id
        person = (team.admin, team.member, team.other)[i % 3]
        made.append(team.entry(person, stamp, 600 * (i % 4 + 1), description=f"d{i % 3}")["id"])
    body = {**WEEK, "page_size": 5, "order_by": order_by, "order_dir": order_dir}
    seen: list[int] = []
    numbers: list[int] = []
    sizes = []
    for rows, _ in pages(team, body):
        sizes.append(len(rows))
        seen.extend(ids_of(rows))
        numbers.extend(row["row_number"] for row in rows)
    assert sizes == [5, 5, 5, 5, 3]
    assert sorted(seen) == sorted(made)
    assert numbers == list(range(1, 24))
    whole = team.ok(team.admin, SEARCH, **{**body, "page_size": 100})
    assert ids_of(whole) == seen  # pages agree with one big page


def test_the_default_order_is_newest_first_and_page_size_50(team: Team) -> None:
    for i in range(52):
        team.entry(team.admin, f"2024-12-10T{i // 4:02d}:{(i % 4) * 15:02d}:00Z", 60)
    r = team.report(team.admin, SEARCH, **WEEK)
    rows = r.json()
    assert len(rows) == 50
    starts = [row["time_entries"][0]["start"] for row in rows]
    assert starts == sorted(starts, reverse=True)
    assert r.headers["x-next-row-number"] == "51"


def test_first_row_number_alone_pages_by_position(team: Team) -> None:
    for i in range(6):
        team.entry(team.admin, f"2024-12-10T0{i}:00:00Z", 60)
    everything = ids_of(team.ok(team.admin, SEARCH, **WEEK))
    rest = team.ok(team.admin, SEARCH, **WEEK, first_row_number=4)
    assert ids_of(rest) == everything[3:]
    assert [r["row_number"] for r in rest] == [4, 5, 6]


def test_filters_by_project_client_task_tag_and_none(team: Team) -> None:
    acme = team.client_named("Acme")
    p1 = team.project("Apollo", client_id=acme["id"])
    p2 = team.project("Gemini")
    t1 = team.task(p1["id"], "Build")
    a = team.entry(team.admin, "2024-12-10T08:00:00Z", 60, project_id=p1["id"], task_id=t1)
    b = team.entry(team.admin, "2024-12-10T09:00:00Z", 60, project_id=p1["id"], tags=["red"])
    c = team.entry(team.admin, "2024-12-10T10:00:00Z", 60, project_id=p2["id"], tags=["blue"])
    d = team.entry(team.admin, "2024-12-10T11:00:00Z", 60)

    def found(**body: Any) -> set[int]:
        return set(ids_of(team.ok(team.admin, SEARCH, **WEEK, **body)))

    assert found(project_ids=[p1["id"]]) == {a["id"], b["id"]}
    assert found(project_ids=[None]) == {d["id"]}
    assert found(project_ids=[p2["id"], None]) == {c["id"], d["id"]}
    assert found(client_ids=[acme["id"]]) == {a["id"], b["id"]}
    assert found(client_ids=[None]) == {c["id"], d["id"]}
    assert found(task_ids=[t1]) == {a["id"]}
    assert found(task_ids=[None]) == {b["id"], c["id"], d["id"]}
    assert found(tag_ids=[b["tag_ids"][0]]) == {b["id"]}
    assert found(tag_ids=[b["tag_ids"][0], c["tag_ids"][0]]) == {b["id"], c["id"]}
    assert found(tag_ids=[None]) == {a["id"], d["id"]}
    assert found(time_entry_ids=[a["id"], d["id"]]) == {a["id"], d["id"]}
    assert found(project_ids=[]) == {a["id"], b["id"], c["id"], d["id"]}


def test_filters_by_billable_description_duration_and_user(team: Team) -> None:
    a = team.entry(team.admin, "2024-12-10T08:00:00Z", 600, description="Fix 100% BUG")
    b = team.entry(team.admin, "2024-12-10T09:00:00Z", 3600, billable=True, description="bug")
    c = team.entry(team.member, "2024-12-10T10:00:00Z", 1800, description="Review")

    def found(**body: Any) -> set[int]:
        return set(ids_of(team.ok(team.admin, SEARCH, **WEEK, **body)))

    assert found(billable=True) == {b["id"]}
    assert found(billable=False) == {a["id"], c["id"]}
    assert found(description="bug") == {a["id"], b["id"]}  # substring, any case
    assert found(description="100%") == {a["id"]}  # % is literal, not a wildcard
    assert found(description="_") == set()
    assert found(min_duration_seconds=1800) == {b["id"], c["id"]}
    assert found(max_duration_seconds=1800) == {a["id"], c["id"]}
    assert found(user_ids=[team.member.id]) == {c["id"]}


def test_dates_are_inclusive_and_an_entry_belongs_to_the_day_it_starts(team: Team) -> None:
    late = team.entry(team.admin, "2024-12-15T23:30:00Z", 3600)  # runs into the 16th
    team.entry(team.admin, "2024-12-16T00:00:00Z", 60)
    early = team.entry(team.admin, "2024-12-09T00:00:00Z", 60)
    team.entry(team.admin, "2024-12-08T23:59:59Z", 60)
    assert set(ids_of(team.ok(team.admin, SEARCH, **WEEK))) == {late["id"], early["id"]}
    one_day = team.ok(team.admin, SEARCH, start_date="2024-12-15", end_date="2024-12-15")
    assert ids_of(one_day) == [late["id"]]
    assert one_day[0]["time_entries"][0]["seconds"] == 3600


def test_a_running_entry_counts_up_to_now_with_a_null_stop(team: Team) -> None:
    started = datetime.now(UTC) - timedelta(minutes=30)
    team.entry(team.admin, started.strftime("%Y-%m-%dT%H:%M:%SZ"), -1)
    today = datetime.now(UTC).date()
    body = {
        "start_date": str(today - timedelta(days=1)),
        "end_date": str(today + timedelta(days=1)),
    }
    (row,) = team.ok(team.admin, SEARCH, **body)
    entry = row["time_entries"][0]
    assert entry["stop"] is None
    assert 30 * 60 <= entry["seconds"] <= 30 * 60 + 120


def test_grouped_rows_gather_alike_entries(team: Team) -> None:
    p = team.project("Apollo")
    a1 = team.entry(team.admin, "2024-12-10T08:00:00Z", 600, project_id=p["id"], description="x")
    a2 = team.entry(team.admin, "2024-12-11T08:00:00Z", 300, project_id=p["id"], description="x")
    b = team.entry(team.admin, "2024-12-12T08:00:00Z", 60, description="x")
    c = team.entry(team.member, "2024-12-12T09:00:00Z", 60, project_id=p["id"], description="x")
    rows = team.ok(team.admin, SEARCH, **WEEK, grouped=True)
    groups = sorted(sorted(e["id"] for e in row["time_entries"]) for row in rows)
    assert groups == sorted([sorted([a1["id"], a2["id"]]), [b["id"]], [c["id"]]])
    assert [r["row_number"] for r in rows] == [1, 2, 3]
    page = team.report(team.admin, SEARCH, **WEEK, grouped=True, page_size=2)
    assert len(page.json()) == 2 and page.headers["x-next-row-number"] == "3"
    rest = team.ok(team.admin, SEARCH, **WEEK, grouped=True, page_size=2, first_row_number=3)
    assert [r["row_number"] for r in rest] == [3]
    assert ids_of(page.json()) + ids_of(rest) == ids_of(rows)


def test_members_see_their_own_entries_and_admins_everyone(team: Team) -> None:
    mine = team.entry(team.member, "2024-12-10T08:00:00Z", 60)
    theirs = team.entry(team.other, "2024-12-10T09:00:00Z", 60)
    admins = team.entry(team.admin, "2024-12-10T10:00:00Z", 60)
    everyone = {mine["id"], theirs["id"], admins["id"]}
    assert set(ids_of(team.ok(team.admin, SEARCH, **WEEK))) == everyone
    assert set(ids_of(team.ok(team.member, SEARCH, **WEEK))) == {mine["id"]}
    asked = team.ok(team.member, SEARCH, **WEEK, user_ids=[team.other.id])
    assert ids_of(asked) == []
    totals = team.ok(team.member, SEARCH + "/totals", **WEEK)
    assert totals["seconds"] == 60


def test_someone_outside_the_workspace_is_refused(team: Team, runtime: Runtime) -> None:
    from tests.conftest import make_user

    stranger = make_user(runtime)
    r = team.report(stranger, SEARCH, **WEEK)
    assert_toggl_error(r, 403)
    r = team.client.post(team.url(SEARCH), json=WEEK)
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("body", "contains"),
    [
        ({}, "start_date"),
        ({"start_date": "2024-13-01"}, "start_date"),
        ({"start_date": "2024-12-10", "end_date": "2024-12-01"}, "end_date"),
        ({"start_date": "2005-12-31"}, "between"),
        ({"start_date": "2023-01-01", "end_date": "2024-12-31"}, "366"),
        ({**WEEK, "page_size": 0}, "page_size"),
        ({**WEEK, "page_size": 100000}, "page_size"),
        ({**WEEK, "order_by": "colour"}, "order_by"),
        ({**WEEK, "project_ids": ["one"]}, "project_ids"),
        ({**WEEK, "group_ids": [1]}, "group"),
        ({**WEEK, "rounding_minutes": 7}, "rounding_minutes"),
        ({**WEEK, "min_duration_seconds": 10, "max_duration_seconds": 5}, "min_duration"),
        ({**WEEK, "first_id": 2**70}, "first_id"),
    ],
)
def test_bad_bodies_are_400_json_strings(team: Team, body: dict[str, Any], contains: str) -> None:
    assert_toggl_error(team.report(team.admin, SEARCH, **body), 400, contains)


def test_a_body_that_is_not_json_is_a_400(team: Team) -> None:
    r = team.client.post(
        team.url(SEARCH),
        content=b"{nope",
        headers={**team.admin.auth, "Content-Type": "application/json"},
    )
    assert_toggl_error(r, 400)


def test_an_unknown_reports_path_is_toggls_404(team: Team) -> None:
    assert_toggl_error(team.report(team.admin, "search/nothing", **WEEK), 404, "Not Found")


ODD_BODIES = [
    b"null",
    b"[]",
    b'"x"',
    b"",
    b'{"start_date":"2024-12-01","first_row_number":9223372036854775807}',
    b'{"start_date":"2024-12-01","grouped":true,"first_row_number":9223372036854775807}',
    b'{"start_date":"2024-12-01","description":"\\u0000"}',
    b'{"start_date":"2024-12-01","description":"\\ud800"}',
    b'{"start_date":"2024-12-01","user_ids":[1e30]}',
    b'{"start_date":"2024-12-01\\u0000"}',
    b'{"start_date":"2024-12-01","tag_ids":[9223372036854775807]}',
    b'{"start_date":"2024-12-01","order_by":"duration","first_id":1}',
    b'{"start_date":"2030-01-01","end_date":"2030-01-01"}',
]


@pytest.mark.parametrize(
    "tail",
    [
        SEARCH,
        SEARCH + "/totals",
        "summary/time_entries",
        "weekly/time_entries",
        "projects/summary",
        "search/time_entries.pdf",
    ],
)
def test_odd_bodies_are_answered_never_with_a_500(team: Team, tail: str) -> None:
    team.entry(team.admin, "2024-12-01T10:00:00Z", 60, description="x")
    for body in ODD_BODIES:
        r = team.client.post(
            team.url(tail),
            content=body,
            headers={**team.admin.auth, "Content-Type": "application/json"},
        )
        assert r.status_code in (200, 400), (body, r.status_code, r.text)
        if r.status_code == 400:
            assert_toggl_error(r, 400)
