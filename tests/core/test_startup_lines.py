"""`trackgate serve` says at start where its files are: the data directory, the database, the
key file (never the key), the docs and the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import start_live_server, stop_live_server
from trackgate.crypto import encode_key, parse_keys

pytestmark = pytest.mark.socket


def test_start_up_names_the_files_and_pages_but_not_the_key(tmp_path: Path) -> None:
    server = start_live_server(tmp_path)
    try:
        log = (tmp_path / f"serve-{server.port}.log").read_text()
        key_file = Path(server.env["TRACKGATE_KEY_FILE"])
        key = encode_key(parse_keys(key_file.read_text())[0])
    finally:
        stop_live_server(server)
    assert f"data directory {server.data_dir}" in log
    assert f"database sqlite:///{server.data_dir}/trackgate.db" in log
    assert f"encryption key file {key_file}" in log
    assert f"API documentation at {server.url}/docs" in log
    assert f"web console at {server.url}/console/signin" in log
    assert key not in log
