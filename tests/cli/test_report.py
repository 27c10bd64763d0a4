"""``trackgate report``: from the Reports API's detailed rows where the server has one (with
the server's rates), else from the entries."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Switch, terminal_for
from tests.conftest import LiveServer


def test_report_uses_the_reports_api_where_the_server_has_one(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = terminal_for(server, "direct", tmp_path / "home")
    terminal.env["TOGGL_API_URL"] = f"{switch.url}/api/v9"
    project = terminal.json("projects", "add", "Reported")
    switch.report_rows = [
        {
            "description": "Design",
            "project_id": project["id"],
            "billable": True,
            "hourly_rate_in_cents": 10000,
            "currency": "EUR",
            "tag_ids": [],
            "row_number": 1,
            "time_entries": [
                {"id": 1, "seconds": 1800, "start": "2026-03-02T09:00:00+01:00"},
                {"id": 2, "seconds": 5400, "start": "2026-03-02T11:00:00+01:00"},
            ],
        }
    ]
    report = terminal.json("report", "day", "--date", "2026-03-02", "--round", "1h")
    assert report["groups"] == [
        {
            "title": "Reported",
            "seconds": 3600 + 7200,
            "billable_seconds": 3600 + 7200,
            "amounts": {"EUR": 300.0},
        }
    ]


def test_report_falls_back_to_the_entries(
    switch: Switch, server: LiveServer, tmp_path: Path
) -> None:
    terminal = terminal_for(server, "direct", tmp_path / "home")
    terminal.json("projects", "add", "Web", "--rate", "60", "--billable")
    terminal.json(
        "add",
        "a",
        "--start",
        "2026-03-02 09:00",
        "--duration",
        "30m",
        "-p",
        "Web",
        "--billable",
        "-t",
        "x",
    )
    terminal.json("add", "b", "--start", "2026-03-03 09:00", "--duration", "1h", "-t", "x")
    by_tag = terminal.json("report", "week", "--date", "2026-03-04", "--by", "tag")
    assert by_tag["start_date"] == "2026-03-02" and by_tag["end_date"] == "2026-03-08"
    assert by_tag["groups"][0]["title"] == "x" and by_tag["groups"][0]["seconds"] == 5400
    by_project = terminal.json("report", "week", "--date", "2026-03-04")
    web = next(g for g in by_project["groups"] if g["title"] == "Web")
    assert web["seconds"] == 1800 and list(web["amounts"].values()) == [30.0]
    table = terminal.run("report", "week", "--date", "2026-03-04", "--by", "day")
    assert table.returncode == 0 and "█" in table.stdout and "Total" in table.stdout


def test_report_counts_days_in_the_commands_zone_not_the_profiles(
    server: LiveServer, tmp_path: Path
) -> None:
    """The Reports API reads dates in the profile's zone (UTC here); the command counts the
    day in its own (Europe/Berlin): entries near midnight land on Berlin's day."""
    terminal = terminal_for(server, "direct", tmp_path / "home")
    assert terminal.env["TZ"] == "Europe/Berlin"
    for start, minutes in (("2026-03-02 00:30", 10), ("2026-03-02 23:30", 20)):
        terminal.json("add", "inside", "--start", start, "--duration", f"{minutes}m")
    for start in ("2026-03-01 23:30", "2026-03-03 00:30"):  # UTC's 03-01 22:30 and 03-02 23:30
        terminal.json("add", "outside", "--start", start, "--duration", "40m")
    day = terminal.json("report", "day", "--date", "2026-03-02", "--by", "description")
    assert {g["title"]: g["seconds"] for g in day["groups"]} == {"inside": 30 * 60}
