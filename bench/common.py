"""What the benchmarks share: free loopback ports, waiting for a server, `wrk` runs parsed
into numbers, and a Markdown table of the results."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(
    url: str,
    process: subprocess.Popen[bytes],
    seconds: float = 60,
    headers: dict[str, str] | None = None,
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def require_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    return found


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


@dataclass
class Run:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk(
    name: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    connections: int = 16,
    seconds: float = 10,
    warmup: float = 1,
    script: str | None = None,
) -> Run:
    """One `wrk` run (one thread: it leaves the second core to what it measures)."""
    command = [require_wrk(), "-t1", f"-c{connections}", "--latency"]
    if script:
        command += ["-s", script]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if warmup:
        subprocess.run([*command, f"-d{warmup:g}s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*command, f"-d{seconds:g}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps, p50, p99, errors = 0.0, 0.0, 0.0, 0
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(parts[1])
        elif parts[:1] == ["50%"]:
            p50 = _ms(parts[1])
        elif parts[:1] == ["99%"]:
            p99 = _ms(parts[1])
        elif "Non-2xx" in line:
            errors += int(parts[-1])
        elif "Socket errors" in line:
            errors += sum(int(p.strip(",")) for p in parts if p.strip(",").isdigit())
    return Run(name, rps, p50, p99, errors)


def best_of(
    rounds: int, targets: Sequence[tuple[str, str, dict[str, str] | None]], load: dict[str, Any]
) -> list[Run]:
    """Each target measured ``rounds`` times, interleaved, keeping its best run: on a shared
    machine the best run is the one least disturbed by other work."""
    best: dict[str, Run] = {}
    for _ in range(rounds):
        for name, url, headers in targets:
            run = wrk(name, url, headers=headers, **load)
            if name not in best or run.rps > best[name].rps:
                best[name] = run
    return [best[name] for name, _, _ in targets]


def table(runs: Sequence[Run], baseline: Run | None, ratio_name: str) -> str:
    lines = [
        f"| what | requests/s | p50 ms | p99 ms | errors | {ratio_name} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        ratio = f"{run.rps / baseline.rps:.2f}" if baseline and baseline.rps else "-"
        lines.append(
            f"| {run.name} | {run.rps:,.0f} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | "
            f"{run.errors} | {ratio} |"
        )
    return "\n".join(lines)


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the start, "
        f"Python {sys.version.split()[0]}"
    )


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def keyed_connection(
    runtime: Any, credential: str, details: dict[str, Any], session: Any
) -> tuple[str, str]:
    """A gateway account with a key and an ACTIVE connection holding ``credential``, added in
    ``session``: (key id, key)."""
    import uuid

    from trackgate.gateway.credential_store import seal_credential
    from trackgate.gateway.keys import create_account, issue_key
    from trackgate.storage.models import Connection

    account = create_account(session, "bench")
    issued = issue_key(session, account.id)
    connection_id = str(uuid.uuid4())
    session.add(
        Connection(
            id=connection_id,
            account_id=account.id,
            app="toggl-track",
            status="ACTIVE",
            method="API_KEY",
            credential_ciphertext=seal_credential(runtime.keyring, connection_id, credential),
            details=details,
        )
    )
    return issued.key_id, issued.api_key
