"""A malformed setting is one line naming it and what it expects, exit 2, and nothing written.

Each case runs the real ``trackgate`` command in a fresh directory, as a person would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from trackgate.config import ENVIRONMENT, READERS, load_settings
from trackgate.setting_values import SettingError


def run_trackgate(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKGATE_", "MATON_"))}
    clean.update(
        {
            "HOME": str(tmp_path / "home"),
            "XDG_DATA_HOME": str(tmp_path / "home" / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "home" / "config"),
            **(env or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    """``trackgate serve`` on a free port: its default, 8080, may be another server's (``make
    serve``'s). A ``--port`` among ``args`` comes later on the line and wins."""
    return run_trackgate(tmp_path, "serve", "--port", str(free_port()), *args, env=env)


def written(tmp_path: Path) -> list[str]:
    home = tmp_path / "home"
    return sorted(str(p.relative_to(home)) for p in home.rglob("*")) if home.exists() else []


def assert_one_line(done: Any, *words: str) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    [line] = lines
    assert line.startswith("trackgate: ")
    for word in words:
        assert word in line, line
    return line


BAD_VARIABLES = [
    ("TRACKGATE_RATE_LIMIT", "lots", "a rate such as 10/second"),
    ("TRACKGATE_AUTH_FAILURE_LIMIT", "lots", "a rate such as 10/second"),
    ("TRACKGATE_UPSTREAM_PACING", "fast", "a rate such as 1/second, or off"),
    ("TRACKGATE_UPSTREAM_TIMEOUT", "soon", "a number of seconds"),
    ("TRACKGATE_TOGGL_URL", "not-a-url", "an http:// or https:// URL"),
    ("TRACKGATE_TOGGL_URL", "ftp://x", "an http:// or https:// URL"),
    ("TRACKGATE_PUBLIC_URL", "gateway.example.com", "an http:// or https:// URL"),
    ("TRACKGATE_REDIS_URL", "notaurl", "a Redis URL"),
    ("TRACKGATE_DATABASE_URL", "mysql://x/y", "a database URL"),
    ("TRACKGATE_TRUSTED_PROXIES", "everyone", "comma-separated addresses or CIDRs"),
    ("TRACKGATE_SECRET_KEY", "not-a-key", "base64 of a 32-byte key"),
    ("TRACKGATE_KEY_FILE", "/", "the path of a file, not a directory"),
    ("TRACKGATE_OPERATOR_CONTACT", "x" * 201, "an email address, a URL or a line of text"),
    ("TRACKGATE_CONNECTION_CHECK", "hourly", "a duration such as 1h, 30m or 90s, or off"),
    ("TRACKGATE_EMULATE_WEBHOOK_LIMITS", "gold", "free, starter, premium or unlimited"),
    ("TRACKGATE_WEBHOOK_ALLOW_PRIVATE", "maybe", "on or off"),
]


@pytest.mark.parametrize(("variable", "value", "expects"), BAD_VARIABLES)
def test_a_malformed_variable_is_one_line_before_anything_is_written(
    tmp_path: Path, variable: str, value: str, expects: str
) -> None:
    done = serve(tmp_path, "--demo", env={variable: value})
    line = assert_one_line(done, variable, expects)
    assert "Traceback" not in done.stderr
    assert written(tmp_path) == []
    if variable in ("TRACKGATE_REDIS_URL", "TRACKGATE_DATABASE_URL", "TRACKGATE_SECRET_KEY"):
        assert value not in line  # may hold a password: never echoed


@pytest.mark.parametrize(
    ("args", "flag", "expects"),
    [
        (("--upstream", "ftp://x"), "--upstream", "an http:// or https:// URL"),
        (("--public-url", "example.com"), "--public-url", "an http:// or https:// URL"),
        (("--port", "eighty"), "--port", "a port number"),
        (
            ("--emulate-webhook-limits", "gold"),
            "--emulate-webhook-limits",
            "free, starter, premium or unlimited",
        ),
        (("--port", "70000"), "--port", "a port number"),
        (("--host", "not a host"), "--host", "an IP address"),
    ],
)
def test_a_malformed_flag_is_one_line_naming_the_flag(
    tmp_path: Path, args: tuple[str, ...], flag: str, expects: str
) -> None:
    done = serve(tmp_path, "--demo", *args)
    assert_one_line(done, flag, expects)
    assert written(tmp_path) == []


