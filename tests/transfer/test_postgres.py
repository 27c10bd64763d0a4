"""The archive and backups on PostgreSQL: databases of these tests' own on the test server."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.transfer.commands import environment, run_trackgate
from trackgate.crypto import encode_key, generate_key

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin() -> str:
    test_url = os.environ.get("TRACKGATE_TEST_DATABASE_URL")
    if not test_url:
        return ADMIN_URL
    plain = test_url.replace("postgresql+psycopg://", "postgresql://", 1)
    return plain.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def databases() -> Iterator[list[str]]:
    """Three empty databases of this test's own, as TRACKGATE_DATABASE_URL values."""
    admin = _admin()
    names = [f"trackgate_transfer_{uuid.uuid4().hex[:10]}" for _ in range(3)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(tmp_path: Path, url: str, key: str) -> dict[str, str]:
    env = environment()
    env["TRACKGATE_DATABASE_URL"] = url
    env["TRACKGATE_SECRET_KEY"] = key
    env["TRACKGATE_DATA_DIR"] = str(tmp_path / "data")
    return env


def _emails(env: dict[str, str]) -> list[str]:
    listed = run_trackgate(env, "users", "list")
    assert listed.returncode == 0, listed.stderr
    return sorted(u["email"] for u in json.loads(listed.stdout))


def test_archive_and_backup_round_trips_on_postgresql(tmp_path: Path, databases: list[str]) -> None:
    key = encode_key(generate_key())
    source, target, restored = (_env(tmp_path, url, key) for url in databases)
    for who in ("ana", "bo"):
        made = run_trackgate(source, "users", "create", "--email", f"{who}@example.com",
                    "--password", "secret123")  # fmt: skip
        assert made.returncode == 0, made.stderr

    exported = run_trackgate(
        source, "export", "--format", "jsonl", "--out", str(tmp_path / "a.jsonl")
    )
    assert exported.returncode == 0, exported.stderr
    imported = run_trackgate(target, "import", "archive", str(tmp_path / "a.jsonl"))
    assert imported.returncode == 0, imported.stderr
    again = run_trackgate(target, "export", "--format", "jsonl", "--out", str(tmp_path / "b.jsonl"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    # the id sequences moved past the imported rows: a new user gets new ids
    later = run_trackgate(
        target, "users", "create", "--email", "cy@example.com", "--password", "x1234567"
    )
    assert later.returncode == 0, later.stderr

    backed = run_trackgate(source, "backup", "--out", str(tmp_path / "pg.dump"))
    assert backed.returncode == 0, backed.stderr
    assert (tmp_path / "pg.dump").read_bytes().startswith(b"PGDMP")
    assert key not in (tmp_path / "pg.dump.key-fingerprint").read_text()
    wrong = dict(restored, TRACKGATE_SECRET_KEY=encode_key(generate_key()))
    refused = run_trackgate(wrong, "restore", str(tmp_path / "pg.dump"))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    done = run_trackgate(restored, "restore", str(tmp_path / "pg.dump"))
    assert done.returncode == 0, done.stderr
    assert _emails(restored) == ["ana@example.com", "bo@example.com"]
    over = run_trackgate(target, "restore", str(tmp_path / "pg.dump"))
    assert over.returncode == 2 and "--force" in over.stderr
    forced = run_trackgate(target, "restore", str(tmp_path / "pg.dump"), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _emails(target) == ["ana@example.com", "bo@example.com"]
