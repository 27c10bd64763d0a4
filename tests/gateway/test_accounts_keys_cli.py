"""``trackgate accounts`` and ``trackgate keys``, run as commands against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from trackgate.cli.main import app as cli_app
from trackgate.config import Settings
from trackgate.crypto import digest
from trackgate.runtime import Runtime
from trackgate.storage.models import ApiKey


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """The environment that points a command at the same database and key as ``runtime``."""
    env = {"TRACKGATE_KEY_FILE": str(settings.key_file)}
    if settings.database_url:
        env["TRACKGATE_DATABASE_URL"] = settings.database_url
    if settings.secret_key:
        env["TRACKGATE_SECRET_KEY"] = settings.secret_key
    return env


@pytest.fixture
def trackgate(settings: Settings, cli_env: dict[str, str]) -> Any:
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(
            cli_app,
            [*args, "--data-dir", str(settings.data_dir)],
            env=cli_env,
            catch_exceptions=False,
        )

    return run


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def failed_with(result: Any, text: str) -> None:
    assert result.exit_code != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], result.stderr


def test_accounts_create_prints_the_account_and_a_working_key(
    trackgate: Any, runtime: Runtime, client: TestClient
) -> None:
    made = ok_json(trackgate("accounts", "create", "--name", "My team"))
    assert {"account_id", "api_key"} <= set(made)
    assert made["api_key"].startswith("tgk_")
    r = client.get("/connections", headers={"Authorization": f"Bearer {made['api_key']}"})
    assert r.status_code == 200 and r.json() == {"connections": []}
    with runtime.db.read() as session:
        stored = session.query(ApiKey).filter_by(account_id=made["account_id"]).one()
        assert stored.key_digest == digest(made["api_key"])
        assert made["api_key"] not in (stored.prefix, stored.key_digest)
    listed = ok_json(trackgate("accounts", "list"))
    assert {"account_id": made["account_id"], "name": "My team"}.items() <= next(
        a for a in listed if a["account_id"] == made["account_id"]
    ).items()


def test_keys_create_list_and_revoke(trackgate: Any, client: TestClient) -> None:
    account = ok_json(trackgate("accounts", "create", "--name", "keys"))["account_id"]
    second = ok_json(trackgate("keys", "create", "--account", account, "--name", "ci"))
    assert set(second) == {"key_id", "api_key", "scopes"} and second["api_key"].startswith("tgk_")
    assert second["scopes"] == ["read", "time:write", "catalog:write"]
    headers = {"Authorization": f"Bearer {second['api_key']}"}
    listed = ok_json(trackgate("keys", "list", "--account", account))
    assert len(listed) == 2
    shown = {"key_id", "prefix", "name", "scopes", "created_at", "revoked_at"}
    assert all(set(k) == shown for k in listed)
    assert [k["name"] for k in listed] == ["default", "ci"]
    assert all(k["revoked_at"] is None for k in listed)
    assert second["api_key"] not in json.dumps(listed)
    assert second["api_key"].startswith(listed[1]["prefix"])
    revoked = ok_json(trackgate("keys", "revoke", second["key_id"]))
    assert revoked["key_id"] == second["key_id"] and revoked["revoked_at"].endswith("Z")
    assert client.get("/connections", headers=headers).status_code == 401
    after = ok_json(trackgate("keys", "list", "--account", account))
    assert [k["revoked_at"] is not None for k in after] == [False, True]
    again = ok_json(trackgate("keys", "revoke", second["key_id"]))  # idempotent
    assert again["revoked_at"] == revoked["revoked_at"]


def test_keys_carry_the_scopes_and_budget_chosen(
    trackgate: Any, client: TestClient, runtime: Runtime
) -> None:
    account = ok_json(trackgate("accounts", "create", "--name", "scoped"))["account_id"]
    made = ok_json(
        trackgate(
            "keys", "create", "--account", account, "--scope", "read", "--scope", "admin",
            "--budget", "10",
        )
    )  # fmt: skip
    assert made["scopes"] == ["read", "admin"] and made["budget"] == 10
    listed = {k["key_id"]: k for k in ok_json(trackgate("keys", "list", "--account", account))}
    assert listed[made["key_id"]]["scopes"] == ["read", "admin"]
    assert listed[made["key_id"]]["budget"] == 10
    first = next(k for k in listed.values() if k["key_id"] != made["key_id"])
    assert first["scopes"] == ["read", "time:write", "catalog:write"] and "budget" not in first
    # the key works, within its scopes
    headers = {"Authorization": f"Bearer {made['api_key']}"}
    assert client.get("/connections", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("keys", "create", "--account", "any", "--scope", "write"), "unknown scope 'write'"),
        (("keys", "create", "--account", "any", "--budget", "0"), "--budget"),
    ],
)
def test_wrong_scopes_and_budgets_are_usage_errors(
    trackgate: Any, args: tuple[str, ...], text: str
) -> None:
    result = trackgate(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert text in result.stderr


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("keys", "create", "--account", "no-such-account"), "no account no-such-account"),
        (("keys", "list", "--account", "no-such-account"), "no account no-such-account"),
        (("keys", "revoke", "key_nope"), "no key key_nope"),
        (("accounts", "create", "--name", "   "), "account name"),
    ],
)
def test_errors_are_one_line_on_stderr(trackgate: Any, args: tuple[str, ...], text: str) -> None:
    failed_with(trackgate(*args), text)


def test_the_real_command_keeps_stdout_for_json(
    settings: Settings, cli_env: dict[str, str]
) -> None:
    env = {**os.environ, **cli_env}
    env.pop("TRACKGATE_TEST_DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trackgate", *args, "--data-dir", str(settings.data_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    data_dir = settings.data_dir
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)  # as trackgate makes it: no warning about who can open it
    made = run("accounts", "create", "--name", "process")
    assert made.returncode == 0, made.stderr
    body = json.loads(made.stdout)
    assert body["api_key"] not in made.stderr
    missing = run("keys", "list", "--account", "nope")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr == "trackgate: no account nope\n"
    if settings.is_sqlite:  # a warning about an open data directory goes to stderr too
        data_dir.chmod(0o755)
        listed = run("accounts", "list")
        assert listed.returncode == 0, listed.stderr
        assert body["account_id"] in [a["account_id"] for a in json.loads(listed.stdout)]
        [warning] = listed.stderr.splitlines()
        assert warning.startswith("trackgate: warning: other users can open the data directory")
