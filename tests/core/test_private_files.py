"""Files trackgate makes are its user's alone (umask 077), an open data directory is warned
about, and ``users create`` takes the password from a prompt or stdin, off the command line."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import stat
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import basic, start_live_server, stop_live_server

PASSWORD = "a long secret phrase"


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TRACKGATE_", "TOGGL_", "MATON_"))
    }
    env["TRACKGATE_KEY_FILE"] = str(tmp_path / "config" / "secret.key")
    return env


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=cli_env(tmp_path),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def logs_in(tmp_path: Path, data: Path, email: str, password: str) -> bool:
    from fastapi.testclient import TestClient

    from trackgate.app import create_app
    from trackgate.config import load_settings
    from trackgate.runtime import build_runtime

    settings = load_settings({}, data_dir=data, key_file=tmp_path / "config" / "secret.key")
    runtime = build_runtime(settings)
    try:
        with TestClient(create_app(runtime)) as client:
            return (
                client.get("/api/v9/me/logged", headers=basic(email, password)).status_code == 200
            )
    finally:
        runtime.close()


def test_password_from_stdin_and_private_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run(
        tmp_path,
        *("users", "create", "--data-dir", str(data), "--email", "a@example.com"),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["email"] == "a@example.com"
    assert PASSWORD not in r.stdout + r.stderr
    assert mode(data) == 0o700
    made = [p for p in data.iterdir()]
    assert made and all(mode(p) & 0o077 == 0 for p in made), [(p, oct(mode(p))) for p in made]
    assert mode(tmp_path / "config") == 0o700
    assert mode(tmp_path / "config" / "secret.key") == 0o600
    assert "warning" not in r.stderr
    assert logs_in(tmp_path, data, "a@example.com", PASSWORD)


def test_no_password_and_no_terminal_is_a_one_line_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run(tmp_path, "users", "create", "--data-dir", str(data), "--email", "b@example.com")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--password-stdin" in r.stderr
    assert not data.exists()
    both = run(
        tmp_path,
        *("users", "create", "--data-dir", str(data), "--email", "b@example.com"),
        *("--password", PASSWORD, "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert both.returncode == 2 and "not both" in both.stderr


def test_the_password_flag_still_works(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run(
        tmp_path,
        *("users", "create", "--data-dir", str(data), "--email", "c@example.com"),
        *("--password", PASSWORD),
    )
    assert r.returncode == 0, r.stderr
    assert logs_in(tmp_path, data, "c@example.com", PASSWORD)


def _read_until(fd: int, marker: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            assert chunk, f"the command ended before {marker!r}: {bytes(seen)!r}"
            seen.extend(chunk)


def _type_hidden(fd: int, text: str, timeout: float = 30) -> None:
    """Type once the terminal stopped echoing (the prompt is shown before it stops, and
    what is typed before is flushed)."""
    deadline = time.monotonic() + timeout
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        assert time.monotonic() < deadline, "the prompt never hid its input"
        time.sleep(0.02)
    os.write(fd, text.encode() + b"\n")


def test_password_from_a_prompt_on_a_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    argv = [sys.executable, "-m", "trackgate", "users", "create", "--data-dir", str(data)]
    argv += ["--email", "d@example.com"]
    env = cli_env(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal is its stdin
        os.execve(sys.executable, argv, env)
    seen = bytearray()
    done, status = 0, 0
    try:
        _read_until(fd, b"Password:", seen)
        _type_hidden(fd, PASSWORD)
        _read_until(fd, b"Repeat", seen)
        _type_hidden(fd, PASSWORD)
        _read_until(fd, b"}", seen)
        deadline = time.monotonic() + 30
        while done == 0 and time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
    finally:
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, bytes(seen)
    assert PASSWORD.encode() not in seen  # not echoed
    assert logs_in(tmp_path, data, "d@example.com", PASSWORD)


def test_an_open_data_directory_is_warned_about(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    r = run(
        tmp_path,
        *("users", "create", "--data-dir", str(data), "--email", "e@example.com"),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "chmod 700" in warnings[0] and "0755" in warnings[0]
    assert mode(data / "trackgate.db") == 0o600


@pytest.mark.socket
def test_a_running_server_keeps_its_files_private(tmp_path: Path) -> None:
    server = start_live_server(tmp_path)
    try:
        assert httpx.get(server.url + "/healthz").status_code == 200
        made = list(server.data_dir.iterdir())
        assert any(p.name == "trackgate.db" for p in made), made
        assert mode(server.data_dir) == 0o700
        assert all(mode(p) & 0o077 == 0 for p in made), [(p.name, oct(mode(p))) for p in made]
    finally:
        stop_live_server(server)
