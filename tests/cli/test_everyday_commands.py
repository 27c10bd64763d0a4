"""What a person reaches for during a day: ``cancel``, ``edit`` without an id, ``--task``,
project names by their first letters, shell completion of project names, ``report`` for last
week or any range, ``timesheet``, each day's total in ``ls``, and project names (not ids)
through the gateway."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli.conftest import Terminal, terminal_for
from tests.conftest import LiveServer

WIDE = {"COLUMNS": "200"}


@pytest.fixture
def direct(server: LiveServer, tmp_path: Path) -> Terminal:
    return terminal_for(server, "direct", tmp_path / "home")


def _today() -> date:
    from datetime import datetime

    return datetime.now(ZoneInfo("Europe/Berlin")).date()


def test_cancel_discards_the_running_timer(terminal: Terminal) -> None:
    started = terminal.json("start", "oops")
    cancelled = terminal.run("cancel")
    assert cancelled.returncode == 0, cancelled.stderr
    assert cancelled.stdout.startswith("Discarded oops")
    assert terminal.json("now") is None
    assert started["id"] not in [e["id"] for e in terminal.json("ls")]
    again = terminal.run("cancel")
    assert again.returncode == 1 and again.stderr.strip() == "trackgate: nothing is running"
    terminal.json("start", "kept")
    as_json = terminal.json("cancel")
    assert as_json["description"] == "kept"


def test_edit_without_an_id_changes_the_running_then_the_last_entry(direct: Terminal) -> None:
    direct.json("add", "older", "--start", "yesterday 9-10")
    running = direct.json("start", "A")
    assert direct.json("edit", "-d", "B")["id"] == running["id"]
    direct.json("stop")
    last = direct.json("edit", "-d", "C")
    assert last["id"] == running["id"] and last["description"] == "C"


def test_task_by_name_or_id_and_projects_by_prefix(direct: Terminal) -> None:
    website = direct.json("projects", "add", "Website")
    direct.json("projects", "add", "Webshop")
    backend = direct.json("projects", "add", "Backend")
    design = direct.json("tasks", "add", "Design", "-p", "Website")
    started = direct.json("start", "x", "-p", "Website", "--task", "des")
    assert started["task_id"] == design["id"] and started["project_id"] == website["id"]
    added = direct.json(
        "add", "y", "--start", "-2h", "--duration", "1h", "--task", str(design["id"])
    )
    assert added["task_id"] == design["id"]
    no_project = direct.run("start", "z", "--task", "Design")
    assert no_project.returncode == 2 and len(no_project.stderr.strip().splitlines()) == 1

    assert direct.json("start", "b", "-p", "back")["project_id"] == backend["id"]
    both = direct.run("start", "w", "-p", "web")
    assert both.returncode == 2 and "Website" in both.stderr and "Webshop" in both.stderr
    typo = direct.run("start", "t", "-p", "Webiste")
    assert typo.returncode == 2 and len(typo.stderr.strip().splitlines()) == 1
    assert "Did you mean 'Website'?" in typo.stderr


def test_project_names_complete_from_the_cache(direct: Terminal) -> None:
    direct.json("projects", "add", "Website")
    direct.json("projects", "add", "Backend")
    direct.json("start", "x", "-p", "Website")  # the run that caches the names
    direct.subprocess = True
    env = {"_TRACKGATE_COMPLETE": "bash_complete", "COMP_WORDS": "trackgate start -p W"}
    done = direct.run("start", env={**env, "COMP_CWORD": "3"})
    assert done.returncode == 0, done.stderr
    assert "Website" in done.stdout and "Backend" not in done.stdout


def test_report_for_last_week_and_for_any_range(direct: Terminal) -> None:
    today = _today()
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(days=7)
    direct.json("add", "a", "--start", f"{last_monday} 9-10")
    direct.json("add", "b", "--start", f"{last_monday + timedelta(days=2)} 9-9:30")
    last_week = direct.json("report", "--date", "last week")
    assert last_week["start_date"] == last_monday.isoformat()
    assert last_week["end_date"] == (monday - timedelta(days=1)).isoformat()
    assert last_week["total_seconds"] == 5400
    assert direct.json("report", "week", "--date", "last week") == last_week
    ranged = direct.json("report", "--since", str(last_monday), "--until", str(last_monday))
    assert ranged["total_seconds"] == 3600 and ranged["end_date"] == str(last_monday)
    mixed = direct.run("report", "month", "--date", "last week")
    assert mixed.returncode == 2 and len(mixed.stderr.strip().splitlines()) == 1
    both = direct.run("report", "week", "--since", "monday")
    assert both.returncode == 2


def test_timesheet_is_the_week_as_a_grid(direct: Terminal) -> None:
    direct.json("projects", "add", "Alpha")
    direct.json("projects", "add", "Beta")
    direct.json("add", "a", "--start", "2024-12-10 9-11", "-p", "Alpha")
    direct.json("add", "a", "--start", "2024-12-12 9-10", "-p", "Alpha")
    direct.json("add", "b", "--start", "2024-12-12 14:00-14:30", "-p", "Beta")
    sheet = direct.json("timesheet", "--date", "2024-12-11")
    assert sheet["days"][0] == "2024-12-09" and sheet["days"][-1] == "2024-12-15"
    rows = {r["project"]: r["seconds"] for r in sheet["rows"]}
    assert rows == {"Alpha": [0, 7200, 0, 3600, 0, 0, 0], "Beta": [0, 0, 0, 1800, 0, 0, 0]}
    assert sheet["totals"] == [0, 7200, 0, 5400, 0, 0, 0] and sheet["total_seconds"] == 12600
    table = direct.run("timesheet", "--date", "2024-12-11", env=WIDE)
    assert table.returncode == 0, table.stderr
    total_line = next(line for line in table.stdout.splitlines() if "Total" in line)
    assert "1:30:00" in total_line and "3:30:00" in total_line


def test_ls_shows_each_day_total(direct: Terminal) -> None:
    direct.json("add", "a", "--start", "yesterday 9-10")
    direct.json("add", "b", "--start", "yesterday 11:00-11:30")
    direct.json("add", "c", "--start", f"{_today() - timedelta(days=3)} 9:00", "--duration", "15m")
    listed = direct.run("ls", env=WIDE)
    totals = [line for line in listed.stdout.splitlines() if " total " in line]
    assert len(totals) == 2
    assert "1:30:00" in totals[0] and "0:15:00" in totals[1]
    as_json = direct.json("ls")
    assert len(as_json) == 3 and all("id" in e for e in as_json)  # JSON: entries only


def test_start_through_the_gateway_names_the_project(server: LiveServer, tmp_path: Path) -> None:
    gateway = terminal_for(server, "gateway", tmp_path / "home")
    gateway.json("projects", "add", "Website")
    started = gateway.run("start", "x", "-p", "Website")
    assert started.returncode == 0, started.stderr
    assert "[Website]" in started.stdout and "[#" not in started.stdout
    assert json.loads(gateway.run("now", "--json").stdout)["description"] == "x"
