"""What `trackgate import toggl` costs: upstream requests and wall time for a live import of
an account of 2 years, 20 people and 20,000 entries served by `trackgate serve
--emulate-quota 30`, and rows per second for a 100,000-row detailed CSV, on SQLite.

Run by hand (not by the test suite), from the repository root::

    .venv/bin/python bench/import_bench.py [--entries 20000] [--csv-rows 100000]

The account is written straight into the serving database (the importer then reads it over
HTTP as from Toggl); results measured so far are in the README's "Import from Toggl Track".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, free_port, wait_until_up  # noqa: E402

from trackgate.config import load_settings  # noqa: E402
from trackgate.runtime import build_runtime  # noqa: E402
from trackgate.service import passwords  # noqa: E402
from trackgate.service.users import NewUser, create_user  # noqa: E402
from trackgate.storage.models import Client, Project, Tag, Task, TimeEntry  # noqa: E402

PEOPLE = 20
DAYS = 730


def _env(data: Path) -> dict[str, str]:
    env = {**os.environ, "TRACKGATE_DATA_DIR": str(data), "TRACKGATE_KEY_FILE": str(data / "key")}
    env.pop("TRACKGATE_DATABASE_URL", None)
    return env


def fill(data: Path, entries: int) -> str:
    """The account: an admin and 19 members, clients, projects, tasks, tags, entries over two
    years. Answers the admin's API token."""
    os.environ.update(_env(data))
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    runtime = build_runtime(load_settings(None))
    rng = random.Random(21)
    try:
        with runtime.db.write() as session:
            admin, token = create_user(
                session, runtime.keyring, NewUser("admin@bench.example", "bench-pass", "Admin")
            )
            wid = admin.default_workspace_id
            assert wid is not None
            people = [admin.id]
            for n in range(1, PEOPLE):
                spec = NewUser(f"p{n}@bench.example", "bench-pass", f"Person {n}", "UTC", wid)
                people.append(create_user(session, runtime.keyring, spec)[0].id)
            clients = [
                Client(workspace_id=wid, name=f"Client {n}", creator_id=admin.id) for n in range(4)
            ]
            session.add_all(clients)
            session.flush()
            projects = [
                Project(
                    workspace_id=wid,
                    name=f"Project {n}",
                    creator_id=admin.id,
                    client_id=clients[n % 4].id,
                    billable=n % 2 == 0,
                    rate=[None, 80.0, 120.0][n % 3],
                    active=n != 11,
                    is_private=False,
                )
                for n in range(12)
            ]
            session.add_all(projects)
            session.flush()
            tasks = [
                Task(workspace_id=wid, project_id=p.id, name=f"Task {n}")
                for p in projects[:6]
                for n in range(3)
            ]
            tags = [Tag(workspace_id=wid, name=f"tag{n}", creator_id=admin.id) for n in range(8)]
            session.add_all(tasks + tags)
            session.flush()
            project_ids = [p.id for p in projects] + [None]
            tag_ids = [t.id for t in tags]
        first = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
        first -= timedelta(days=DAYS)
        rows: list[dict[str, Any]] = []
        for i in range(entries):
            start = first + timedelta(seconds=int(i * DAYS * 86400 / entries))
            seconds = rng.randint(600, 7200)
            rows.append(
                {
                    "workspace_id": wid,
                    "user_id": people[i % PEOPLE],
                    "project_id": rng.choice(project_ids),
                    "task_id": None,
                    "billable": rng.random() < 0.6,
                    "description": f"work item {rng.randint(1, 40)}",
                    "start": start,
                    "stop": start + timedelta(seconds=seconds),
                    "running": False,
                    "tag_ids": rng.sample(tag_ids, rng.randint(0, 2)),
                    "created_with": "bench",
                }
            )
        with runtime.db.write() as session:
            for chunk in range(0, len(rows), 2000):
                session.execute(insert(TimeEntry), rows[chunk : chunk + 2000])
        return token
    finally:
        runtime.close()


def run_import(dest: Path, *args: str) -> tuple[dict[str, Any], float]:
    began = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "trackgate", "import", "toggl", *args, "--json", "--data-dir", str(dest)],
        env=_env(dest),
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"import failed: {done.stderr}")
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary, took


def live(tmp: Path, entries: int) -> list[tuple[str, str, str]]:
    source = tmp / "source"
    token = fill(source, entries)
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "trackgate", "serve", "--port", str(port), "--emulate-quota", "30"],
        env=_env(source),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/healthz", server)
        first, took = run_import(tmp / "dest", "--token", token, "--url", url)
        assert first["time_entries"] == entries, first
        again, took_again = run_import(tmp / "dest", "--token", token, "--url", url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    label = f"live, {entries:,} entries / {PEOPLE} people / 2 years"
    return [
        (label + ", first run", f"{first['upstream_requests']}", f"{took:.1f} s"),
        (label + ", second run", f"{again['upstream_requests']}", f"{took_again:.1f} s"),
    ]


def write_csv(path: Path, rows: int) -> None:
    from zoneinfo import ZoneInfo

    rng = random.Random(5)
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2024, 1, 1, 7, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
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
                "Amount (EUR)",
            ]
        )
        for i in range(rows):
            # written as Toggl writes them: in the exporting user's zone
            seconds = rng.randint(600, 7200)
            start = (first + timedelta(minutes=i * 7)).astimezone(berlin)
            stop = (first + timedelta(minutes=i * 7, seconds=seconds)).astimezone(berlin)
            n = i % PEOPLE
            project = rng.randrange(13)
            out.writerow(
                [
                    f"Person {n}",
                    f"p{n}@csv.example",
                    f"Client {project % 4}" if project else "",
                    f"Project {project}" if project else "",
                    "",
                    f"work item {rng.randint(1, 40)}",
                    "Yes" if rng.random() < 0.6 else "No",
                    start.date().isoformat(),
                    start.strftime("%H:%M:%S"),
                    stop.date().isoformat(),
                    stop.strftime("%H:%M:%S"),
                    f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}",
                    ", ".join(rng.sample(["a", "b", "c", "d"], rng.randint(0, 2))),
                    "",
                ]
            )


def csv_import(tmp: Path, rows: int) -> list[tuple[str, str, str]]:
    path = tmp / "detailed.csv"
    write_csv(path, rows)
    summary, took = run_import(tmp / "csv-dest", "--csv", str(path), "--tz", "Europe/Berlin")
    assert summary["time_entries"] == rows, summary
    return [(f"CSV, {rows:,} rows", "-", f"{took:.1f} s ({rows / took:,.0f} rows/s)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--csv-rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as raw:
        tmp = Path(raw)
        table = live(tmp, args.entries) + csv_import(tmp, args.csv_rows)
    print("| import | upstream requests | wall time |")
    print("|---|---|---|")
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
