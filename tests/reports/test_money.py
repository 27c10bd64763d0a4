"""Billable amounts: the rate by Toggl's precedence (task, project user, project, workspace user,
workspace), cents rounded per entry before any sum (totals, the summary's rows per project and
user, the weekly report's days; with amounts for which rounding the sum would differ),
currencies apart, rounding of durations, and ``hide_amounts``."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient

from tests.reports.helpers import Team, make_team
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.reports.durations import money
from trackgate.runtime import Runtime

WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}
HOUR = 3600


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    made = make_team(client, runtime)
    made.workspace(default_hourly_rate=50.0, default_currency="USD")
    return made


def read_csv(team: Team, tail: str, **body: Any) -> list[dict[str, str]]:
    r = team.report(team.admin, tail, **WEEK, **body)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


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
    unbilled = team.entry(
        team.admin, "2024-12-10T14:00:00Z", HOUR, project_id=project["id"], billable=False
    )
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


def test_a_members_own_rates_come_between_task_project_and_workspace(team: Team) -> None:
    project = team.project("Gemini", rate=100.0, billable=True)
    base = f"/api/v9/workspaces/{team.workspace_id}"
    made = team.client.post(
        f"{base}/project_users",
        json={"project_id": project["id"], "user_id": team.member.id, "rate": 120.0},
        headers=team.admin.auth,
    )
    assert made.status_code == 200, made.text
    changed = team.client.put(
        f"{base}/workspace_users/{team.other.id}", json={"rate": 70.0}, headers=team.admin.auth
    )
    assert changed.status_code == 200, changed.text
    task = team.task(project["id"], "Priced", rate=150.0)
    fields = {"project_id": project["id"], "billable": True}
    by_member = team.entry(team.member, "2024-12-10T08:00:00Z", HOUR, **fields)
    by_member_on_task = team.entry(
        team.member, "2024-12-10T10:00:00Z", HOUR, task_id=task, **fields
    )
    by_other_on_project = team.entry(team.other, "2024-12-10T08:00:00Z", HOUR, **fields)
    by_other_bare = team.entry(team.other, "2024-12-10T10:00:00Z", HOUR, billable=True)
    rows = rows_by_id(team)
    assert rows[by_member["id"]]["hourly_rate_in_cents"] == 12000  # project user over project
    assert rows[by_member_on_task["id"]]["hourly_rate_in_cents"] == 15000  # task over all
    assert rows[by_other_on_project["id"]]["hourly_rate_in_cents"] == 10000  # project over ws user
    assert rows[by_other_bare["id"]]["hourly_rate_in_cents"] == 7000  # ws user over workspace
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    assert totals["billable_amount_in_cents"] == 12000 + 15000 + 10000 + 7000


def entry_cents(seconds: int, rate: str) -> int:
    """What one entry earns at an hourly ``rate``, in cents rounded half up -- worked out with
    decimals here, apart from the code under test."""
    cents = Decimal(seconds) * Decimal(rate) * 100 / HOUR
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_of(amount: str) -> int:
    """``"180.10"`` (an export's amount) -> 18010."""
    return int(Decimal(amount) * 100)


#: Seconds of billable entries at 45.00/h (1.25 cents a second), all on one day at one rate:
#: three earn 45.025 (half up: 45.03), one 45.0125 (45.01).
ONE_DAY = [3602, 3602, 3602, 3601]


def test_each_entry_is_rounded_to_cents_before_the_sum(team: Team) -> None:
    team.workspace(default_hourly_rate=45.0)
    made = [
        team.entry(team.admin, f"2024-12-10T{8 + n * 2:02d}:00:00Z", seconds, billable=True)
        for n, seconds in enumerate(ONE_DAY)
    ]
    expected = sum(entry_cents(s, "45") for s in ONE_DAY)
    assert expected == 3 * 4503 + 4501 == 18010
    # the amounts tell the ways apart: rounded on the sum it would be 180.09
    assert entry_cents(sum(ONE_DAY), "45") == 18009 != expected
    rows = rows_by_id(team)
    assert [rows[e["id"]]["billable_amount_in_cents"] for e in made] == [4503] * 3 + [4501]
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    assert totals["billable_amount_in_cents"] == expected
    [day] = [b for b in totals["graph"] if b["seconds"]]
    assert day["billable_amount_in_cents"] == expected
    assert [(r["hourly_rate_in_cents"], r["billable_seconds"]) for r in totals["rates"]] == [
        (4500, sum(ONE_DAY))
    ]
    # the PDF's total is the sum of its rates' amounts
    pdf = team.report(team.admin, "search/time_entries.pdf", **WEEK)
    assert pdf.status_code == 200, pdf.text
    assert "Amount 180.10 USD" in pdf_text(pdf.content)


#: (person, project, seconds of each entry) on 2024-12-10; Apollo bills the workspace's 45.00/h,
#: Gemini its own 95.00/h. Each person's entries on a project, rounded on their sum, would
#: come to a cent less than the entries rounded one by one.
SPLIT = [
    ("admin", "Apollo", [3602, 3602]),
    ("member", "Apollo", [1802, 1802, 1801]),
    ("admin", "Gemini", [3601, 3601]),
    ("member", "Gemini", [1801, 1801, 1801]),
]
RATES = {"Apollo": "45", "Gemini": "95"}


@pytest.fixture
def split_team(team: Team) -> Team:
    team.workspace(default_hourly_rate=45.0)
    projects = {"Apollo": team.project("Apollo"), "Gemini": team.project("Gemini", rate=95.0)}
    hour = 6
    for who, project, durations in SPLIT:
        person = team.admin if who == "admin" else team.member
        for seconds in durations:
            team.entry(
                person,
                f"2024-12-10T{hour:02d}:00:00Z",
                seconds,
                project_id=projects[project]["id"],
                billable=True,
                description=f"{project} work",
            )
            hour += 1
    return team


def expected_split() -> dict[tuple[str, str], int]:
    """(user's name, project) -> cents, each entry rounded on its own before the sum."""
    names = {"admin": "Ada Admin", "member": "Mo Member"}
    found: dict[tuple[str, str], int] = {}
    for who, project, durations in SPLIT:
        per_entry = sum(entry_cents(s, RATES[project]) for s in durations)
        assert entry_cents(sum(durations), RATES[project]) == per_entry - 1  # tells them apart
        found[(names[who], project)] = per_entry
    return found


def test_summary_subtotals_per_project_and_user_round_each_entry(split_team: Team) -> None:
    expected = expected_split()
    assert expected == {
        ("Ada Admin", "Apollo"): 2 * 4503,
        ("Mo Member", "Apollo"): 2 * 2253 + 2251,
        ("Ada Admin", "Gemini"): 2 * 9503,
        ("Mo Member", "Gemini"): 3 * 4753,
    }
    by_project = read_csv(
        split_team, "summary/time_entries.csv", grouping="projects", sub_grouping="users"
    )
    assert {(r["User"], r["Project"]): cents_of(r["Amount (USD)"]) for r in by_project} == expected
    by_user = read_csv(
        split_team, "summary/time_entries.csv", grouping="users", sub_grouping="projects"
    )
    assert {(r["User"], r["Project"]): cents_of(r["Amount (USD)"]) for r in by_user} == expected
    # the default sub-grouping (by description) puts each project's entries in one row
    by_description = read_csv(split_team, "summary/time_entries.csv")
    per_project = {
        project: sum(c for (_, p), c in expected.items() if p == project) for project in RATES
    }
    assert {r["Project"]: cents_of(r["Amount (USD)"]) for r in by_description} == per_project
    pdf = split_team.report(
        split_team.admin,
        "summary/time_entries.pdf",
        **WEEK,
        grouping="users",
        sub_grouping="projects",
    )
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content)
    table = {line.rsplit(" ", 2)[0]: line.rsplit(" ", 1)[1] for line in text.splitlines()}
    for (user, project), cents in expected.items():
        assert table[f"{user} {project}"] == money(cents)  # name, project, duration, amount
    totals = split_team.ok(split_team.admin, "search/time_entries/totals", **WEEK)
    assert totals["billable_amount_in_cents"] == sum(expected.values())
    assert f"Amount {money(sum(expected.values()))} USD" in text


def test_weekly_amounts_per_user_and_project_round_each_entry(split_team: Team) -> None:
    expected = expected_split()
    ids = {"Ada Admin": split_team.admin.id, "Mo Member": split_team.member.id}
    weekly = split_team.ok(split_team.admin, "weekly/time_entries", start_date="2024-12-09")
    projects = {
        p["id"]: p["name"]
        for p in split_team.client.get(
            f"/api/v9/workspaces/{split_team.workspace_id}/projects",
            headers=split_team.admin.auth,
        ).json()
    }
    got = {}
    for row in weekly:
        user = next(name for name, i in ids.items() if i == row["user_id"])
        amounts = row["billable_amounts_in_cents"]
        assert amounts[1] == sum(amounts)  # Tuesday the 10th, the week starting on Monday
        got[(user, projects[row["project_id"]])] = amounts[1]
    assert got == expected


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
