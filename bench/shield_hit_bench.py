"""What a user of the gateway waits for: reads the quota shield answers from its mirror (a
``hit``), beside the same reads with the shield off and the upstream asked directly.

Run by hand, from the repository root (needs ``wrk``)::

    .venv/bin/python bench/shield_hit_bench.py            # 16 connections, 10 s a row

It starts, all on loopback and each in its own process:

1. the upstream: ``trackgate serve --no-gateway`` on a fresh data dir holding one user with a
   running timer, a week of entries (four a weekday) and 50 projects;
2. a gateway in front of it (``trackgate serve --no-service --upstream ...``) with one account,
   key and ACTIVE connection holding that user's token, the shield on (its mirror may be an
   hour old, so that every read of the run is a hit);
3. a second gateway on the same data dir with ``TRACKGATE_SHIELD=off``.

Both gateways' per-account limit is raised to 1,000,000/second and pacing is off. Before the
runs, each read is asked through the shielded gateway until it answers
``X-Trackgate-Cache: hit`` (the mirror is primed), and a sample is checked again after the
runs. Three reads (the running entry, ``/me/projects``, a week of entries) are measured
through each, interleaved, best of ``--rounds``; the table gives requests/s, p50, p99 and
the ratios hit / shield off and shield off / direct.
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import (
    PYTHON,
    Run,
    best_of,
    free_port,
    keyed_connection,
    machine_line,
    stop,
    wait_until_up,
)

PROJECTS = 50


def prepare_upstream(data_dir: Path, key_file: Path) -> str:
    """The upstream's user: a running timer, a week of entries, 50 projects; their token."""
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
            workspace_id = user.default_workspace_id
            assert workspace_id is not None
            for i in range(PROJECTS):
                session.add(
                    Project(
                        workspace_id=workspace_id,
                        name=f"Project {i:02d}",
                        color="#06aaf5",
                        is_private=False,
                        creator_id=user.id,
                    )
                )
            now = datetime.now(UTC).replace(microsecond=0)
            monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0)
            for day in range(5):
                for slot in range(4):
                    start = monday + timedelta(days=day, hours=8 + 2 * slot)
                    if start + timedelta(hours=2) > now:
                        continue
                    session.add(
                        TimeEntry(
                            workspace_id=workspace_id,
                            user_id=user.id,
                            description=f"entry {day}.{slot}",
                            start=start,
                            stop=start + timedelta(minutes=90),
                            running=False,
                            tag_ids=[],
                            created_with="bench",
                            created_at=now,
                            at=now,
                        )
                    )
            session.add(
                TimeEntry(
                    workspace_id=workspace_id,
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
        return token
    finally:
        runtime.close()


def prepare_gateway(data_dir: Path, key_file: Path, token: str) -> str:
    """An account, its key and an ACTIVE connection holding ``token``; the gateway key."""
    from trackgate.config import load_settings
    from trackgate.runtime import build_runtime

    runtime = build_runtime(load_settings({}, data_dir=data_dir, key_file=key_file))
    try:
        with runtime.db.write() as session:
            _, api_key = keyed_connection(runtime, token, {}, session)
        return api_key
    finally:
        runtime.close()


def cache_header(url: str, headers: dict[str, str]) -> str:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        return str(response.headers.get("X-Trackgate-Cache", ""))


def prime(url: str, headers: dict[str, str], attempts: int = 20) -> None:
    """Ask until the mirror answers: the first read fills it, the next ones are hits."""
    seen = ""
    for _ in range(attempts):
        seen = cache_header(url, headers)
        if seen == "hit":
            return
        time.sleep(0.2)
    raise SystemExit(f"{url} never answered from the mirror (last X-Trackgate-Cache: {seen!r})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--rounds", "-r", type=int, default=3, help="best of N interleaved runs")
    args = parser.parse_args()
    load = {"connections": args.connections, "seconds": args.duration}
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    reads = [
        ("running entry", "/me/time_entries/current"),
        (f"/me/projects ({PROJECTS})", "/me/projects"),
        (
            "a week of entries",
            f"/me/time_entries?start_date={monday}&end_date={monday + timedelta(days=7)}",
        ),
    ]
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="trackgate-bench-") as tmp_name:
        tmp = Path(tmp_name)
        key_file = tmp / "secret.key"
        token = prepare_upstream(tmp / "upstream", key_file)
        api_key = prepare_gateway(tmp / "gateway", key_file, token)
        direct_auth = {
            "Authorization": "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()
        }
        gate_auth = {"Authorization": f"Bearer {api_key}"}
        base_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
            "TRACKGATE_KEY_FILE": str(key_file),
        }

        def serve(data_dir: Path, *flags: str, env: dict[str, str] | None = None) -> str:
            port = free_port()
            command = [PYTHON, "-m", "trackgate", "serve", "--port", str(port), *flags]
            process = subprocess.Popen(
                command,
                env={**base_env, "TRACKGATE_DATA_DIR": str(data_dir), **(env or {})},
                stderr=subprocess.DEVNULL,
            )
            processes.append(process)
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url + "/healthz", process)
            return url

        try:
            upstream = serve(tmp / "upstream", "--no-gateway")
            gate_env = {
                "TRACKGATE_RATE_LIMIT": "1000000/second",
                "TRACKGATE_UPSTREAM_PACING": "off",
                "TRACKGATE_SHIELD_MAX_AGE": "3600",
            }
            shielded = serve(tmp / "gateway", "--no-service", "--upstream", upstream, env=gate_env)
            unshielded = serve(
                tmp / "gateway",
                "--no-service",
                "--upstream",
                upstream,
                env={**gate_env, "TRACKGATE_SHIELD": "off"},
            )
            targets: list[tuple[str, str, dict[str, str] | None]] = []
            for label, path in reads:
                hit_url = f"{shielded}/toggl-track/api/v9{path}"
                prime(hit_url, gate_auth)
                targets += [
                    (f"{label}: shield hit", hit_url, gate_auth),
                    (f"{label}: shield off", f"{unshielded}/toggl-track/api/v9{path}", gate_auth),
                    (f"{label}: upstream direct", f"{upstream}/api/v9{path}", direct_auth),
                ]
            runs = best_of(args.rounds, targets, load)
            for label, path in reads:  # still hits after the load
                seen = cache_header(f"{shielded}/toggl-track/api/v9{path}", gate_auth)
                if seen != "hit":
                    raise SystemExit(f"{label} answered {seen!r} after the runs, not 'hit'")
        finally:
            stop(*processes)
    print(
        f"{machine_line()}; wrk 1 thread, {args.connections} connections, "
        f"best of {args.rounds} interleaved {args.duration:g} s runs"
    )
    print(hit_table(runs))
    sys.stdout.flush()


def hit_table(runs: list[Run]) -> str:
    lines = [
        "| read | through | requests/s | p50 ms | p99 ms | errors | ratio |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for i in range(0, len(runs), 3):
        hit, off, direct = runs[i : i + 3]
        label = hit.name.split(": ")[0]
        ratios = (
            f"hit / off {hit.rps / off.rps:.2f}" if off.rps else "-",
            f"off / direct {off.rps / direct.rps:.2f}" if direct.rps else "-",
            "",
        )
        for run, ratio in zip((hit, off, direct), ratios, strict=True):
            lines.append(
                f"| {label} | {run.name.split(': ')[1]} | {run.rps:,.0f} | {run.p50_ms:.2f} | "
                f"{run.p99_ms:.2f} | {run.errors} | {ratio} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