def test_other_commands_refuse_a_malformed_variable_the_same_way(tmp_path: Path) -> None:
    done = run_trackgate(tmp_path, "accounts", "list", env={"TRACKGATE_REDIS_URL": "notaurl"})
    assert_one_line(done, "TRACKGATE_REDIS_URL")
    assert written(tmp_path) == []


def test_postgresql_without_a_key_names_the_key_setting(tmp_path: Path) -> None:
    env = {"TRACKGATE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"}
    done = serve(tmp_path, "--demo", env=env)
    assert_one_line(done, "TRACKGATE_SECRET_KEY", "set with TRACKGATE_DATABASE_URL")
    assert written(tmp_path) == []


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    key = run_trackgate(tmp_path, "secrets", "generate").stdout.strip()
    env = {
        "TRACKGATE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none",
        "TRACKGATE_SECRET_KEY": key,
    }
    done = run_trackgate(tmp_path, "users", "list", env=env)
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("trackgate: cannot open the database: ")
    assert key not in line


def test_an_unwritable_config_directory_names_the_key_file_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "home" / "not-a-directory"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the config directory would go")
    done = serve(
        tmp_path,
        "--demo",
        "--data-dir",
        str(tmp_path / "data"),
        env={"TRACKGATE_KEY_FILE": str(blocker / "trackgate" / "secret.key")},
    )
    assert_one_line(done, "TRACKGATE_KEY_FILE", "a directory this user can write")
    assert not (tmp_path / "data").exists()


def test_an_unwritable_data_directory_names_the_data_dir_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "home" / "a-file"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("x")
    done = run_trackgate(tmp_path, "users", "list", "--data-dir", str(blocker / "data"))
    assert_one_line(done, "--data-dir", "a directory this user can write")
    assert not (tmp_path / "home" / "config").exists()


def test_a_port_in_use_is_one_line_before_the_demo_writes_anything(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_trackgate(tmp_path, "serve", "--demo", "--port", str(port))
    assert_one_line(done, "--port", f"{port} is in use")
    assert written(tmp_path) == []


def test_good_spellings_are_kept() -> None:
    settings = load_settings(
        {
            "TRACKGATE_RATE_LIMIT": "100 per minute",
            "TRACKGATE_UPSTREAM_PACING": "off",
            "TRACKGATE_REDIS_URL": "redis://127.0.0.1:6379/0",
            "TRACKGATE_PUBLIC_URL": "https://gw.example.com/trackgate/",
            "TRACKGATE_TOGGL_URL": "http://[::1]:9000",
        },
        port="9001",
        host="::1",
    )
    assert settings.rate_limit == "100 per minute" and settings.pacing is None
    assert settings.root_url == "https://gw.example.com/trackgate"
    assert settings.upstream_url == "http://[::1]:9000"
    assert (settings.port, settings.host) == (9001, "::1")


def test_the_error_names_the_setting_and_what_it_expects() -> None:
    with pytest.raises(SettingError) as raised:
        load_settings({"TRACKGATE_RATE_LIMIT": "lots"})
    assert raised.value.name == "TRACKGATE_RATE_LIMIT"
    assert str(raised.value) == (
        "TRACKGATE_RATE_LIMIT must be a rate such as 10/second or 100/minute, got 'lots'"
    )
    with pytest.raises(SettingError, match="^--upstream must be"):
        load_settings({}, upstream_url="ftp://x")


def test_every_documented_variable_is_read_through_a_parser() -> None:
    assert set(READERS) == set(ENVIRONMENT)
