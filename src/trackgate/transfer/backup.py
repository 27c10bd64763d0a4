"""A consistent copy of a live server's database, with its key's fingerprint beside it.

SQLite: the online backup API copies one snapshot while the server keeps writing (WAL lets
writers go on). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``. Next to every
backup goes the fingerprint of the key its secrets are sealed with (never the key itself), so
a restore can refuse a key that would leave the tokens unreadable.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import URL, make_url

from trackgate.config import Settings
from trackgate.crypto import Keyring, fingerprint
from trackgate.runtime import FINGERPRINT_KEY
from trackgate.storage.models import Meta

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: Where the README explains the PostgreSQL commands, for errors that need them.
RECIPE = "README, 'Backup and restore'"


class BackupError(Exception):
    """Something a person must fix; ``code`` is the exit code (2: a setting or argument)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Made:
    path: Path
    fingerprint_file: Path
    key_fingerprint: str | None
    bytes: int
    seconds: float


def fingerprint_file(backup: Path) -> Path:
    return backup.with_name(backup.name + ".key-fingerprint")


def sqlite_path(settings: Settings) -> Path:
    return settings.data_dir / "trackgate.db"


def backup(settings: Settings, out: Path, keyring: Keyring | None) -> Made:
    """Copy the database to ``out`` (atomically) and its key's fingerprint beside it."""
    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    if settings.is_sqlite:
        stored = _sqlite_backup(sqlite_path(settings), partial)
    else:
        stored = _pg_backup(settings, partial)
    key_fp = stored or (fingerprint(keyring.primary) if keyring else None)
    os.replace(partial, out)
    sidecar = fingerprint_file(out)
    sidecar.write_text(
        json.dumps(
            {
                "key_fingerprint": key_fp,
                "database": "sqlite" if settings.is_sqlite else "postgresql",
            }
        )
        + "\n"
    )
    return Made(out, sidecar, key_fp, out.stat().st_size, time.monotonic() - started)


def _sqlite_backup(source: Path, target: Path) -> str | None:
    if not source.exists():
        raise BackupError(f"no database at {source}: check --data-dir (or TRACKGATE_DATA_DIR)", 2)
    target.unlink(missing_ok=True)
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(target)
    try:
        live.execute("PRAGMA busy_timeout=30000")
        live.backup(copy)  # one pass: a single snapshot, whatever the server writes meanwhile
        return _sqlite_fingerprint(copy)
    finally:
        copy.close()
        live.close()


def _sqlite_fingerprint(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute(
            "SELECT value FROM meta WHERE key = ?", (FINGERPRINT_KEY,)
        ).fetchone()
    except sqlite3.OperationalError:  # a database never started: no meta table
        return None
    return str(row[0]) if row else None


def libpq(settings: Settings) -> tuple[str, dict[str, str]]:
    """The database URL for the PostgreSQL tools, its password in their environment instead
    (a password in argv is visible to every user of the machine)."""
    url: URL = make_url(settings.sqlalchemy_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools (the same major "
            f"version as the server), or run the commands in the {RECIPE}"
        )
    return found


def _pg_backup(settings: Settings, target: Path) -> str | None:
    dump = tool("pg_dump")
    url, env = libpq(settings)
    done = subprocess.run(
        [dump, "--format=custom", "--no-owner", "--file", str(target), url],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"pg_dump failed: {reason}")
    return _pg_fingerprint(settings)


def _pg_fingerprint(settings: Settings) -> str | None:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        if not inspect(engine).has_table(Meta.__tablename__):
            return None
        with engine.connect() as conn:
            value = conn.scalar(select(Meta.value).where(Meta.key == FINGERPRINT_KEY))
            return None if value is None else str(value)
    finally:
        engine.dispose()
