"""CSV and PDF exports: Toggl's column names, totals that agree with the JSON report, and PDFs
whose first page reads right (text) and looks right (rendered: a bar per tracked day, a table).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.reports.helpers import Team, assert_toggl_error, make_team
from tests.service.core_helpers import cheap_hashing  # noqa: F401 (autouse: cheap argon2)
from trackgate.reports.durations import duration, money
from trackgate.reports.pdf_render import BAR_COLOR, HEADER_FILL
from trackgate.runtime import Runtime

WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}
DETAILED_COLUMNS = [
    "User",
    "Email",
    "Client",
    "Project",
    "Task",
    "Description",
    "Billable",
    "Start date",
    "Start time",
    "End date",
    "End time",
    "Duration",
    "Tags",
    "Amount (USD)",
]


@pytest.fixture
def team(client: TestClient, runtime: Runtime) -> Team:
    made = make_team(client, runtime)
    made.workspace(default_hourly_rate=40.0)
    apollo = made.project("Apollo", billable=True)
    made.entry(
        made.admin,
        "2024-12-09T08:00:00Z",
        5400,
        project_id=apollo["id"],
        billable=True,
        description="Kick-off",
        tags=["meeting"],
    )
    made.entry(
        made.member,
        "2024-12-10T09:00:00Z",
        1234,
        project_id=apollo["id"],
        billable=True,
        description='Café notes, "quoted"',
    )
    made.entry(made.admin, "2024-12-12T13:00:00Z", 4321, description="Admin work")
    return made


def seconds_of(text: str) -> int:
    hours, minutes, secs = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + secs


def export(team: Team, tail: str, **body: Any) -> bytes:
    r = team.report(team.admin, tail, **body)
    assert r.status_code == 200, r.text
    kind = tail.rsplit(".", 1)[1]
    assert r.headers["content-type"].startswith({"csv": "text/csv", "pdf": "application/pdf"}[kind])
    assert f".{kind}" in r.headers["content-disposition"]
    return r.content


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def first_page(content: bytes) -> tuple[str, Image.Image]:
    document = pdfium.PdfDocument(content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=2).to_pil().convert("RGB")
    page.close()
    document.close()
    return text, image


def _rows(image: Image.Image) -> list[list[bytes]]:
    data = image.tobytes()
    width = image.width * 3
    return [
        [data[y * width + x : y * width + x + 3] for x in range(0, width, 3)]
        for y in range(image.height)
    ]


def bar_runs(image: Image.Image) -> int:
    """The most separate bars any row of pixels crosses: one per drawn bar."""
    color = bytes(BAR_COLOR)
    best = 0
    for row in _rows(image)[::3]:
        runs, inside = 0, False
        for pixel in row:
            hit = pixel == color
            runs += hit and not inside
            inside = hit
        best = max(best, runs)
    return best


def count_color(image: Image.Image, color: tuple[int, int, int]) -> int:
    wanted = bytes(color)
    return sum(row.count(wanted) for row in _rows(image))


def test_detailed_csv_has_toggls_columns_and_the_reports_totals(team: Team) -> None:
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    rows = read_csv(export(team, "search/time_entries.csv", **WEEK))
    assert list(rows[0]) == DETAILED_COLUMNS
    assert len(rows) == 3
    assert sum(seconds_of(r["Duration"]) for r in rows) == totals["seconds"] == 5400 + 1234 + 4321
    amounts = sum(round(float(r["Amount (USD)"]) * 100) for r in rows if r["Amount (USD)"])
    assert amounts == totals["billable_amount_in_cents"]
    cafe = next(r for r in rows if r["User"] == "Mo Member")
    assert cafe["Description"] == 'Café notes, "quoted"'
    assert cafe["Billable"] == "Yes" and cafe["Project"] == "Apollo"
    kickoff = next(r for r in rows if r["Description"] == "Kick-off")
    assert (kickoff["Start date"], kickoff["Start time"], kickoff["End time"]) == (
        "2024-12-09",
        "08:00:00",
        "09:30:00",
    )
    assert kickoff["Tags"] == "meeting"


def test_csv_without_amounts_and_in_decimal_hours(team: Team) -> None:
    content = export(
        team, "search/time_entries.csv", **WEEK, hide_amounts=True, duration_format="decimal"
    )
    rows = read_csv(content)
    assert "Amount (USD)" not in rows[0]
    assert sorted(r["Duration"] for r in rows) == ["0.34", "1.20", "1.50"]


def test_summary_and_weekly_csv_agree_with_json(team: Team) -> None:
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    summary = read_csv(export(team, "summary/time_entries.csv", **WEEK))
    assert list(summary[0]) == ["Project", "Description", "Duration", "Amount (USD)"]
    assert sum(seconds_of(r["Duration"]) for r in summary) == totals["seconds"]
    weekly = read_csv(export(team, "weekly/time_entries.csv", start_date="2024-12-09"))
    assert list(weekly[0])[:2] == ["User", "Project"] and list(weekly[0])[-1] == "Total"
    assert sum(seconds_of(r["Total"]) for r in weekly) == totals["seconds"]


@pytest.mark.parametrize(
    ("tail", "title", "bars"),
    [
        ("search/time_entries.pdf", "Detailed report", 3),
        ("summary/time_entries.pdf", "Summary report", 2),
        ("weekly/time_entries.pdf", "Weekly report", 3),
    ],
)
def test_pdf_first_page_shows_title_range_totals_chart_and_table(
    team: Team, tail: str, title: str, bars: int
) -> None:
    totals = team.ok(team.admin, "search/time_entries/totals", **WEEK)
    text, image = first_page(export(team, tail, **WEEK))
    assert title in text
    assert "2024-12-09 to 2024-12-15" in text
    assert f"Total {duration(totals['seconds'])}" in text
    assert f"Amount {money(totals['billable_amount_in_cents'])} USD" in text
    assert "Duration" in text or "Total" in text  # the table's header
    assert bar_runs(image) == bars  # detailed, weekly: one per tracked day; summary: per group
    assert count_color(image, HEADER_FILL) > 1000  # the table's header band is drawn


def test_pdf_lists_entries_and_replaces_what_its_font_cannot_print(team: Team) -> None:
    team.entry(team.admin, "2024-12-11T10:00:00Z", 60, description="Zürich → 東京")
    text, _ = first_page(export(team, "search/time_entries.pdf", **WEEK))
    assert "Kick-off" in text and "Admin work" in text
    assert "Zürich ? ??" in text


def test_exports_of_an_empty_report_are_files_too(team: Team) -> None:
    empty = {"start_date": "2020-01-01", "end_date": "2020-01-07"}
    rows = read_csv(export(team, "search/time_entries.csv", **empty))
    assert rows == []
    text, _ = first_page(export(team, "summary/time_entries.pdf", **empty))
    assert "Total 00:00:00" in text


@pytest.mark.parametrize(
    "tail",
    [
        "search/time_entries.csv",
        "search/time_entries.pdf",
        "summary/time_entries.csv",
        "summary/time_entries.pdf",
        "weekly/time_entries.csv",
        "weekly/time_entries.pdf",
    ],
)
def test_export_refusals_are_toggls_json_strings(team: Team, tail: str) -> None:
    assert_toggl_error(team.report(team.admin, tail, start_date="yesterday"), 400, "start_date")
    assert_toggl_error(team.report(team.admin, tail, **WEEK, duration_format="roman"), 400)
    r = team.client.post(team.url(tail), json=WEEK)
    assert r.status_code == 401 and r.content == b""


def test_an_unknown_export_format_is_toggls_404(team: Team) -> None:
    assert_toggl_error(team.report(team.admin, "search/time_entries.xlsx", **WEEK), 404)
