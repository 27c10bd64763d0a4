"""Toggl's workspace data-export ZIP: clients, projects (rates, colours, archived), tags, users,
project users and tasks imported; a second import changes nothing."""

from __future__ import annotations

import json
import sqlite3
import uuid
import zipfile
from pathlib import Path
from typing import Any

from tests.transfer.toggl_account import cli


def _zip(path: Path, tag: str) -> Path:
    wid = 9_000_001
    files: dict[str, Any] = {
        "clients.json": [{"id": 501, "wid": wid, "name": "Société Générale", "archived": False}],
        "projects.json": [
            {
                "id": 601,
                "wid": wid,
                "cid": 501,
                "name": "Refonte",
                "active": True,
                "billable": True,
                "rate": 95.5,
                "color": "#06A893",
                "is_private": False,
                "currency": "EUR",
                "at": "2023-05-01T10:00:00+00:00",
            },
            {"id": 602, "wid": wid, "name": "Ancien", "active": False, "color": "#bc2d07"},
        ],
        "tags.json": [{"id": 701, "wid": wid, "name": "à faire"}],
        "workspace_users.json": [
            {
                "id": 1,
                "uid": 801,
                "wid": wid,
                "email": f"chef-{tag}@example.fr",
                "name": "Chef Équipe",
                "admin": True,
                "active": True,
                "rate": 120,
            },
            {
                "id": 2,
                "uid": 802,
                "wid": wid,
                "email": f"dev-{tag}@example.fr",
                "name": "Dév",
                "admin": False,
                "active": True,
            },
        ],
        "projects_users/601.json": [
            {"id": 901, "pid": 601, "uid": 802, "wid": wid, "manager": False, "rate": 70}
        ],
        "tasks/601.json": [
            {
                "id": 1001,
                "pid": 601,
                "wid": wid,
                "name": "Maquettes",
                "active": True,
                "estimated_seconds": 36000,
            }
        ],
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, json.dumps(body, ensure_ascii=False))
    return path


def _rows(data: Path, query: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(data / "trackgate.db")
    try:
        return list(db.execute(query))
    finally:
        db.close()


def test_a_data_export_zip_imports_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    path = _zip(tmp_path / "toggl_export.zip", tag)
    data = tmp_path / "data"
    done = cli(data, data / "key", "import", "toggl", "--zip", str(path), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert {k: summary[k] for k in ("clients", "projects", "tags", "tasks", "project_users")} == {
        "clients": 1,
        "projects": 2,
        "tags": 1,
        "tasks": 1,
        "project_users": 1,
    }
    assert summary["time_entries"] == 0
    assert summary["users"] == [
        {"email": f"chef-{tag}@example.fr", "created": True},
        {"email": f"dev-{tag}@example.fr", "created": True},
    ]
    projects = _rows(
        data,
        "SELECT p.name, p.active, p.color, p.rate, p.currency, c.name FROM projects p "
        "LEFT JOIN clients c ON c.id = p.client_id ORDER BY p.name",
    )
    assert projects == [
        ("Ancien", 0, "#bc2d07", None, None, None),
        ("Refonte", 1, "#06a893", 95.5, "EUR", "Société Générale"),
    ]
    tables = (
        "users",
        "workspaces",
        "clients",
        "projects",
        "tags",
        "tasks",
        "project_users",
        "workspace_members",
        "import_refs",
    )
    before = {t: _rows(data, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}  # noqa: S608
    assert _rows(data, "SELECT rate FROM workspace_members WHERE rate IS NOT NULL") == [(120.0,)]
    again = cli(data, data / "key", "import", "toggl", "--zip", str(path), "--json")
    assert again.returncode == 0, again.stderr
    assert all(not u["created"] for u in json.loads(again.stdout)["users"])
    after = {t: _rows(data, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}  # noqa: S608
    assert after == before


def test_a_file_that_is_not_the_export_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip")
    done = cli(tmp_path / "d", tmp_path / "d" / "key", "import", "toggl", "--zip", str(path))
    assert done.returncode == 1
    assert done.stderr.strip() == f"trackgate: {path} is not a ZIP file"
