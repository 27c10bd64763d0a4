"""Operating a server: readiness of its database and Redis, and migrating without serving."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime


def test_ready_when_the_database_answers(client: TestClient):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "redis": "off"}


def test_not_ready_when_redis_is_unreachable(settings: Settings):
    runtime = build_runtime(settings)
    try:
        broken = Runtime(
            settings=settings.with_overrides(redis_url="redis://127.0.0.1:1/0"),
            db=runtime.db,
            keyring=runtime.keyring,
            failures=runtime.failures,
        )
        with TestClient(create_app(broken), raise_server_exceptions=False) as client:
            r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
    finally:
        runtime.close()


def test_ready_with_a_live_redis(settings: Settings):
    runtime = build_runtime(settings)
    try:
        live = Runtime(
            settings=settings.with_overrides(redis_url="redis://127.0.0.1:6379/0"),
            db=runtime.db,
            keyring=runtime.keyring,
            failures=runtime.failures,
        )
        with TestClient(create_app(live), raise_server_exceptions=False) as client:
            assert client.get("/readyz").json()["redis"] == "ok"
    finally:
        runtime.close()


def run_cli(*args: str, env: dict[str, str]) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_db_upgrade_migrates_a_new_database_without_serving(tmp_path: Path):
    import os

    env = {**os.environ, "TRACKGATE_DATA_DIR": str(tmp_path / "data")}
    env.pop("TRACKGATE_DATABASE_URL", None)
    first = run_cli("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    revision = json.loads(first.stdout)["revision"]
    assert revision
    assert (tmp_path / "data" / "trackgate.db").exists()
    again = run_cli("db", "upgrade", env=env)  # nothing pending: the same revision
    assert json.loads(again.stdout)["revision"] == revision


def test_db_upgrade_reports_a_database_it_cannot_open(tmp_path: Path):
    import os

    env = {**os.environ, "TRACKGATE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    r = run_cli("db", "upgrade", env=env)
    assert r.returncode != 0
    assert r.stderr.startswith("trackgate: cannot upgrade the database")
    assert "Traceback" not in r.stderr
