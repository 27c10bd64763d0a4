"""``--demo``: a demo user, account and ACTIVE connection made once; a new key every run, and
the key of the run before is revoked."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import typer
from fastapi.testclient import TestClient

from tests.conftest import free_port, start_live_server, stop_live_server
from trackgate.cli.demo import DEMO_EMAIL, DemoUnavailable, ensure_demo, run_demo
from trackgate.config import Settings
from trackgate.gateway.credential_store import open_credential
from trackgate.gateway.keys import issue_key
from trackgate.runtime import Runtime
from trackgate.service.users import reset_token, reveal_token, user_by_email
from trackgate.storage.models import ApiKey, Connection


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_demo_objects_are_made_once_and_every_run_replaces_the_key(
    runtime: Runtime, client: TestClient
) -> None:
    first = ensure_demo(runtime)
    second = ensure_demo(runtime)
    assert (first.user_id, first.account_id, first.connection_id) == (
        second.user_id,
        second.account_id,
        second.connection_id,
    )
    assert first.api_key != second.api_key and first.key_id != second.key_id
    refused = client.get("/connections", headers=bearer(first.api_key))
    assert refused.status_code == 401
    r = client.get("/connections?app=toggl-track&status=ACTIVE", headers=bearer(second.api_key))
    assert r.status_code == 200
    [connection] = r.json()["connections"]
    assert connection["connection_id"] == first.connection_id
    assert connection["method"] == "API_KEY"
    assert connection["metadata"]["email"] == DEMO_EMAIL
    assert connection["metadata"]["user_id"] == first.user_id
    assert connection["metadata"]["default_workspace_id"]


def test_only_demo_keys_are_revoked(runtime: Runtime) -> None:
    first = ensure_demo(runtime)
    with runtime.db.write() as session:
        other = issue_key(session, first.account_id, name="ci")
    ensure_demo(runtime)
    with runtime.db.read() as session:
        assert session.get(ApiKey, first.key_id).revoked_at is not None  # type: ignore[union-attr]
        assert session.get(ApiKey, other.key_id).revoked_at is None  # type: ignore[union-attr]


def test_the_demo_connection_holds_the_demo_users_token_sealed(runtime: Runtime) -> None:
    demo = ensure_demo(runtime)
    with runtime.db.read() as session:
        user = user_by_email(session, DEMO_EMAIL)
        connection = session.get(Connection, demo.connection_id)
        assert user is not None and connection is not None
        token = reveal_token(runtime.keyring, user)
    assert connection.status == "ACTIVE" and connection.credential_ciphertext
    assert token not in connection.credential_ciphertext
    assert (
        open_credential(runtime.keyring, connection.id, connection.credential_ciphertext) == token
    )


def test_a_deleted_demo_connection_or_reset_token_is_repaired_on_the_next_run(
    runtime: Runtime, client: TestClient
) -> None:
    first = ensure_demo(runtime)
    assert client.delete(f"/connections/{first.connection_id}", headers=bearer(first.api_key))
    with runtime.db.write() as session:
        user = user_by_email(session, DEMO_EMAIL)
        assert user is not None
        new_token = reset_token(session, runtime.keyring, user)
    second = ensure_demo(runtime)
    assert second.account_id == first.account_id and second.connection_id != first.connection_id
    with runtime.db.read() as session:
        connection = session.get(Connection, second.connection_id)
        assert connection is not None and connection.credential_ciphertext
    opened = open_credential(runtime.keyring, connection.id, connection.credential_ciphertext)
    assert opened == new_token


def test_run_demo_prints_the_export_line_on_stdout_and_a_hint_on_stderr(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    run_demo(runtime)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("export MATON_API_KEY=tgk_")
    assert "MATON_API_KEY" in err and lines[0].split("=", 1)[1] not in err


def test_demo_refuses_an_external_upstream(
    settings: Settings, runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    external = dataclasses.replace(
        runtime, settings=dataclasses.replace(settings, upstream_url="https://api.track.toggl.com")
    )
    with pytest.raises(DemoUnavailable):
        ensure_demo(external)
    with pytest.raises(typer.Exit) as exited:
        run_demo(external)
    assert exited.value.exit_code == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "--upstream" in err


@pytest.mark.socket
def test_serve_demo_prints_a_key_that_works_reuses_the_objects_and_revokes_the_last_key(
    tmp_path: Path,
) -> None:
    keys = []
    for _ in range(2):
        server = start_live_server(tmp_path, "--demo")
        try:
            line = server.process.stdout.readline()
            assert line.startswith("export MATON_API_KEY=tgk_")
            key = line.strip().split("=", 1)[1]
            r = httpx.get(f"{server.url}/connections", headers=bearer(key), timeout=10)
            assert r.status_code == 200
            [connection] = r.json()["connections"]
            assert connection["status"] == "ACTIVE"
            keys.append((key, connection["connection_id"]))
            for earlier, _ in keys[:-1]:
                gone = httpx.get(f"{server.url}/connections", headers=bearer(earlier), timeout=10)
                assert gone.status_code == 401
        finally:
            stop_live_server(server)
    assert keys[0][0] != keys[1][0] and keys[0][1] == keys[1][1]


@pytest.mark.socket
def test_serve_demo_with_an_upstream_fails_with_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "TRACKGATE_KEY_FILE": str(tmp_path / "config" / "secret.key"),
        "TRACKGATE_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "trackgate", "serve", "--port", str(free_port())]
        + ["--demo", "--upstream", "http://127.0.0.1:9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("trackgate: --demo needs") and done.returncode == 2
    assert not (tmp_path / "data").exists() and not (tmp_path / "config").exists()
