"""The service's hot reads against a minimal FastAPI endpoint on the same server software.

Run by hand, from the repository root (needs ``wrk``)::

    .venv/bin/python bench/service_bench.py            # 16 connections, 10 s a row

It makes a fresh data dir holding one user with a running timer, a day of entries and
50 projects,
starts ``trackgate serve`` on it (service and gateway, as a user runs it) and
``bench/minimal_app.py``, then loads each with ``wrk`` (one thread, keep-alive) and prints a
Markdown table: requests/s, p50 and p99 latency, and the ratio to the minimal endpoint.
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    best_of,
    free_port,
    machine_line,
    stop,
    table,
    wait_until_up,
)

PROJECTS = 50


def prepare(data_dir: Path, key_file: Path) -> str:
    """One user, a day of stopped entries, a running one and 50 projects; returns the Basic
    header."""
    from trackgate.config import load_settings
    from trackgate.runtime import build_runtime
    from trackgate.service.users import NewUser, create_user
    from trackgate.storage.models import Project, TimeEntry

    runtime = build_runtime(load_settings({}, data_dir=data_dir, key_file=key_file))
    try:
        with runtime.db.write() as session:
            user, token = create_user(
                session, runtime.keyring, NewUser("bench@example.com", "bench-password", "Bench")
            )
            assert user.default_workspace_id is not None
            for i in range(PROJECTS):
                session.add(
                    Project(
                        workspace_id=user.default_workspace_id,
                        name=f"Project {i:02d}",
                        color="#06aaf5",
                        is_private=False,
                        creator_id=user.id,
                    )
                )
            now = datetime.now(UTC).replace(microsecond=0)
            day = now.replace(hour=0, minute=0, second=0)
            for hour in range(8):
                start = day + timedelta(hours=hour)
                session.add(
                    TimeEntry(
                        workspace_id=user.default_workspace_id,
                        user_id=user.id,
                        description=f"entry {hour}",
                        start=start,
                        stop=start + timedelta(minutes=50),
                        running=False,
                        tag_ids=[],
                        created_with="bench",
                        created_at=now,
                        at=now,
                    )
                )
            session.add(
                TimeEntry(
                    workspace_id=user.default_workspace_id,
                    user_id=user.id,
                    description="running",
                    start=now - timedelta(minutes=5),
                    stop=None,
                    running=True,
                    tag_ids=[],
                    created_with="bench",
                    created_at=now,
                    at=now,
                )
            )
        return "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--rounds", "-r", type=int, default=3, help="best of N interleaved runs")
    args = parser.parse_args()
    serve_port, minimal_port = free_port(), free_port()
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="trackgate-bench-") as tmp:
        data_dir, key_file = Path(tmp) / "data", Path(tmp) / "secret.key"
        auth = prepare(data_dir, key_file)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
            "TRACKGATE_KEY_FILE": str(key_file),
        }
        server = subprocess.Popen(
            [PYTHON, "-m", "trackgate", "serve", "--port", str(serve_port),
             "--data-dir", str(data_dir)],
            env=env,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        minimal = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "minimal_app.py"), str(minimal_port)],
            stderr=subprocess.DEVNULL,
        )
        try:
            service = f"http://127.0.0.1:{serve_port}"
            wait_until_up(service + "/healthz", server)
            wait_until_up(f"http://127.0.0.1:{minimal_port}/ping", minimal)
            headers = {"Authorization": auth}
            load = {"connections": args.connections, "seconds": args.duration}
            day = f"start_date={today.isoformat()}&end_date={today + timedelta(days=1)}"
            targets: list[tuple[str, str, dict[str, str] | None]] = [
                ("minimal FastAPI endpoint", f"http://127.0.0.1:{minimal_port}/ping", None),
                ("GET /healthz", service + "/healthz", None),
                ("GET /api/v9/me", service + "/api/v9/me", headers),
                (
                    "GET /api/v9/me/time_entries/current",
                    service + "/api/v9/me/time_entries/current",
                    headers,
                ),
                (
                    "GET /api/v9/me/time_entries (a day, 9 entries)",
                    f"{service}/api/v9/me/time_entries?{day}",
                    headers,
                ),
                (f"GET /api/v9/me/projects ({PROJECTS})", service + "/api/v9/me/projects", headers),
            ]
            runs = best_of(args.rounds, targets, load)
            floor = runs[0]
        finally:
            stop(server, minimal)
    print(
        f"{machine_line()}; wrk 1 thread, {args.connections} connections, "
        f"best of {args.rounds} interleaved {args.duration:g} s runs"
    )
    print(table(runs, floor, "× minimal"))


if __name__ == "__main__":
    main()
