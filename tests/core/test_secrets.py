"""Secrets at rest: AES-GCM keyring, key checks at start, and rotation."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trackgate.cli.main import app as cli_app
from trackgate.config import load_settings
from trackgate.crypto import (
    DecryptError,
    Keyring,
    SecretKeyError,
    encode_key,
    generate_key,
    load_keyring,
)
from trackgate.runtime import build_runtime


def test_ciphertext_names_its_key_and_is_bound_to_its_context() -> None:
    ring = Keyring((generate_key(),))
    sealed = ring.encrypt("0123456789abcdef0123456789abcdef", "users.api_token:1")
    assert sealed.startswith(f"v1.{ring.primary_id}.")
    assert "0123456789abcdef" not in sealed
    assert ring.decrypt(sealed, "users.api_token:1") == "0123456789abcdef0123456789abcdef"
    with pytest.raises(DecryptError):
        ring.decrypt(sealed, "users.api_token:2")  # a ciphertext moved to another row


def test_a_ring_with_old_and_new_keys_reads_both() -> None:
    old, new = generate_key(), generate_key()
    sealed_old = Keyring((old,)).encrypt("secret", "ctx")
    ring = Keyring((new, old))
    assert ring.decrypt(sealed_old, "ctx") == "secret"
    assert ring.key_id_of(ring.encrypt("secret", "ctx")) == ring.primary_id
    with pytest.raises(DecryptError):
        Keyring((new,)).decrypt(sealed_old, "ctx")


def test_key_file_is_made_0600_outside_the_data_dir(tmp_path: Path) -> None:
    key_file = tmp_path / "config" / "secret.key"
    ring = load_keyring(None, key_file, create=True)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert load_keyring(None, key_file, create=False).primary == ring.primary
    key_file.chmod(0o644)
    with pytest.raises(SecretKeyError, match="readable by others"):
        load_keyring(None, key_file, create=False)


def test_malformed_keys_are_refused() -> None:
    with pytest.raises(SecretKeyError):
        load_keyring("not base64!!", Path("/nonexistent"), create=False)
    with pytest.raises(SecretKeyError, match="32 bytes"):
        load_keyring(encode_key(b"short"), Path("/nonexistent"), create=False)


def test_postgres_style_start_without_a_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="TRACKGATE_SECRET_KEY"):
        load_keyring(None, tmp_path / "missing.key", create=False)


def test_server_refuses_to_start_with_the_wrong_key(tmp_path: Path) -> None:
    first = load_settings({}, data_dir=tmp_path / "d", secret_key=encode_key(generate_key()))
    build_runtime(first).close()
    wrong = load_settings({}, data_dir=tmp_path / "d", secret_key=encode_key(generate_key()))
    with pytest.raises(SecretKeyError, match="does not match"):
        build_runtime(wrong)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A command run in this process (only the one-line error test needs a real one)."""
    result = CliRunner().invoke(cli_app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def _process(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")}
    env["TRACKGATE_DATA_DIR"] = str(tmp_path / "data")
    env["TRACKGATE_KEY_FILE"] = str(tmp_path / "config" / "secret.key")
    return env


def test_database_file_alone_holds_no_token_in_clear(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    made = _cli(cli_env, "users", "create", "--email", "a@example.com", "--password", "secret123")
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["api_token"]
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("trackgate.db*"))
    assert token.encode() not in raw
    with sqlite3.connect(tmp_path / "data" / "trackgate.db") as db:
        (stored,) = db.execute("select api_token_ciphertext from users").fetchone()
    assert stored.startswith("v1.") and token not in stored


def test_rotate_with_key_file_leaves_one_key_and_tokens_can_be_reset(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    made = _cli(cli_env, "users", "create", "--email", "r@example.com", "--password", "secret123")
    token = json.loads(made.stdout)["api_token"]
    before = _cli(cli_env, "secrets", "status")
    old_id = json.loads(before.stdout)["primary_key_id"]
    rotated = _cli(cli_env, "secrets", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    report = json.loads(rotated.stdout)
    assert report["resealed"] >= 1 and report["primary_key_id"] != old_id
    status = json.loads(_cli(cli_env, "secrets", "status").stdout)
    assert status["key_ids"] == [report["primary_key_id"]]
    assert status["sealed_by_key_id"] == {report["primary_key_id"]: 1}
    assert status["fingerprint_matches_primary"] is True
    listed = _cli(cli_env, "users", "reset-token", "--email", "r@example.com")
    assert listed.returncode == 0 and json.loads(listed.stdout)["api_token"] != token
    assert token not in rotated.stdout + rotated.stderr


def test_a_key_file_left_holding_new_and_old_starts_and_rotate_finishes(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A key file holding NEW,OLD still starts, and rotate finishes (a real kill: test_rotation)."""
    _cli(cli_env, "users", "create", "--email", "i@example.com", "--password", "secret123")
    key_file = Path(cli_env["TRACKGATE_KEY_FILE"])
    old = key_file.read_text().strip()
    new = encode_key(generate_key())
    key_file.write_text(f"{new}\n{old}\n")
    still_starts = _cli(cli_env, "users", "list")
    assert still_starts.returncode == 0, still_starts.stderr
    finished = _cli(cli_env, "secrets", "rotate")
    assert finished.returncode == 0, finished.stderr
    assert key_file.read_text().strip() == new
    assert _cli(cli_env, "users", "list").returncode == 0


def test_wrong_key_is_a_one_line_error(cli_env: dict[str, str]) -> None:
    """A real process: nothing but the one line reaches stderr, nothing reaches stdout."""
    _cli(cli_env, "users", "create", "--email", "w@example.com", "--password", "secret123")
    cli_env["TRACKGATE_SECRET_KEY"] = encode_key(generate_key())
    refused = _process(cli_env, "users", "list")
    assert refused.stdout == ""
    assert refused.returncode != 0
    assert refused.stderr.strip().count("\n") == 0
    assert "does not match" in refused.stderr
    assert cli_env["TRACKGATE_SECRET_KEY"] not in refused.stderr


def test_reseal_covers_every_sealed_column(tmp_path: Path) -> None:
    """Users' tokens, connection credentials and connect links all move to the new key."""
    from trackgate.gateway.connections import create_connection, issue_session, session_context
    from trackgate.gateway.credential_store import open_credential, seal_credential
    from trackgate.gateway.keys import create_account
    from trackgate.rotation import count_by_key, reseal_all
    from trackgate.storage.models import Connection, ConnectSession

    settings = load_settings({}, data_dir=tmp_path / "d", secret_key=encode_key(generate_key()))
    runtime = build_runtime(settings)
    try:
        with runtime.db.write() as session:
            account = create_account(session, "team")
            connection = create_connection(session, account.id, "toggl-track")
            connection.credential_ciphertext = seal_credential(
                runtime.keyring, connection.id, "f" * 32
            )
            link = issue_session(session, runtime.keyring, connection.id)
        new_ring = Keyring((generate_key(), *runtime.keyring.keys))
        reseal_all(runtime.db, new_ring)
        assert set(count_by_key(runtime.db, new_ring)) == {new_ring.primary_id}
        only_new = Keyring((new_ring.primary,))
        with runtime.db.read() as session:
            stored = session.get(Connection, connection.id)
            assert stored is not None and stored.credential_ciphertext is not None
            assert (
                open_credential(only_new, connection.id, stored.credential_ciphertext) == "f" * 32
            )
            row = session.query(ConnectSession).one()
            assert only_new.decrypt(row.token_ciphertext, session_context(row.token_digest)) == link
    finally:
        runtime.close()
