"""How long reports take on a year of a 20-person workspace, on SQLite and on PostgreSQL.

Run by hand (not by the test suite), from the repository root::

    .venv/bin/python bench/reports_bench.py                       # SQLite only
    .venv/bin/python bench/reports_bench.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

It builds a fresh database (a throwaway PostgreSQL database is created and dropped), fills it
with 20 members of one workspace (the first an admin), 12 projects (some with rates or their
own currency), tasks and tags, and four entries per member per weekday for a year (about
21,000 entries), then calls the reports through the real application in-process (HTTP
framework, auth, queries, rendering; no socket) as the admin, and prints the median and
worst of several runs per report. Results measured so far are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, text

from trackgate.app import create_app
from trackgate.config import load_settings
from trackgate.crypto import encode_key, generate_key
from trackgate.runtime import Runtime, build_runtime
from trackgate.service import passwords
from trackgate.service.users import NewUser, create_user
from trackgate.storage.models import Project, Tag, Task, TimeEntry, WorkspaceMember

PEOPLE = 20
YEAR_START = date(2025, 1, 1)
DAYS = 365
ENTRIES_PER_DAY = 4


def fill(runtime: Runtime) -> tuple[str, int]:
    """The workspace and its year of entries; answers the admin's token and the workspace id."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    rng = random.Random(7)
    people = []
    with runtime.db.write() as session:
        admin, token = create_user(
            session, runtime.keyring, NewUser("admin@bench.example", "bench-pass", "Admin")
        )
        wid = admin.default_workspace_id
        assert wid is not None
        people.append(admin.id)
        for n in range(1, PEOPLE):
            user, _ = create_user(
                session, runtime.keyring, NewUser(f"p{n}@bench.example", "bench-pass", f"P {n}")
            )
            session.add(WorkspaceMember(workspace_id=wid, user_id=user.id, role="member"))
            people.append(user.id)
        projects = []
        for n in range(12):
            project = Project(
                workspace_id=wid,
                name=f"Project {n}",
                creator_id=admin.id,
                billable=n % 2 == 0,
                rate=[None, 80.0, 120.0][n % 3],
                currency="EUR" if n == 5 else None,
                is_private=False,
            )
            session.add(project)
            projects.append(project)
        session.flush()
        tasks = []
        for project in projects[:6]:
            for n in range(3):
                task = Task(workspace_id=wid, project_id=project.id, name=f"Task {n}")
                session.add(task)
                tasks.append(task)
        tags = [Tag(workspace_id=wid, name=f"tag{n}", creator_id=admin.id) for n in range(8)]
        session.add_all(tags)
        session.flush()
        project_ids = [p.id for p in projects] + [None]
        tasks_of = {p.id: [t.id for t in tasks if t.project_id == p.id] for p in projects}
        tag_ids = [t.id for t in tags]
    rows: list[dict[str, Any]] = []
    for offset in range(DAYS):
        day = YEAR_START + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for user_id in people:
            clock = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
            for _ in range(ENTRIES_PER_DAY):
                seconds = rng.randint(600, 7200)
                project_id = rng.choice(project_ids)
                candidates = tasks_of.get(project_id, []) if project_id else []
                rows.append(
                    {
                        "workspace_id": wid,
                        "user_id": user_id,
                        "project_id": project_id,
                        "task_id": rng.choice(candidates)
                        if candidates and rng.random() < 0.5
                        else None,
                        "billable": rng.random() < 0.6,
                        "description": f"work item {rng.randint(1, 40)}",
                        "start": clock,
                        "stop": clock + timedelta(seconds=seconds),
                        "running": False,
                        "tag_ids": rng.sample(tag_ids, rng.randint(0, 2)),
                        "created_with": "bench",
                    }
                )
                clock += timedelta(seconds=seconds + rng.randint(0, 1800))
    with runtime.db.write() as session:
        for chunk in range(0, len(rows), 2000):
            session.execute(insert(TimeEntry), rows[chunk : chunk + 2000])
    print(f"  {len(rows)} entries, {PEOPLE} people, {len(projects)} projects")
    return token, wid


def timed(runs: int, call: Callable[[], Any]) -> tuple[float, float]:
    call()  # warm up: first-use caches, query compilation
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), max(samples)


def measure(runtime: Runtime, runs: int) -> list[tuple[str, float, float, str]]:
    token, wid = fill(runtime)
    year = {"start_date": str(YEAR_START), "end_date": str(YEAR_START + timedelta(days=DAYS - 1))}
    root = f"/reports/api/v3/workspace/{wid}"
    results = []
    with TestClient(create_app(runtime)) as client:
        auth = (token, "api_token")

        def post(path: str, body: dict[str, Any]) -> Any:
            r = client.post(root + path, json=body, auth=auth)
            assert r.status_code == 200, r.text
            return r

        cases: list[tuple[str, str, dict[str, Any], Callable[[Any], str]]] = [
            (
                "summary (projects / entries), a year",
                "/summary/time_entries",
                year,
                lambda r: f"{len(r.json()['groups'])} groups",
            ),
            (
                "detailed, first page of 50, a year",
                "/search/time_entries",
                year,
                lambda r: f"{len(r.json())} rows",
            ),
            (
                "detailed, 50 rows from row 5001 (X-Next-ID)",
                "/search/time_entries",
                year,
                lambda r: "",
            ),
            (
                "totals with graph, a year",
                "/search/time_entries/totals",
                year,
                lambda r: f"{len(r.json()['graph'])} buckets",
            ),
            (
                "weekly",
                "/weekly/time_entries",
                {"start_date": "2025-06-02"},
                lambda r: f"{len(r.json())} rows",
            ),
            (
                "detailed CSV, a year",
                "/search/time_entries.csv",
                year,
                lambda r: f"{len(r.content) // 1024} KiB",
            ),
            (
                "summary PDF, a year",
                "/summary/time_entries.pdf",
                year,
                lambda r: f"{len(r.content) // 1024} KiB",
            ),
        ]
        deep = dict(year)
        for _ in range(5):  # five pages of 1000 by the headers: row 5001 comes next
            page = post("/search/time_entries", {**deep, "page_size": 1000})
            deep["first_id"] = int(page.headers["x-next-id"])
            deep["first_row_number"] = int(page.headers["x-next-row-number"])
        for name, path, body, note in cases:
            if name.startswith("detailed, 50 rows from"):
                body = deep
            median, worst = timed(runs, lambda p=path, b=body: post(p, b))
            results.append((name, median, worst, note(post(path, body))))
    return results


def pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    name = f"trackgate_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    url = admin_url.rsplit("/", 1)[0] + "/" + name
    return url.replace("postgresql://", "postgresql+psycopg://", 1), drop


def run(label: str, database_url: str | None, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            {},
            data_dir=Path(tmp) / "data",
            key_file=Path(tmp) / "secret.key",
            database_url=database_url,
            secret_key=encode_key(generate_key()) if database_url else None,
        )
        runtime = build_runtime(settings)
        try:
            print(f"{label}:")
            for name, median, worst, note in measure(runtime, runs):
                print(f"  {name:<40} median {median:8.1f} ms   worst {worst:8.1f} ms   {note}")
        finally:
            runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to also measure")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    run("SQLite", None, args.runs)
    if args.postgres:
        url, drop = pg_database(args.postgres)
        try:
            run("PostgreSQL", url, args.runs)
        finally:
            drop()


if __name__ == "__main__":
    main()
