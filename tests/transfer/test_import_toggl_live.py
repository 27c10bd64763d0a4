"""A Toggl account built on one `trackgate serve --emulate-quota 30` imported into another data
dir over a real socket: the same listings and Reports totals, idempotent, and resumable after
SIGKILL at any point."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.transfer.toggl_account import Account, build_account, cli, snapshot, token_of


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Account, dict[str, Any]]:
    """The account, and what its owner sees, built and read on a server without a quota."""
    tmp = tmp_path_factory.mktemp("toggl-source")
    server = start_live_server(tmp)
    try:
        account = build_account(server)
        return tmp, account, snapshot(server.url, account.token)
    finally:
        stop_live_server(server)


def _quota_server(built: tuple[Path, Account, dict[str, Any]], quota: str) -> Any:
    """The built account served with Toggl's hourly quota emulated, counted from zero."""
    server = start_live_server(built[0], "--emulate-quota", quota)
    try:
        yield server, built[1]
    finally:
        stop_live_server(server)


@pytest.fixture
def source(built: tuple[Path, Account, dict[str, Any]]) -> Any:
    yield from _quota_server(built, "30")


@pytest.fixture
def roomy_source(built: tuple[Path, Account, dict[str, Any]]) -> Any:
    """Seven runs of the import spend more than Toggl's free hour: a larger quota here."""
    yield from _quota_server(built, "1000")


def _import(dest: Path, server: LiveServer, account: Account) -> dict[str, Any]:
    done = cli(
        dest,
        dest / "key",
        "import",
        "toggl",
        "--token",
        account.token,
        "--url",
        server.url,
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert account.token not in done.stdout + done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def _serve_and_snapshot(tmp: Path, dest: Path, email: str) -> dict[str, Any]:
    token = token_of(dest, dest / "key", email)
    env = {"TRACKGATE_DATA_DIR": str(dest), "TRACKGATE_KEY_FILE": str(dest / "key")}
    server = start_live_server(tmp, env=env)
    try:
        return snapshot(server.url, token)
    finally:
        stop_live_server(server)


def _tables(dest: Path) -> dict[str, Any]:
    """Every imported row, read straight from the database (ids included)."""
    import sqlite3

    db = sqlite3.connect(dest / "trackgate.db")
    try:
        out = {}
        for table in (
            "users",
            "workspaces",
            "clients",
            "projects",
            "tags",
            "tasks",
            "project_users",
            "time_entries",
            "import_refs",
            "workspace_members",
        ):
            skip = (
                {
                    "api_token_digest",
                    "api_token_ciphertext",
                    "toggl_accounts_id",
                    "created_at",
                    "updated_at",
                    "authorization_updated_at",
                    "at",
                }
                if table == "users"
                else set()
            )
            cursor = db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
            names = [d[0] for d in cursor.description]
            keep = [
                i
                for i, n in enumerate(names)
                if n not in skip
                and not (
                    table in ("workspace_members", "project_users") and n in ("created_at", "at")
                )
            ]
            out[table] = [tuple(row[i] for i in keep) for row in cursor]
        return out
    finally:
        db.close()


def test_an_imported_account_lists_and_reports_the_same(
    source: Any, built: Any, tmp_path: Path
) -> None:
    server, account = source
    dest = tmp_path / "dest"
    summary = _import(dest, server, account)
    assert summary["time_entries"] == 24
    assert summary["projects"] == 3 and summary["clients"] == 1 and summary["tags"] == 2
    assert summary["tasks"] == 1
    assert summary["upstream_requests"] <= 10
    assert {u["email"]: u["created"] for u in summary["users"]} == {
        account.email: True,
        **dict.fromkeys(account.member_emails, True),
    }
    expected = built[2]
    assert sum(v for k, v in expected.items() if k.endswith(" seconds")) > 0
    assert _serve_and_snapshot(tmp_path, dest, account.email) == expected


def test_running_it_twice_changes_nothing(source: Any, tmp_path: Path) -> None:
    server, account = source
    dest = tmp_path / "dest"
    _import(dest, server, account)
    before = _tables(dest)
    again = _import(dest, server, account)
    assert all(not u["created"] for u in again["users"])
    assert _tables(dest) == before
    assert len(before["time_entries"]) == 24


def test_killed_at_random_points_it_ends_as_one_clean_run(
    roomy_source: Any, tmp_path: Path
) -> None:
    server, account = roomy_source
    clean = tmp_path / "clean"
    _import(clean, server, account)
    dest = tmp_path / "dest"
    env = {**os.environ, "TRACKGATE_KEY_FILE": str(dest / "key"), "TRACKGATE_DATA_DIR": str(dest)}
    env.pop("TRACKGATE_TEST_DATABASE_URL", None)
    args = [
        sys.executable,
        "-m",
        "trackgate",
        "import",
        "toggl",
        "--token",
        account.token,
        "--url",
        server.url,
        "--json",
        "--data-dir",
        str(dest),
    ]
    chance = random.Random(21)
    for _ in range(5):
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(chance.uniform(1.0, 6.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
    _import(dest, server, account)
    got, want = _tables(dest), _tables(clean)
    assert len(got["time_entries"]) == len(want["time_entries"]) == 24
    assert got == want


def test_the_services_own_detailed_csv_imports_to_the_same_totals(
    roomy_source: Any, built: Any, tmp_path: Path
) -> None:
    """The detailed CSV the service exports (in the owner's zone, Europe/Berlin), imported
    into a data dir where the owner already exists: every report total is the same."""
    import httpx

    server, account = roomy_source
    dest = tmp_path / "dest"
    made = cli(
        dest,
        dest / "key",
        "users",
        "create",
        "--email",
        account.email,
        "--password",
        "secret123",
        "--timezone",
        "Europe/Berlin",
    )
    assert made.returncode == 0, made.stderr
    years = sorted({int(k.split()[0]) for k in built[2] if k.endswith(" seconds")})
    imported = 0
    for year in years:
        export = httpx.post(
            f"{server.url}/reports/api/v3/workspace/{account.workspace_id}/search/time_entries.csv",
            json={"start_date": f"{year}-01-01", "end_date": f"{year}-12-31"},
            auth=(account.token, "api_token"),
            timeout=60,
        )
        assert export.status_code == 200, export.text
        path = tmp_path / f"Toggl_time_entries_{year}.csv"
        path.write_bytes(export.content)
        done = cli(
            dest,
            dest / "key",
            "import",
            "toggl",
            "--csv",
            str(path),
            "--tz",
            "Europe/Berlin",
            "--json",
        )
        assert done.returncode == 0, done.stderr
        imported += json.loads(done.stdout)["time_entries"]
    assert imported == 24
    got = _serve_and_snapshot(tmp_path, dest, account.email)
    reports = [k for k in built[2] if k[:4].isdigit()]
    assert {k: got[k] for k in reports} == {k: built[2][k] for k in reports}
