"""A mistyped ``--data-dir`` is refused in one line (exit 2) instead of answered from a new,
empty database, and a data directory is made one level deep at most."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKGATE_KEY_FILE": str(tmp_path / "config" / "secret.key")}
    env.pop("TRACKGATE_DATA_DIR", None)
    env.pop("TRACKGATE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        capture_output=True,
        text=True,
        env=env,
        input="a-long-password-1\n",
        timeout=120,
    )


def one_line_usage_error(done: subprocess.CompletedProcess[str], needle: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert needle in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command",
    [("users", "list"), ("accounts", "list"), ("secrets", "status"), ("secrets", "rotate")],
)
def test_a_data_dir_without_a_database_is_refused(tmp_path: Path, command: tuple[str, ...]) -> None:
    typo = tmp_path / "dta"
    done = run(tmp_path, *command, "--data-dir", str(typo))
    one_line_usage_error(done, str(typo))
    assert not typo.exists()


def test_users_create_makes_the_last_component_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = run(
        tmp_path, "users", "create", "--email", "p@example.com", "--password-stdin",
        "--data-dir", str(data),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (data / "trackgate.db").is_file()
    listed = run(tmp_path, "users", "list", "--data-dir", str(data))
    assert listed.returncode == 0, listed.stderr
    assert "p@example.com" in listed.stdout


@pytest.mark.parametrize("command", ["serve", "users create"])
def test_a_missing_parent_is_one_line_and_nothing_is_made(tmp_path: Path, command: str) -> None:
    deep = tmp_path / "nonexistent" / "deep" / "dir"
    extra = (
        ("--port", str(free_port()))
        if command == "serve"
        else ("--email", "q@example.com", "--password-stdin")
    )
    done = run(tmp_path, *command.split(), *extra, "--data-dir", str(deep))
    one_line_usage_error(done, str(deep))
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.parametrize(
    "command",
    [("users", "list"), ("users", "create", "--email", "r@example.com", "--password-stdin")],
)
def test_a_data_dir_that_cannot_be_made_is_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = run(tmp_path, *command, "--data-dir", "/proc/nope")
    one_line_usage_error(done, "/proc/nope")
