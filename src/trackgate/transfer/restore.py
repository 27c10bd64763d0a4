"""Putting a backup back: only with the key its secrets were sealed with, and only over an
empty database unless forced. SQLite through the backup API (page by page under the target's
lock), PostgreSQL through ``pg_restore`` in one transaction."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from trackgate.config import Settings
from trackgate.crypto import Keyring, fingerprint
from trackgate.runtime import database_name
from trackgate.storage.models import Meta
from trackgate.transfer.backup import (
    PG_DUMP_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    fingerprint_file,
    libpq,
    sqlite_path,
    tool,
)


def expected_fingerprint(backup_file: Path) -> str | None:
    sidecar = fingerprint_file(backup_file)
    if not sidecar.exists():
        raise BackupError(
            f"no {sidecar.name} next to {backup_file}: a backup is restored with the key "
            "fingerprint `trackgate backup` wrote beside it",
            2,
        )
    try:
        value = json.loads(sidecar.read_text())["key_fingerprint"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{sidecar} is not a key fingerprint file", 2) from exc
    return None if value is None else str(value)


def check_key(backup_file: Path, keyring: Keyring, source: str) -> str | None:
    """The backup's fingerprint, when ``keyring`` holds the key it names; else one line
    naming both fingerprints."""
    expected = expected_fingerprint(backup_file)
    if expected is not None and not keyring.holds_fingerprint(expected):
        raise BackupError(
            f"the backup {backup_file} needs the key with fingerprint {expected}, but the key "
            f"from {source} has fingerprint {fingerprint(keyring.primary)}: give the right one "
            "with --key-file",
            2,
        )
    return expected


def restore(settings: Settings, backup_file: Path, *, force: bool) -> None:
    """Put the backup in place of the settings' database (empty unless ``force``)."""
    head = backup_file.read_bytes()[:16] if backup_file.is_file() else b""
    if settings.is_sqlite:
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{backup_file} is not a SQLite backup made by trackgate backup", 2)
        _sqlite_restore(settings, backup_file, force=force)
        return
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{backup_file} is not a pg_dump custom-format backup", 2)
    _pg_restore(settings, backup_file, force=force)


def _refuse_unless_forced(settings: Settings, holds_rows: bool, force: bool) -> None:
    if holds_rows and not force:
        raise BackupError(
            f"the database {database_name(settings)} is not empty: restore over it with "
            "--force (stop its servers first)",
            2,
        )


def _sqlite_restore(settings: Settings, source: Path, *, force: bool) -> None:
    target = sqlite_path(settings)
    _refuse_unless_forced(settings, target.exists() and _sqlite_holds_rows(target), force)
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        backup_copy.backup(live)  # page by page under the target's lock: WAL files stay right
    finally:
        live.close()
        backup_copy.close()


def _sqlite_holds_rows(path: Path) -> bool:
    with sqlite3.connect(path, timeout=30) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in ("alembic_version", Meta.__tablename__)
        ]
        return any(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables)


def _pg_holds_rows(settings: Settings) -> bool:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        names = [
            n
            for n in inspect(engine).get_table_names()
            if n not in ("alembic_version", Meta.__tablename__)
        ]
        with engine.connect() as conn:
            return any(
                conn.execute(text(f'SELECT 1 FROM "{n}" LIMIT 1')).first() is not None
                for n in names
            )
    finally:
        engine.dispose()


def _pg_restore(settings: Settings, source: Path, *, force: bool) -> None:
    program = tool("pg_restore")
    _refuse_unless_forced(settings, _pg_holds_rows(settings), force)
    url, env = libpq(settings)
    done = subprocess.run(
        [
            program,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            url,
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"pg_restore failed: {reason}")
