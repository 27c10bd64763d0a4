"""The service's listing of one month for one user, from a large store, and its create
throughput, against the floor of the same rows read (or one row written) by a raw query and
``json.dumps`` on the same server software (``bench/floor_app.py``).

Run by hand, from the repository root (needs ``wrk``)::

    .venv/bin/python bench/list_bench.py                          # SQLite, 1,000,000 entries
    .venv/bin/python bench/list_bench.py --users 500 --months 2   # 200,000 entries
    .venv/bin/python bench/list_bench.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

The store holds ``--users`` users, each with about 200 entries a month over ``--months``
months (one every 3.6 hours). The listed month is the newest one of one user: about 200
entries. ``--postgres`` runs on a throwaway database made (and dropped) on that server;
``--database-url`` on an existing empty one (it is migrated here).
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import (
    PYTHON,
    ROOT,
    best_of,
    free_port,
    machine_line,
    stop,
    table,
    wait_until_up,
)

PER_MONTH = 200
MONTH = timedelta(days=30)

POST_SCRIPT = """
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
"""


COLUMNS = (
    "workspace_id, user_id, description, start, stop, running, billable, tag_ids, "
    "created_with, created_at, at"
)


def _entries(users: list[tuple[int, int]], months: int, end: datetime) -> Iterator[tuple[Any, ...]]:
    """Every user's entries as rows of :data:`COLUMNS`, instants naive UTC."""
    step = MONTH / PER_MONTH
    base = end.replace(tzinfo=None)
    for user_id, workspace_id in users:
        for i in range(months * PER_MONTH):
            start = base - step * (i + 1)
            stop = start + step * 0.8
            yield (workspace_id, user_id, f"entry {i}", start, stop, False, False, "[]",
                   "bench", start, start)  # fmt: skip


