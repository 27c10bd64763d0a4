"""The service's listing of one month for one user, from a large store, and its create
throughput, against the floor of the same rows read (or one row written) by a raw query and
``json.dumps`` on the same server software (``bench/floor_app.py``).

Run by hand, from the repository root (needs ``wrk``)::

    .venv/bin/python bench/list_bench.py                          # SQLite, 200,000 entries
    .venv/bin/python bench/list_bench.py --users 500 --months 4   # 400,000 entries
    .venv/bin/python bench/list_bench.py --database-url postgresql://postgres@127.0.0.1/bench

The store holds ``--users`` users, each with about 200 entries a month over ``--months``
months (one every 3.6 hours). The listed month is the newest one of one user: about 200
entries. On PostgreSQL the database must exist and be empty (it is migrated here).
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import tempfile
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


def fill(settings: Any, users: int, months: int, end: datetime) -> tuple[str, int, int]:
    """The store; returns one user's Basic header, id and workspace id."""
    from sqlalchemy import insert

    from trackgate.runtime import build_runtime
    from trackgate.service.users import NewUser, create_user
    from trackgate.storage.models import TimeEntry

    runtime = build_runtime(settings)
    step = MONTH / PER_MONTH
    count = months * PER_MONTH
    try:
        first: tuple[str, int, int] | None = None
        for n in range(users):
            with runtime.db.write() as session:
                user, token = create_user(
                    session, runtime.keyring, NewUser(f"user{n}@example.com", None, f"User {n}")
                )
                workspace_id = user.default_workspace_id
                assert workspace_id is not None
                rows = []
                for i in range(count):
                    start = end - step * (i + 1)
                    rows.append(
                        {
                            "workspace_id": workspace_id,
                            "user_id": user.id,
                            "description": f"entry {i}",
                            "start": start,
                            "stop": start + step * 0.8,
                            "running": False,
                            "billable": False,
                            "tag_ids": [],
                            "created_with": "bench",
                            "created_at": start,
                            "at": start,
                        }
                    )
                session.execute(insert(TimeEntry), rows)
                if first is None:
                    auth = base64.b64encode(f"{token}:api_token".encode()).decode()
                    first = ("Basic " + auth, user.id, workspace_id)
        assert first is not None
        return first
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--rounds", "-r", type=int, default=3, help="best of N interleaved runs")
    args = parser.parse_args()
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
        auth, user_id, workspace_id = fill(settings, args.users, args.months, end)
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
            wait_until_up(f"{floor_url}/entries?user_id=1&start=a&end=b", floor)
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
