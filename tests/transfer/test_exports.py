"""``trackgate export --format csv|zip``: Toggl's detailed CSV and data-export ZIP, written
with the service's own report and wire code."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import start_live_server, stop_live_server
from tests.transfer.commands import run_trackgate
from tests.transfer.test_archive import _env, _fill, _user


def _by_id(objects: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {o["id"]: o for o in objects}


def test_csv_and_zip_exports_match_what_the_apis_answer(tmp_path: Path) -> None:
    env = _env(tmp_path, "a")
    me = _user(env, "exporter")
    wid = me["default_workspace_id"]
    (tmp_path / "serve").mkdir()
    server = start_live_server(tmp_path / "serve", env=env)
    auth = (me["api_token"], "api_token")
    try:
        _fill(server, me)
        with httpx.Client(base_url=server.url, auth=auth, timeout=30) as http:
            current = http.get("/api/v9/me/time_entries/current").json()
            # a running entry's duration counts up between two exports: not compared here
            gone = http.delete(f"/api/v9/workspaces/{wid}/time_entries/{current['id']}")
            assert gone.status_code == 200
            late = http.post(
                f"/api/v9/workspaces/{wid}/time_entries",
                json={"description": "new year's eve", "start": "2025-12-31T23:30:00Z",
                      "duration": 3600, "workspace_id": wid, "created_with": "tests"},
            )  # fmt: skip
            assert late.status_code == 200
            api_csv = {
                year: http.post(
                    f"/reports/api/v3/workspace/{wid}/search/time_entries.csv",
                    json={
                        "start_date": f"{year}-01-01",
                        "end_date": f"{year}-12-31",
                        "order_by": "date",
                        "order_dir": "ASC",
                    },
                ).text  # fmt: skip
                for year in (2025, 2026)
            }
            listings = {
                "clients.json": http.get(f"/api/v9/workspaces/{wid}/clients").json(),
                "tags.json": http.get(f"/api/v9/workspaces/{wid}/tags").json(),
                "projects.json": http.get(
                    f"/api/v9/workspaces/{wid}/projects", params={"active": "both"}
                ).json(),
                "workspace_users.json": http.get(
                    f"/api/v9/workspaces/{wid}/workspace_users"
                ).json(),
            }
            projects = listings["projects.json"]
            tasks = {
                p["id"]: http.get(f"/api/v9/workspaces/{wid}/projects/{p['id']}/tasks").json()
                for p in projects
            }
    finally:
        stop_live_server(server)

    made = run_trackgate(env, "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert made.returncode == 0, made.stderr
    files = {f["year"]: Path(f["file"]) for f in json.loads(made.stdout)["files"]}
    assert set(files) == {2025, 2026}
    assert files[2026].name == f"workspace-{wid}-2026.csv"
    for year, path in files.items():
        text = path.read_bytes().decode("utf-8")
        assert text == api_csv[year], year
    rows = list(csv.DictReader(io.StringIO(files[2026].read_text(encoding="utf-8"))))
    assert list(rows[0])[:13] == [
        "User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date",
        "Start time", "End date", "End time", "Duration", "Tags",
    ]  # fmt: skip
    first = rows[0]
    assert first["Project"] == "東京 project" and first["Client"] == "Ærø Client"
    assert first["Description"] == "'work 1 =cmd" or first["Description"].startswith("work 1")
    assert first["Start date"] == "2026-01-01" and first["Duration"] == "01:00:01"
    assert first["Tags"] in ("urgent, new tag", "new tag, urgent")
    assert first["Amount (USD)"] == "42.51"

    berlin = run_trackgate(env, "export", "--format", "csv", "--out", str(tmp_path / "berlin"),
                  "--tz", "Europe/Berlin")  # fmt: skip
    assert berlin.returncode == 0, berlin.stderr
    years = {f["year"] for f in json.loads(berlin.stdout)["files"]}
    assert years == {2026}  # 23:30 UTC on new year's eve is 00:30 in Berlin
    bad = run_trackgate(
        env, "export", "--format", "csv", "--out", str(tmp_path / "x"), "--tz", "Mars/Base"
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1

    zipped = run_trackgate(env, "export", "--format", "zip", "--out", str(tmp_path / "zip"))
    assert zipped.returncode == 0, zipped.stderr
    path = tmp_path / "zip" / f"workspace-{wid}.zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        content: dict[str, Any] = {n: json.loads(archive.read(n)) for n in names}
    assert {"clients.json", "projects.json", "tags.json", "workspace_users.json"} <= names
    assert not any("time_entries" in n for n in names)
    for name in ("clients.json", "tags.json", "workspace_users.json"):
        assert _by_id(content[name]) == _by_id(listings[name]), name
    assert _by_id(content["projects.json"]) == _by_id(projects)
    for project_id, listed in tasks.items():
        if listed:
            assert _by_id(content[f"tasks/{project_id}.json"]) == _by_id(listed)
    again = run_trackgate(env, "export", "--format", "zip", "--out", str(tmp_path / "zip2"))
    assert again.returncode == 0
    assert (tmp_path / "zip2" / path.name).read_bytes() == path.read_bytes()