def _sqlite_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """Instants as the SQLite dialect stores them (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    for row in rows:
        start, stop = row[3].isoformat(" ", "microseconds"), row[4].isoformat(" ", "microseconds")
        yield (*row[:3], start, stop, 0, 0, *row[7:9], start, start)


def fill(settings: Any, users: int, months: int, end: datetime) -> tuple[str, int, int]:
    """The store; returns the first user's Basic header, id and workspace id.

    Users are made as the service makes them; their entries are written in bulk past the
    ORM (``executemany`` on SQLite, ``COPY`` on PostgreSQL), so a million take seconds.
    """
    from trackgate.runtime import build_runtime
    from trackgate.service.users import NewUser, create_user

    runtime = build_runtime(settings)
    try:
        made: list[tuple[int, int]] = []
        first = ""
        with runtime.db.write() as session:
            for n in range(users):
                user, token = create_user(
                    session, runtime.keyring, NewUser(f"user{n}@example.com", None, f"User {n}")
                )
                assert user.default_workspace_id is not None
                made.append((user.id, user.default_workspace_id))
                if not first:
                    first = "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()
        rows = _entries(made, months, end)
        raw = runtime.db.engine.raw_connection()
        try:
            if runtime.db.is_sqlite:
                marks = ", ".join("?" * len(COLUMNS.split(", ")))
                raw.execute("BEGIN")
                raw.executemany(
                    f"INSERT INTO time_entries ({COLUMNS}) VALUES ({marks})", _sqlite_rows(rows)
                )
                raw.execute("COMMIT")
            else:
                cursor = raw.cursor()
                with cursor.copy(f"COPY time_entries ({COLUMNS}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                raw.commit()
                cursor.execute("ANALYZE time_entries")
                raw.commit()
        finally:
            raw.close()
        return first, made[0][0], made[0][1]
    finally:
        runtime.close()


def pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A new empty database on the server of ``admin_url``, and how to drop it."""
    import psycopg

    name = f"trackgate_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = admin_url.rsplit("/", 1)[0] + "/" + name
    return url.replace("postgresql://", "postgresql+psycopg://", 1), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--months", type=int, default=10)
    parser.add_argument(
        "--postgres", help="admin URL of a PostgreSQL server: run on a throwaway database there"
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database to run on instead")
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--rounds", "-r", type=int, default=3, help="best of N interleaved runs")
    args = parser.parse_args()
    if args.postgres:
        args.database_url, drop = pg_database(args.postgres)
        try:
            run(args)
        finally:
            drop()
    else:
        run(args)


def run(args: argparse.Namespace) -> None:
    from trackgate.config import load_settings
    from trackgate.crypto import encode_key, generate_key

    end = datetime.now(UTC).replace(microsecond=0)
    start = end - MONTH
    with tempfile.TemporaryDirectory(prefix="trackgate-bench-") as tmp_name:
        tmp = Path(tmp_name)
        secret = encode_key(generate_key())
        settings = load_settings(
            {}, data_dir=tmp / "data", secret_key=secret, database_url=args.database_url
        )
        print(f"filling {args.users * args.months * PER_MONTH:,} entries ...", flush=True)
        began = time.monotonic()
        auth, user_id, workspace_id = fill(settings, args.users, args.months, end)
        print(f"filled in {time.monotonic() - began:.0f} s", flush=True)
        floor_db = (
            args.database_url.replace("postgresql+psycopg://", "postgresql://")
            if args.database_url
            else str(tmp / "data" / "trackgate.db")
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
            "TRACKGATE_SECRET_KEY": secret,
            "TRACKGATE_DATA_DIR": str(tmp / "data"),
            **({"TRACKGATE_DATABASE_URL": args.database_url} if args.database_url else {}),
        }
        serve_port, floor_port = free_port(), free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "trackgate", "serve", "--port", str(serve_port)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        floor = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "floor_app.py"), str(floor_port)],
            env={**os.environ, "BENCH_DB": floor_db},
            stderr=subprocess.DEVNULL,
        )
        service = f"http://127.0.0.1:{serve_port}"
        floor_url = f"http://127.0.0.1:{floor_port}"
        span = f"start_date={start.date()}&end_date={end.date() + timedelta(days=1)}"
        floor_span = f"start={start.date()}&end={end.date() + timedelta(days=1)}"
        headers = {"Authorization": auth}
        load = {"connections": args.connections, "seconds": args.duration}
        try:
            wait_until_up(service + "/healthz", server)
            wait_until_up(f"{floor_url}/entries?user_id={user_id}&{floor_span}", floor)
            listing = best_of(
                args.rounds,
                [
                    (
                        "floor: raw query + json.dumps, one month",
                        f"{floor_url}/entries?user_id={user_id}&{floor_span}",
                        None,
                    ),
                    (
                        "GET /api/v9/me/time_entries, one month",
                        f"{service}/api/v9/me/time_entries?{span}",
                        headers,
                    ),
                ],
                load,
            )
            script = tmp / "post.lua"
            body = (
                f'{{"workspace_id": {workspace_id}, "created_with": "bench", '
                f'"start": "{end.isoformat()}", "duration": 60, "description": "bench"}}'
            )
            script.write_text(POST_SCRIPT.format(body=body))
            creates = best_of(
                1,
                [
                    (
                        "floor: raw INSERT, one row",
                        f"{floor_url}/entries?user_id={user_id}&workspace_id={workspace_id}",
                        None,
                    ),
                    (
                        "POST /api/v9/workspaces/{wid}/time_entries",
                        f"{service}/api/v9/workspaces/{workspace_id}/time_entries",
                        headers,
                    ),
                ],
                {**load, "script": str(script)},
            )
        finally:
            stop(server, floor)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{machine_line()}; {kind}, {args.users * args.months * PER_MONTH:,} entries across "
        f"{args.users} users; wrk 1 thread, {args.connections} connections"
    )
    print(table(listing, listing[0], "× floor"))
    print()
    print(table(creates, creates[0], "× floor"))


if __name__ == "__main__":
    main()
