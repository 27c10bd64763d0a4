"""``serve --workers N``: several processes on one port, refused without Redis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import free_port, start_live_server, stop_live_server


def test_more_than_one_worker_needs_redis(tmp_path: Path):
    r = subprocess.run(
        [sys.executable, "-m", "trackgate", "serve", "--port", str(free_port()),
         "--workers", "2", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in __import__("os").environ.items() if not k.startswith("TRACKGATE_")},
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "TRACKGATE_REDIS_URL" in r.stderr
    assert not (tmp_path / "data" / "trackgate.db").exists()


def test_two_workers_serve_one_port(tmp_path: Path):
    server = start_live_server(
        tmp_path, "--workers", "2", env={"TRACKGATE_REDIS_URL": "redis://127.0.0.1:6379/15"}
    )
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
        ).stdout.split()
        workers = [p for p in children if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) == 2
        with httpx.Client(base_url=server.url) as client:
            for _ in range(20):  # new connections: the kernel spreads them over the workers
                assert client.get("/healthz", headers={"Connection": "close"}).status_code == 200
            assert client.get("/api/v9/me").status_code == 401
            assert client.get("/readyz").json()["redis"] == "ok"
    finally:
        stop_live_server(server)
