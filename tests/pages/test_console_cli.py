"""``trackgate operators create`` and ``trackgate console invite``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from tests.pages.console_helpers import make_team
from trackgate.cli.main import app as cli_app
from trackgate.config import Settings
from trackgate.runtime import Runtime
from trackgate.storage.models import ConsoleMember


@pytest.fixture
def trackgate(settings: Settings) -> Any:
    env = {"TRACKGATE_KEY_FILE": str(settings.key_file)}
    if settings.database_url:
        env["TRACKGATE_DATABASE_URL"] = settings.database_url
    if settings.secret_key:
        env["TRACKGATE_SECRET_KEY"] = settings.secret_key

    def run(*args: str, stdin: str | None = None) -> Any:
        return CliRunner().invoke(
            cli_app,
            [*args, "--data-dir", str(settings.data_dir)],
            env=env,
            input=stdin,
            catch_exceptions=False,
        )

    return run


def test_operators_create_reads_the_password_from_stdin(trackgate: Any, runtime: Runtime) -> None:
    made = trackgate(
        "operators",
        "create",
        "--email",
        "Root@Example.com",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["email"] == "root@example.com"
    assert "/console/signin" in made.stderr
    with runtime.db.read() as session:
        member = session.query(ConsoleMember).filter_by(email="root@example.com").one()
        assert member.operator and member.password_hash.startswith("$argon2")
    again = trackgate(
        "operators",
        "create",
        "--email",
        "root@example.com",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert again.exit_code == 1 and "member already" in again.stderr
    short = trackgate(
        "operators", "create", "--email", "b@example.com", "--password-stdin", stdin="short\n"
    )
    assert short.exit_code == 1 and "at least 8 characters" in short.stderr


def test_console_invite_prints_a_one_time_link(trackgate: Any, runtime: Runtime) -> None:
    team = make_team(runtime, "owner@example.com")
    made = trackgate(
        "console",
        "invite",
        "--email",
        "mate@example.com",
        "--account",
        team.account_id,
        "--role",
        "member",
    )
    assert made.exit_code == 0, made.stderr
    invite = json.loads(made.stdout)
    assert invite["url"].startswith("http://127.0.0.1:8080/console/signup?invite=")
    assert invite["role"] == "member" and invite["account_id"] == team.account_id
    elsewhere = trackgate(
        "console",
        "invite",
        "--email",
        "op2@example.com",
        "--operator",
        "--url",
        "https://gw.example.com/",
    )
    assert elsewhere.exit_code == 0, elsewhere.stderr
    assert json.loads(elsewhere.stdout)["url"].startswith(
        "https://gw.example.com/console/signup?invite="
    )
    for args, says in [
        (("--email", "x@example.com"), "--account is needed"),
        (("--email", "x@example.com", "--account", "nope"), "no account nope"),
        (("--email", "x@example.com", "--account", team.account_id, "--role", "boss"), "--role"),
    ]:
        refused = trackgate("console", "invite", *args)
        assert refused.exit_code == 1 and says in refused.stderr, refused.stderr
