"""``trackgate users create --workspace WID [--role member|admin]`` run as a command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_DATABASE_URL, basic
from tests.service.core_helpers import API

pytestmark = pytest.mark.skipif(
    TEST_DATABASE_URL is not None, reason="the command makes its own SQLite data dir"
)


def trackgate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"TRACKGATE_KEY_FILE": str(tmp_path / "config" / "secret.key"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args, "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_users_join_an_existing_workspace_with_a_role(tmp_path: Path) -> None:
    owner = trackgate(
        tmp_path, "users", "create", "--email", "o@example.com", "--password", "secret123"
    )
    assert owner.returncode == 0, owner.stderr
    wid = json.loads(owner.stdout)["default_workspace_id"]
    made = []
    for email, role in (("m@example.com", "member"), ("a@example.com", "admin")):
        r = trackgate(
            tmp_path,
            "users",
            "create",
            "--email",
            email,
            "--password",
            "secret123",
            "--workspace",
            str(wid),
            "--role",
            role,
        )
        assert r.returncode == 0, r.stderr
        body = json.loads(r.stdout)
        assert body["default_workspace_id"] == wid and len(body["api_token"]) == 32
        made.append(body)
    bad = trackgate(
        tmp_path,
        "users",
        "create",
        "--email",
        "b@example.com",
        "--password",
        "secret123",
        "--workspace",
        str(wid),
        "--role",
        "boss",
    )
    assert bad.returncode != 0 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    missing = trackgate(
        tmp_path,
        "users",
        "create",
        "--email",
        "c@example.com",
        "--password",
        "secret123",
        "--workspace",
        "999999",
    )
    assert missing.returncode != 0 and "999999" in missing.stderr
    # the service shows the team
    from trackgate.app import create_app
    from trackgate.config import load_settings
    from trackgate.runtime import build_runtime

    settings = load_settings(
        {}, data_dir=tmp_path / "data", key_file=tmp_path / "config" / "secret.key"
    )
    runtime = build_runtime(settings)
    try:
        with TestClient(create_app(runtime)) as client:
            auth = basic(made[0]["api_token"], "api_token")
            users = client.get(f"{API}/workspaces/{wid}/workspace_users", headers=auth).json()
            assert [(u["email"], u["role"]) for u in users] == [
                ("o@example.com", "admin"),
                ("m@example.com", "user"),
                ("a@example.com", "admin"),
            ]
    finally:
        runtime.close()
