"""``trackgate backup`` of a live server under writes, and ``trackgate restore``."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, start_live_server, stop_live_server
from tests.transfer.commands import environment, run_trackgate
from trackgate.crypto import encode_key, fingerprint, generate_key, parse_keys, write_key_file


def _fresh_env(tmp_path: Path, name: str) -> dict[str, str]:
    env = environment()
    (tmp_path / name).mkdir(exist_ok=True)  # only the data dir's last component is made
    env["TRACKGATE_DATA_DIR"] = str(tmp_path / name / "data")
    env["TRACKGATE_KEY_FILE"] = str(tmp_path / name / "config" / "secret.key")
    return env


class Writer(threading.Thread):
    """Creates time entries one after another; notes when each was acknowledged."""

    def __init__(self, server: LiveServer, token: str, wid: int) -> None:
        super().__init__(daemon=True)
        self.server, self.token, self.wid = server, token, wid
        #: (sent at, acknowledged at, id) of every entry made
        self.acked: list[tuple[float, float, int]] = []
        self.stop = threading.Event()
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(
            base_url=f"{self.server.url}/api/v9", auth=(self.token, "api_token"), timeout=30
        ) as toggl:
            n = 0
            while not self.stop.is_set():
                n += 1
                sent = time.monotonic()
                made = toggl.post(
                    f"/workspaces/{self.wid}/time_entries",
                    json={
                        "description": f"load {n}",
                        "start": "2026-03-02T09:00:00Z",
                        "duration": 60,
                        "workspace_id": self.wid,
                        "created_with": "tests",
                    },
                )
                if made.status_code != 200:
                    self.failures.append(made.text)
                    continue
                self.acked.append((sent, time.monotonic(), made.json()["id"]))


@pytest.fixture
def server(tmp_path: Path) -> LiveServer:
    live = start_live_server(tmp_path)
    yield live  # type: ignore[misc]
    stop_live_server(live)


def test_backup_under_write_load_restores_every_write_acknowledged_before_it(
    server: LiveServer, tmp_path: Path
) -> None:
    made = server.cli(
        "users", "create", "--email", f"b-{uuid.uuid4().hex[:8]}@example.com",
        "--password", "secret123",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    me = json.loads(made.stdout)
    writers = [Writer(server, me["api_token"], me["default_workspace_id"]) for _ in range(2)]
    for writer in writers:
        writer.start()
    while sum(len(w.acked) for w in writers) < 40:
        time.sleep(0.05)
    began = time.monotonic()
    before = {i for w in writers for (_, acked, i) in w.acked if acked < began}
    out = tmp_path / "backups" / "trackgate.db.bak"
    backed = run_trackgate(server.env, "backup", "--out", str(out))
    ended = time.monotonic()
    time.sleep(0.3)
    for writer in writers:
        writer.stop.set()
    for writer in writers:
        writer.join(timeout=30)
    assert backed.returncode == 0, backed.stderr
    assert not any(w.failures for w in writers), writers[0].failures[:1]
    during = {i for w in writers for (sent, acked, i) in w.acked if sent < ended < acked}
    during |= {i for w in writers for (_, acked, i) in w.acked if began <= acked <= ended}
    after = {i for w in writers for (sent, _, i) in w.acked if sent > ended}
    assert during and after, "the writes did not go on while the backup ran"
    summary = json.loads(backed.stdout)
    key = parse_keys(Path(server.env["TRACKGATE_KEY_FILE"]).read_text())[0]
    assert summary["key_fingerprint"] == fingerprint(key)
    sidecar = (tmp_path / "backups" / "trackgate.db.bak.key-fingerprint").read_text()
    assert fingerprint(key) in sidecar and encode_key(key) not in sidecar
    assert encode_key(key).encode() not in out.read_bytes()

    target = _fresh_env(tmp_path, "restored")
    restored = run_trackgate(
        target, "restore", str(out), "--key-file", server.env["TRACKGATE_KEY_FILE"]
    )
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(Path(target["TRACKGATE_DATA_DIR"]) / "trackgate.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = {i for (i,) in db.execute("SELECT id FROM time_entries")}
    assert before <= ids, f"{len(before - ids)} acknowledged writes missing"
    assert not ids & after  # one snapshot: nothing asked for after the backup ended
    # the restored copy serves, with the key the restore put in place
    (tmp_path / "restored-serve").mkdir()
    copy = start_live_server(tmp_path / "restored-serve", env=target)
    try:
        listed = httpx.get(
            f"{copy.url}/api/v9/me/time_entries",
            params={"start_date": "2026-03-01", "end_date": "2026-03-04"},
            auth=(me["api_token"], "api_token"),
        )
        assert listed.status_code == 200
        assert before <= {e["id"] for e in listed.json()}
    finally:
        stop_live_server(copy)


def test_restore_refuses_another_key_and_a_non_empty_database(tmp_path: Path) -> None:
    source = _fresh_env(tmp_path, "source")
    made = run_trackgate(
        source, "users", "create", "--email", "r@example.com", "--password", "secret1"
    )
    assert made.returncode == 0, made.stderr
    out = tmp_path / "b.db"
    assert run_trackgate(source, "backup", "--out", str(out)).returncode == 0
    right = parse_keys(Path(source["TRACKGATE_KEY_FILE"]).read_text())[0]

    other_key = tmp_path / "other.key"
    wrong = generate_key()
    write_key_file(other_key, (wrong,))
    target = _fresh_env(tmp_path, "target")
    refused = run_trackgate(target, "restore", str(out), "--key-file", str(other_key))
    assert refused.returncode == 2
    line = refused.stderr.strip()
    assert line.count("\n") == 0 and fingerprint(right) in line and fingerprint(wrong) in line
    assert not (Path(target["TRACKGATE_DATA_DIR"]) / "trackgate.db").exists()

    no_key = run_trackgate(target, "restore", str(out))
    assert no_key.returncode == 2 and fingerprint(right) in no_key.stderr

    over = run_trackgate(source, "restore", str(out))
    assert over.returncode == 2 and "--force" in over.stderr
    forced = run_trackgate(source, "restore", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "r@example.com" in run_trackgate(source, "users", "list").stdout


def test_backup_of_a_missing_database_is_one_line(tmp_path: Path) -> None:
    env = _fresh_env(tmp_path, "none")
    refused = run_trackgate(env, "backup", "--out", str(tmp_path / "x.db"))
    assert refused.returncode == 2
    assert refused.stderr.startswith("trackgate: no database at")
    assert not (tmp_path / "x.db").exists()
