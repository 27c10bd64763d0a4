"""`trackgate secrets rotate` at realistic sizes: more secrets than one batch, a rotation killed
half way and resumed, and the old key kept while any row still needs it.

Each test has a database of its own (SQLite here, PostgreSQL in the PostgreSQL pass), since a
rotation changes the key the whole database depends on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from typer.testing import CliRunner

from tests.conftest import basic
from tests.databases import OwnDatabase
from tests.proxy.helpers import APP
from trackgate.app import create_app
from trackgate.cli.main import app as cli_app
from trackgate.config import Settings, load_settings
from trackgate.crypto import (
    Keyring,
    encode_key,
    fingerprint,
    generate_key,
    key_id,
    parse_keys,
    write_key_file,
)
from trackgate.gateway.connections import create_connection, issue_session
from trackgate.gateway.credential_store import seal_credential
from trackgate.gateway.keys import create_account, issue_key
from trackgate.rotation import BATCH, count_by_key
from trackgate.runtime import Runtime, build_runtime, stored_fingerprint
from trackgate.service.users import NewUser, create_user
from trackgate.storage.database import Database
from trackgate.storage.models import Connection, User

#: More users than one batch, each with a connection holding their token: both sealed columns
#: need a second batch.
USERS = BATCH + 40


@dataclass
class Stored:
    """What was sealed under the old key: the users' tokens and a connection for each."""

    tokens: dict[str, str]  # email -> API token
    connections: dict[str, str]  # connection id -> email of the user whose token it holds
    api_key: str

    @property
    def sealed(self) -> int:
        return len(self.tokens) + len(self.connections) + 1  # + one pending connect link


def _settings(own: OwnDatabase, *, key_file: Path | None, secret_key: str | None) -> Settings:
    return load_settings(
        {},
        data_dir=own.data_dir,
        database_url=own.url,
        key_file=key_file,
        secret_key=secret_key,
        auth_failure_limit="100000/minute",
        rate_limit="100000/second",
    )


def fill(runtime: Runtime, users: int = USERS) -> Stored:
    """Users without passwords (no hashing to pay for), one connection each, a connect link."""
    tokens: dict[str, str] = {}
    connections: dict[str, str] = {}
    with runtime.db.write() as session:
        account = create_account(session, "rotation")
        api_key = issue_key(session, account.id).api_key
        for n in range(users):
            email = f"user{n:04d}@example.com"
            user, token = create_user(session, runtime.keyring, NewUser(email, None))
            tokens[email] = token
            connection = create_connection(session, account.id, APP)
            connection.status, connection.method = "ACTIVE", "API_KEY"
            connection.credential_ciphertext = seal_credential(
                runtime.keyring, connection.id, token
            )
            connections[connection.id] = email
        pending = create_connection(session, account.id, APP)
        issue_session(session, runtime.keyring, pending.id)
    return Stored(tokens, connections, api_key)


def assert_everything_works(runtime: Runtime, stored: Stored) -> None:
    """Every old API token authenticates at the service, and every connection carries its
    user's token through the proxy to the service: used, not just decrypted."""
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        for email, token in stored.tokens.items():
            me = client.get("/api/v9/me", headers=basic(token, "api_token"))
            assert me.status_code == 200, (email, me.text)
            assert me.json()["email"] == email
        for connection_id, email in stored.connections.items():
            proxied = client.get(
                f"/{APP}/api/v9/me",
                headers={
                    "Authorization": f"Bearer {stored.api_key}",
                    "Maton-Connection": connection_id,
                },
            )
            assert proxied.status_code == 200, (connection_id, proxied.text)
            assert proxied.json()["email"] == email


