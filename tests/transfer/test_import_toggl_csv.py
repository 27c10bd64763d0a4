"""Toggl's detailed report CSV, written the way Toggl writes it, imported with the right totals;
bad rows named by line, refused or skipped; an existing user receives the data."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.transfer.toggl_account import cli

HEADER = (
    "Email,User,Description,Project,Client,Task,Billable,Start date,Start time,"
    "End date,End time,Duration,Tags,Amount (EUR)"
)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\ufeff" + "\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _run(data: Path, *args: str) -> Any:
    return cli(data, data / "key", "import", "toggl", *args)


def _entries(data: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(data / "trackgate.db")
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute(
            "SELECT e.*, u.email, p.name AS project FROM time_entries e "
            "JOIN users u ON u.id = e.user_id LEFT JOIN projects p ON p.id = e.project_id "
            "ORDER BY e.start"
        )
        return [dict(r) for r in rows]
    finally:
        db.close()


def _seconds(row: dict[str, Any]) -> int:
    parse = datetime.fromisoformat
    return int((parse(row["stop"]) - parse(row["start"])).total_seconds())


def test_a_toggl_csv_imports_with_the_right_totals(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    yuki, zoe = f"yuki-{tag}@example.jp", f"zoe-{tag}@example.com"
    path = _write(
        tmp_path / "Toggl_time_entries.csv",
        [
            # the night clocks went forward in Berlin: 01:30 to 03:30 local is one real hour
            f'{yuki},山田 由紀,"夜の作業, 続き",社内,株式会社,,はい,2024-03-31,01:30:00,'
            '2024-03-31,03:30:00,01:00:00,"urgent, café",',
            # across midnight, an empty project, a description with a quote
            f'{zoe},Zoë Ñúñez,"say ""hi""",,,,いいえ,2024-06-01,23:00:00,2024-06-02,'
            "01:15:00,02:15:00,,",
            # the autumn night: 02:30 happens twice; the first is taken
            f"{zoe},Zoë Ñúñez,review,社内,株式会社,レビュー,Yes,2024-10-27,01:00:00,"
            "2024-10-27,04:00:00,04:00:00,urgent,12.00",
        ],
    )
    data = tmp_path / "data"
    done = _run(data, "--csv", str(path), "--tz", "Europe/Berlin", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["time_entries"] == 3
    assert summary["projects"] == 1 and summary["clients"] == 1
    assert summary["tags"] == 2 and summary["tasks"] == 1 and summary["workspaces"] == 1
    assert summary["users"] == [
        {"email": yuki, "created": True},
        {"email": zoe, "created": True},
    ]
    rows = _entries(data)
    assert [_seconds(r) for r in rows] == [3600, 8100, 4 * 3600]
    assert rows[0]["start"].startswith("2024-03-31 00:30:00")  # CET, UTC+1
    assert rows[1]["start"].startswith("2024-06-01 21:00:00")  # CEST, UTC+2
    assert rows[1]["project_id"] is None and rows[1]["description"] == 'say "hi"'
    assert [r["billable"] for r in rows] == [1, 0, 1]
    assert rows[0]["description"] == "夜の作業, 続き" and rows[0]["project"] == "社内"
    assert len(json.loads(rows[0]["tag_ids"])) == 2


def test_an_existing_user_receives_the_rows_in_their_workspace(tmp_path: Path) -> None:
    data = tmp_path / "data"
    email = f"known-{uuid.uuid4().hex[:8]}@example.com"
    made = cli(data, data / "key", "users", "create", "--email", email, "--password", "secret123")
    assert made.returncode == 0, made.stderr
    wid = json.loads(made.stdout)["default_workspace_id"]
    newcomer = f"new-{uuid.uuid4().hex[:8]}@example.com"
    path = _write(
        tmp_path / "t.csv",
        [
            f"{newcomer},New,a,P,,,No,2024-01-02,09:00:00,2024-01-02,10:00:00,01:00:00,,",
            f"{email},Known,b,P,,,Sí,2024-01-02,11:00:00,2024-01-02,11:30:00,00:30:00,,",
        ],
    )
    done = _run(data, "--csv", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["users"] == [
        {"email": newcomer, "created": True},
        {"email": email, "created": False},
    ]
    rows = _entries(data)
    assert {r["workspace_id"] for r in rows} == {wid}
    assert [r["billable"] for r in rows] == [0, 1]


def test_bad_rows_are_named_by_line_and_refused_or_skipped(tmp_path: Path) -> None:
    email = f"bad-{uuid.uuid4().hex[:8]}@example.com"
    path = _write(
        tmp_path / "bad.csv",
        [
            f"{email},A,ok,,,,No,2024-01-02,09:00:00,2024-01-02,10:00:00,01:00:00,,",
            f"{email},A,bad day,,,,No,2024-13-02,09:00:00,2024-01-02,10:00:00,01:00:00,,",
            f'{email},A,"two\nlines",,,,No,2024-01-03,09:00:00,2024-01-03,10:00:00,01:00:00,,',
            f"{email},A,odd flag,,,,Maybe,2024-01-04,09:00:00,2024-01-04,10:00:00,01:00:00,,",
            f"{email},A,backwards,,,,No,2024-01-05,09:00:00,2024-01-04,10:00:00,01:00:00,,",
        ],
    )
    data = tmp_path / "data"
    refused = _run(data, "--csv", str(path))
    assert refused.returncode == 1
    assert "3 bad rows, nothing imported" in refused.stderr
    assert "line 3:" in refused.stderr and "line 6: Billable" in refused.stderr
    assert "line 7: ends before it starts" in refused.stderr
    assert not (data / "trackgate.db").exists() or _entries(data) == []
    skipped = _run(data, "--csv", str(path), "--on-error", "skip", "--json")
    assert skipped.returncode == 0, skipped.stderr
    summary = json.loads(skipped.stdout)
    assert summary["time_entries"] == 2
    assert [s["line"] for s in summary["skipped"]] == [3, 6, 7]
    assert [r["description"] for r in _entries(data)] == ["ok", "two\nlines"]


def test_a_file_that_is_not_a_toggl_csv_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    done = _run(tmp_path / "data", "--csv", str(path))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "not a Toggl detailed report CSV" in done.stderr


def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = _write(tmp_path / "t.csv", [])
    for args in (
        (),
        ("--csv", str(path), "--token", "x"),
        ("--csv", str(path), "--tz", "Mars/Olympus"),
        ("--token", "x", "--tz", "UTC"),
        ("--csv", str(path), "--on-error", "ignore"),
        ("--token", "x", "--since", "2024-02-30"),
        ("--csv", str(tmp_path / "missing.csv")),
    ):
        done = _run(data, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("trackgate: ") and done.stderr.count("\n") == 1, args


def test_an_entry_ending_in_the_repeated_hour_lasts_what_it_lasted(tmp_path: Path) -> None:
    """02:50 (summer time) to 02:10 (winter time) the night Berlin's clocks go back: 20 min."""
    email = f"night-{uuid.uuid4().hex[:8]}@example.com"
    path = _write(
        tmp_path / "night.csv",
        [f"{email},N,late,,,,No,2024-10-27,02:50:00,2024-10-27,02:10:00,00:20:00,,"],
    )
    data = tmp_path / "data"
    done = _run(data, "--csv", str(path), "--tz", "Europe/Berlin", "--json")
    assert done.returncode == 0, done.stderr
    rows = _entries(data)
    assert [_seconds(r) for r in rows] == [1200]
    assert rows[0]["start"].startswith("2024-10-27 00:50:00")
