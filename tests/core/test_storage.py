"""Storage: SQLite settings that make a 200 durable, and migrations under a lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect, text

from trackgate.config import Settings
from trackgate.crypto import encode_key, generate_key
from trackgate.runtime import Runtime

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_sqlite_is_wal_with_full_sync(runtime: Runtime, settings: Settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("SQLite pragmas")
    with runtime.db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_schema_is_at_the_head_revision(runtime: Runtime) -> None:
    tables = set(inspect(runtime.db.engine).get_table_names())
    assert {"users", "time_entries", "connections", "api_keys", "alembic_version"} <= tables
    with runtime.db.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar()


def _start_many(
    env: dict[str, str], count: int, command: tuple[str, ...] = ("users", "list")
) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "trackgate", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")}


def test_many_processes_migrate_a_new_sqlite_database_at_once(tmp_path: Path) -> None:
    env = _base_env() | {
        "TRACKGATE_DATA_DIR": str(tmp_path / "data"),
        "TRACKGATE_KEY_FILE": str(tmp_path / "cfg" / "k"),
        "TRACKGATE_SECRET_KEY": encode_key(generate_key()),
    }
    # `db upgrade` may start a database in an empty data dir (`users list` refuses one)
    results = _start_many(env, 4, ("db", "upgrade"))
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    revisions = {json.loads(r.stdout)["revision"] for r in results}
    assert len(revisions) == 1 and revisions != {None}
    listed = _start_many(env, 1)[0]
    assert listed.returncode == 0 and listed.stdout.strip() == "[]", listed.stderr


def _pg_available() -> bool:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


#: Skipped on a developer's machine without PostgreSQL; in CI (which starts it) never skipped.
@pytest.mark.skipif(
    not os.environ.get("CI") and not _pg_available(), reason="no PostgreSQL at 127.0.0.1:5432"
)
def test_many_processes_migrate_a_new_postgres_database_at_once(tmp_path: Path) -> None:
    name = f"trackgate_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = _base_env() | {
            "TRACKGATE_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
            "TRACKGATE_SECRET_KEY": encode_key(generate_key()),
            "TRACKGATE_DATA_DIR": str(tmp_path / "unused"),
        }
        results = _start_many(env, 4)
        assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
        assert not (tmp_path / "unused" / "trackgate.db").exists()
        no_key = env | {"TRACKGATE_SECRET_KEY": "", "TRACKGATE_KEY_FILE": str(tmp_path / "none")}
        refused = _start_many(no_key, 1)[0]
        assert refused.returncode != 0 and "TRACKGATE_SECRET_KEY" in refused.stderr
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