def _cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`trackgate ...` in this process (the process boundary is not what these tests are about)."""
    result = CliRunner().invoke(cli_app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "secret.key"
    write_key_file(path, (generate_key(),))
    return path


def test_rotation_through_the_key_file_reseals_past_the_first_batch(
    own_database: OwnDatabase, key_file: Path
) -> None:
    settings = _settings(own_database, key_file=key_file, secret_key=None)
    runtime = build_runtime(settings)
    try:
        stored = fill(runtime)
    finally:
        runtime.close()
    old_id = key_id(parse_keys(key_file.read_text())[0])
    env = {**own_database.env(), "TRACKGATE_KEY_FILE": str(key_file)}

    code, out, err = _cli(env, "secrets", "rotate")

    assert code == 0, err
    report = json.loads(out)
    assert report["resealed"] == stored.sealed
    assert report["remaining"] == 0
    new_keys = parse_keys(key_file.read_text())
    assert len(new_keys) == 1 and key_id(new_keys[0]) == report["primary_key_id"] != old_id
    runtime = build_runtime(settings)  # the key file now holds the new key alone
    try:
        assert count_by_key(runtime.db, runtime.keyring) == {
            report["primary_key_id"]: stored.sealed
        }
        assert_everything_works(runtime, stored)
    finally:
        runtime.close()


def test_rotation_through_the_variable_reseals_past_the_first_batch(
    own_database: OwnDatabase, tmp_path: Path
) -> None:
    old, new = encode_key(generate_key()), encode_key(generate_key())
    runtime = build_runtime(_settings(own_database, key_file=None, secret_key=old))
    try:
        stored = fill(runtime)
    finally:
        runtime.close()
    env = {**own_database.env(), "TRACKGATE_SECRET_KEY": f"{new},{old}"}

    code, out, err = _cli(env, "secrets", "rotate")

    assert code == 0, err
    report = json.loads(out)
    assert (report["resealed"], report["remaining"]) == (stored.sealed, 0)
    assert report["primary_key_id"] == key_id(parse_keys(new)[0])
    assert new not in out + err and old not in out + err
    runtime = build_runtime(_settings(own_database, key_file=None, secret_key=new))
    try:
        assert count_by_key(runtime.db, runtime.keyring) == {
            report["primary_key_id"]: stored.sealed
        }
        assert_everything_works(runtime, stored)
    finally:
        runtime.close()
    with pytest.raises(Exception, match="does not match"):
        build_runtime(_settings(own_database, key_file=None, secret_key=old)).close()


# --- a row sealed by the old key while the rotation runs ------------------------------------


def test_the_old_key_stays_while_a_row_written_during_the_rotation_needs_it(
    own_database: OwnDatabase, key_file: Path
) -> None:
    """A server still running with the old key stores a credential at the worst moment (after
    the last batch, just before the rotation counts what remains): the report says so, the key
    file keeps the old key, the fingerprint stays, and the next rotate finishes the job."""
    settings = _settings(own_database, key_file=key_file, secret_key=None)
    runtime = build_runtime(settings)
    try:
        stored = fill(runtime, users=3)
    finally:
        runtime.close()
    old_ring = Keyring(parse_keys(key_file.read_text()))
    late: list[str] = []

    def old_server_writes(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        counting = statement.lower().startswith("select count(")
        if late or not counting or "_ciphertext" not in statement:
            return
        late.append(str(uuid.uuid4()))
        other = Database(settings.sqlalchemy_url)
        try:
            with other.write() as session:
                session.add(
                    Connection(
                        id=late[0],
                        account_id=session.scalars(select(Connection.account_id)).first(),
                        app=APP,
                        status="ACTIVE",
                        method="API_KEY",
                        credential_ciphertext=seal_credential(old_ring, late[0], "f" * 32),
                        details={},
                    )
                )
        finally:
            other.dispose()

    env = {**own_database.env(), "TRACKGATE_KEY_FILE": str(key_file)}
    event.listen(Engine, "before_cursor_execute", old_server_writes)
    try:
        code, out, err = _cli(env, "secrets", "rotate")
    finally:
        event.remove(Engine, "before_cursor_execute", old_server_writes)

    assert late, "the rotation never counted what remains"
    assert code == 1, out + err
    report = json.loads(out)
    assert (report["resealed"], report["remaining"]) == (stored.sealed, 1)
    assert "still need the old key" in err and err.count("\n") == 1
    ring = parse_keys(key_file.read_text())
    assert [key_id(k) for k in ring] == [report["primary_key_id"], old_ring.primary_id]
    runtime = build_runtime(settings)
    try:
        assert stored_fingerprint(runtime.db) == fingerprint(old_ring.primary)
    finally:
        runtime.close()

    code, out, err = _cli(env, "secrets", "rotate")

    assert code == 0, err
    assert json.loads(out)["remaining"] == 0 and json.loads(out)["resealed"] == 1
    assert len(parse_keys(key_file.read_text())) == 1
    runtime = build_runtime(settings)
    try:
        assert_everything_works(runtime, stored)
    finally:
        runtime.close()


# --- a rotation killed half way -------------------------------------------------------------


def _moved(db: Database, old_id: str) -> int:
    """Rows no longer sealed by the old key (users' tokens and connection credentials)."""
    with db.read() as session:
        users = session.scalar(
            select(func.count()).where(~User.api_token_ciphertext.like(f"v1.{old_id}.%"))
        )
        connections = session.scalar(
            select(func.count()).where(
                Connection.credential_ciphertext.is_not(None),
                ~Connection.credential_ciphertext.like(f"v1.{old_id}.%"),
            )
        )
    return (users or 0) + (connections or 0)


def test_a_rotation_killed_mid_way_leaves_everything_readable_and_resumes(
    own_database: OwnDatabase, key_file: Path
) -> None:
    """A real `secrets rotate` process, killed with SIGKILL once its first batch is committed
    and while later batches are in flight: the key file holds both keys, nothing is lost, the
    fingerprint has not moved, and running rotate again finishes where it stopped."""
    settings = _settings(own_database, key_file=key_file, secret_key=None)
    runtime = build_runtime(settings)
    try:
        stored = fill(runtime, 2 * BATCH + 50)
    finally:
        runtime.close()
    old_key = parse_keys(key_file.read_text())[0]
    old_id = key_id(old_key)
    env = {**os.environ, **own_database.env(), "TRACKGATE_KEY_FILE": str(key_file)}
    env.pop("TRACKGATE_SECRET_KEY", None)
    watcher = Database(settings.sqlalchemy_url)
    rotating = subprocess.Popen(
        [sys.executable, "-m", "trackgate", "secrets", "rotate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _moved(watcher, old_id) == 0 and rotating.poll() is None:
            assert time.monotonic() < deadline, "the rotation committed no batch in 120 s"
            time.sleep(0.001)
        rotating.send_signal(signal.SIGKILL)
        assert rotating.wait(30) == -signal.SIGKILL, "the rotation finished before the kill"
        moved = _moved(watcher, old_id)
    finally:
        if rotating.poll() is None:
            rotating.kill()
        watcher.dispose()

    total = len(stored.tokens) + len(stored.connections)
    assert BATCH <= moved < total  # at least one batch committed, not all of them
    ring = parse_keys(key_file.read_text())
    assert len(ring) == 2 and ring[1] == old_key  # NEW,OLD: every row still has its key
    runtime = build_runtime(settings)  # a server starts on the half-rotated data
    try:
        assert stored_fingerprint(runtime.db) == fingerprint(old_key)
        assert sum(count_by_key(runtime.db, runtime.keyring).values()) == stored.sealed
    finally:
        runtime.close()

    code, out, err = _cli(
        {**own_database.env(), "TRACKGATE_KEY_FILE": str(key_file)}, "secrets", "rotate"
    )

    assert code == 0, err
    report = json.loads(out)
    assert report["primary_key_id"] == key_id(ring[0])  # the same new key, not a third one
    assert (report["resealed"], report["remaining"]) == (stored.sealed - moved, 0)
    assert parse_keys(key_file.read_text()) == (ring[0],)
    runtime = build_runtime(settings)
    try:
        assert_everything_works(runtime, stored)
    finally:
        runtime.close()
