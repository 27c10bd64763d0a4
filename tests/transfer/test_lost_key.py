"""A database whose key went missing: ``serve`` writes nothing and says what it needs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import free_port
from tests.transfer.commands import environment, run_trackgate
from trackgate.crypto import encode_key, fingerprint, generate_key, parse_keys


def _env(tmp_path: Path) -> dict[str, str]:
    env = environment()
    env["TRACKGATE_DATA_DIR"] = str(tmp_path / "data")
    env["TRACKGATE_KEY_FILE"] = str(tmp_path / "config" / "secret.key")
    return env


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_serve_with_its_key_file_gone_writes_nothing_and_names_what_it_needs(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    made = run_trackgate(
        env, "users", "create", "--email", "lost@example.com", "--password", "secret123"
    )
    assert made.returncode == 0, made.stderr
    key_file = tmp_path / "config" / "secret.key"
    expected = fingerprint(parse_keys(key_file.read_text())[0])
    key_file.rename(tmp_path / "elsewhere.key")
    before = _files(tmp_path / "data")

    refused = run_trackgate(env, "serve", "--port", str(free_port()))

    assert refused.returncode == 2, refused.stderr
    assert not key_file.exists(), "a new key was written"
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").iterdir())
    assert _files(tmp_path / "data") == before
    line = refused.stderr.strip()
    assert line.count("\n") == 0, line
    assert str(tmp_path / "data" / "trackgate.db") in line
    assert str(key_file) in line
    assert expected in line


def test_serve_with_another_key_names_both_fingerprints_and_exits_2(tmp_path: Path) -> None:
    env = _env(tmp_path)
    made = run_trackgate(
        env, "users", "create", "--email", "swap@example.com", "--password", "secret123"
    )
    assert made.returncode == 0, made.stderr
    key_file = tmp_path / "config" / "secret.key"
    expected = fingerprint(parse_keys(key_file.read_text())[0])
    other = generate_key()
    env["TRACKGATE_SECRET_KEY"] = encode_key(other)

    refused = run_trackgate(env, "serve", "--port", str(free_port()))

    assert refused.returncode == 2, refused.stderr
    line = refused.stderr.strip()
    assert line.count("\n") == 0, line
    assert expected in line and fingerprint(other) in line
    assert str(tmp_path / "data" / "trackgate.db") in line
    assert env["TRACKGATE_SECRET_KEY"] not in line


def test_a_fresh_data_dir_still_makes_its_key(tmp_path: Path) -> None:
    env = _env(tmp_path)
    made = run_trackgate(
        env, "users", "create", "--email", "new@example.com", "--password", "x1234567"
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "config" / "secret.key").exists()
