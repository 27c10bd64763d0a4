"""The floor the service's listing and create are compared with: the same rows read (or one
row written) by a raw DB-API query and ``json.dumps``, served by a minimal FastAPI app on the
same server software as ``trackgate serve``. ``BENCH_DB`` is a SQLite path or a PostgreSQL
URL. No authentication, no validation, no Toggl field names: only the database and JSON.

Run with ``python bench/floor_app.py PORT``."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

TARGET = os.environ.get("BENCH_DB", "")
POSTGRES = TARGET.startswith("postgresql")
MARK = "%s" if POSTGRES else "?"
COLUMNS = (
    "id, workspace_id, user_id, project_id, task_id, billable, description, start, stop, "
    "running, tag_ids, created_with, at"
)
app = FastAPI()
_conn: Any = None


def connection() -> Any:
    global _conn
    if _conn is None:
        if POSTGRES:
            import psycopg

            _conn = psycopg.connect(TARGET, autocommit=True)
        else:
            _conn = sqlite3.connect(TARGET, check_same_thread=False, isolation_level=None)
            _conn.execute("PRAGMA synchronous=FULL")
    return _conn


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@app.get("/entries")
async def entries(user_id: int, start: str, end: str) -> Response:
    cursor = connection().execute(
        f"SELECT {COLUMNS} FROM time_entries WHERE user_id = {MARK} AND start >= {MARK} "
        f"AND start < {MARK} AND server_deleted_at IS NULL ORDER BY start DESC, id DESC",
        (user_id, start, end),
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, map(_text, row), strict=True)) for row in cursor.fetchall()]
    return Response(json.dumps(rows), media_type="application/json")


@app.post("/entries")
async def create(user_id: int, workspace_id: int) -> Response:
    now = datetime.now(UTC).replace(tzinfo=None)
    stamp = now if POSTGRES else now.isoformat(sep=" ")
    cursor = connection().execute(
        "INSERT INTO time_entries (workspace_id, user_id, billable, description, start, stop, "
        "running, tag_ids, created_with, created_at, at) VALUES "
        f"({', '.join([MARK] * 11)}) RETURNING id",
        (workspace_id, user_id, False, "floor", stamp, stamp, False, "[]", "bench", stamp, stamp),
    )
    return Response(json.dumps({"id": cursor.fetchone()[0]}), media_type="application/json")


if __name__ == "__main__":
    uvicorn.run(
        app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_config=None,
        server_header=False, proxy_headers=False,
    )  # fmt: skip
