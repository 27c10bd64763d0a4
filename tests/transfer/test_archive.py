"""The lossless archive: export, import into a fresh data dir, export again: the same bytes,
and every v9 listing answers the same from both servers."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.transfer.commands import environment, run_trackgate

LISTINGS = [
    "/me",
    "/me?with_related_data=true",
    "/me/workspaces",
    "/me/organizations",
    "/me/clients",
    "/me/projects",
    "/me/tags",
    "/me/tasks",
    "/me/preferences",
    "/me/time_entries?start_date=2025-12-01&end_date=2026-02-01",
    "/me/time_entries/current",
]


def _env(tmp_path: Path, name: str) -> dict[str, str]:
    env = environment()
    (tmp_path / name).mkdir(exist_ok=True)  # only the data dir's last component is made
    env["TRACKGATE_DATA_DIR"] = str(tmp_path / name / "data")
    env["TRACKGATE_KEY_FILE"] = str(tmp_path / name / "config" / "secret.key")
    return env


def _user(env: dict[str, str], name: str) -> dict[str, Any]:
    made = run_trackgate(
        env, "users", "create", "--email", f"{name}-{uuid.uuid4().hex[:6]}@example.com",
        "--password", "secret123", "--fullname", f"Zoë {name}",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    user: dict[str, Any] = json.loads(made.stdout)
    return user


def _fill(server: LiveServer, me: dict[str, Any]) -> None:
    """Some of everything: a client, projects, a task, tags, entries (one running, one
    deleted), preferences."""
    wid = me["default_workspace_id"]
    with httpx.Client(
        base_url=f"{server.url}/api/v9", auth=(me["api_token"], "api_token"), timeout=30
    ) as toggl:

        def post(path: str, body: dict[str, Any]) -> Any:
            made = toggl.post(path, json=body)
            assert made.status_code == 200, made.text
            return made.json()

        client = post(f"/workspaces/{wid}/clients", {"name": "Ærø Client"})
        project = post(
            f"/workspaces/{wid}/projects",
            {"name": "東京 project", "client_id": client["id"], "billable": True, "rate": 42.5},
        )
        post(f"/workspaces/{wid}/projects", {"name": "archived one", "active": False})
        task = post(f"/workspaces/{wid}/projects/{project['id']}/tasks", {"name": "Design"})
        tag = post(f"/workspaces/{wid}/tags", {"name": "urgent"})
        for day in range(1, 6):
            post(
                f"/workspaces/{wid}/time_entries",
                {
                    "description": f"work {day} =cmd",
                    "start": f"2026-01-0{day}T09:00:00.250Z",
                    "duration": 3600 + day,
                    "workspace_id": wid,
                    "project_id": project["id"],
                    "task_id": task["id"],
                    "tags": ["urgent", "new tag"],
                    "billable": True,
                    "created_with": "tests",
                },
            )
        gone = post(
            f"/workspaces/{wid}/time_entries",
            {"start": "2026-01-07T09:00:00Z", "duration": 60, "workspace_id": wid,
             "created_with": "tests"},
        )  # fmt: skip
        assert toggl.delete(f"/workspaces/{wid}/time_entries/{gone['id']}").status_code == 200
        post(
            f"/workspaces/{wid}/time_entries",
            {"start": "2026-01-08T09:00:00Z", "duration": -1, "workspace_id": wid,
             "created_with": "tests", "tag_ids": [tag["id"]]},
        )  # fmt: skip
        assert toggl.post("/me/preferences", json={"date_format": "DD.MM.YYYY"}).is_success


def _listings(server: LiveServer, me: dict[str, Any]) -> dict[str, Any]:
    wid = me["default_workspace_id"]
    paths = [*LISTINGS, f"/workspaces/{wid}/users", f"/workspaces/{wid}/project_users"]
    with httpx.Client(
        base_url=f"{server.url}/api/v9", auth=(me["api_token"], "api_token"), timeout=30
    ) as toggl:
        answers = {}
        for path in paths:
            got = toggl.get(path)
            assert got.status_code == 200, (path, got.text)
            answers[path] = got.json()
        return answers


def test_archive_round_trip_is_byte_identical_and_serves_the_same(tmp_path: Path) -> None:
    source = _env(tmp_path, "a")
    first, second = _user(source, "first"), _user(source, "second")
    (tmp_path / "serve-a").mkdir()
    server_a = start_live_server(tmp_path / "serve-a", env=source)
    try:
        _fill(server_a, first)
        _fill(server_a, second)
        exported = run_trackgate(
            source, "export", "--format", "jsonl", "--out", str(tmp_path / "a.jsonl")
        )
        assert exported.returncode == 0, exported.stderr
        summary = json.loads(exported.stdout)
        assert summary["tables"]["time_entries"] == 14
        assert "connections" not in summary["tables"] and "meta" not in summary["tables"]
        before = {who["email"]: _listings(server_a, who) for who in (first, second)}
    finally:
        stop_live_server(server_a)

    target = _env(tmp_path, "b")
    no_key = run_trackgate(target, "import", "archive", str(tmp_path / "a.jsonl"))
    assert no_key.returncode == 2 and "fingerprint" in no_key.stderr
    assert not Path(target["TRACKGATE_KEY_FILE"]).exists()
    Path(target["TRACKGATE_KEY_FILE"]).parent.mkdir(parents=True)
    shutil.copy2(source["TRACKGATE_KEY_FILE"], target["TRACKGATE_KEY_FILE"])
    imported = run_trackgate(target, "import", "archive", str(tmp_path / "a.jsonl"))
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["rows"] == summary["rows"]
    again = run_trackgate(target, "export", "--format", "jsonl", "--out", str(tmp_path / "b.jsonl"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()

    twice = run_trackgate(target, "import", "archive", str(tmp_path / "a.jsonl"))
    assert twice.returncode == 2 and "not empty" in twice.stderr

    (tmp_path / "serve-b").mkdir()
    server_b = start_live_server(tmp_path / "serve-b", env=target)
    try:
        after = {who["email"]: _listings(server_b, who) for who in (first, second)}
        # a new row gets a new id (the id sequences moved past the imported ones)
        me = first
        made = httpx.post(
            f"{server_b.url}/api/v9/workspaces/{me['default_workspace_id']}/tags",
            json={"name": "after import"},
            auth=(me["api_token"], "api_token"),
        )
        assert made.status_code == 200, made.text
    finally:
        stop_live_server(server_b)
    for email, answers in before.items():
        for path, body in answers.items():
            if path == "/me/time_entries/current":  # running: its duration counts up
                assert body["id"] == after[email][path]["id"]
                continue
            assert after[email][path] == body, path


def test_a_cut_archive_writes_nothing(tmp_path: Path) -> None:
    source = _env(tmp_path, "a")
    _user(source, "cut")
    out = tmp_path / "a.jsonl"
    assert run_trackgate(source, "export", "--format", "jsonl", "--out", str(out)).returncode == 0
    lines = out.read_text().splitlines(keepends=True)
    (tmp_path / "cut.jsonl").write_text("".join(lines[:-1]))
    target = _env(tmp_path, "b")
    Path(target["TRACKGATE_KEY_FILE"]).parent.mkdir(parents=True)
    shutil.copy2(source["TRACKGATE_KEY_FILE"], target["TRACKGATE_KEY_FILE"])
    refused = run_trackgate(target, "import", "archive", str(tmp_path / "cut.jsonl"))
    assert refused.returncode == 2 and "cut short" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert run_trackgate(target, "users", "list").stdout.count("@example.com") == 0


def test_archived_tables_are_read_from_the_schema() -> None:
    from trackgate.storage.models import Base
    from trackgate.transfer.archive import archived_tables, excluded_tables

    names = {t.name for t in archived_tables()}
    assert {"users", "time_entries", "user_preferences", "project_pins", "api_keys"} <= names
    assert names | excluded_tables() == set(Base.metadata.tables)
    assert "shield_objects" in excluded_tables()  # hangs on connections by a foreign key


def _tampered(lines: list[str], table: str, column: str, value: Any) -> str:
    out = []
    for line in lines:
        item = json.loads(line)
        if item.get("table") == table:
            item["row"][column] = value
            line = json.dumps(item) + "\n"
        out.append(line)
    return "".join(out)


def test_a_bad_archive_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    source = _env(tmp_path, "a")
    _user(source, "bad")
    out = tmp_path / "a.jsonl"
    assert run_trackgate(source, "export", "--format", "jsonl", "--out", str(out)).returncode == 0
    lines = out.read_text().splitlines(keepends=True)
    target = _env(tmp_path, "b")
    Path(target["TRACKGATE_KEY_FILE"]).parent.mkdir(parents=True)
    shutil.copy2(source["TRACKGATE_KEY_FILE"], target["TRACKGATE_KEY_FILE"])
    cases = {
        "bad-date.jsonl": (_tampered(lines, "users", "created_at", "yesterday"), "line "),
        "orphan.jsonl": (
            _tampered(lines, "workspaces", "organization_id", 987654),
            "the database refused a row of workspaces",
        ),
        "unknown.jsonl": (_tampered(lines, "workspaces", "colour", "red"), "no column"),
        "list.jsonl": ("".join([lines[0], "[1, 2]\n", *lines[1:]]), "line 2"),
        "future.jsonl": (
            "".join([lines[0].replace('"schema":"', '"schema":"9999x'), *lines[1:]]),
            "does not know",
        ),
    }
    (tmp_path / "binary.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    for name, (text, _) in cases.items():
        (tmp_path / name).write_text(text)
    for name in [*cases, "binary.jsonl"]:
        refused = run_trackgate(target, "import", "archive", str(tmp_path / name))
        assert refused.returncode == 2, (name, refused.stderr)
        assert refused.stderr.count("\n") == 1, (name, refused.stderr)
        assert "Traceback" not in refused.stderr
        assert cases.get(name, ("", ""))[1] in refused.stderr, (name, refused.stderr)
    assert run_trackgate(target, "users", "list").stdout.count("@example.com") == 0
    assert run_trackgate(target, "import", "archive", str(out)).returncode == 0


def test_an_unwritable_export_path_is_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path, "a")
    _user(env, "ro")
    (tmp_path / "a-file").write_text("not a directory")
    for args in (
        ("export", "--format", "jsonl", "--out", str(tmp_path / "a-file" / "a.jsonl")),
        ("export", "--format", "zip", "--out", str(tmp_path / "a-file" / "zips")),
        ("export", "--format", "csv", "--out", str(tmp_path / "a-file")),
        ("backup", "--out", str(tmp_path / "a-file" / "b.db")),
    ):
        refused = run_trackgate(env, *args)
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.startswith("trackgate: cannot write"), refused.stderr
        assert refused.stderr.count("\n") == 1
