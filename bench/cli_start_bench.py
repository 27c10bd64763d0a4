"""Cold start of the terminal tracker beside ``python -c pass`` on the same interpreter.

Run by hand (not by the test suite), from the repository root::

    .venv/bin/python bench/cli_start_bench.py --runs 10

It starts ``trackgate serve`` on a free loopback port with a fresh data dir and one user, then
runs each command ``--runs`` times as a new process (what a person's shell does) and prints the
median wall and CPU time and what each adds over ``python -c pass``: ``trackgate --version``,
``trackgate --help`` and ``trackgate now`` (one GET of the running timer against that server).
Compare runs on the same machine only; the table in README.md says where it was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
TRACKGATE = (
    [str(BIN / "trackgate")]
    if (BIN / "trackgate").exists()
    else [sys.executable, "-m", "trackgate"]
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def timed(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Medians of ``runs`` cold runs in milliseconds: wall time, and the process's own CPU time
    (user + system), which a busy shared machine disturbs much less. A failing run stops."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        walls.append((time.perf_counter() - began) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
    return statistics.median(walls), statistics.median(cpus)


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "TRACKGATE_DATA_DIR": str(workdir / "data"),
        "TRACKGATE_KEY_FILE": str(workdir / "secret.key"),
    }
    log = open(workdir / "serve.log", "wb")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [*TRACKGATE, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return server, url, env
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("trackgate serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="trackgate-cli-bench-"))
    server, url, env = start_server(workdir)
    try:
        made = subprocess.run(
            [
                *TRACKGATE,
                "users",
                "create",
                "--email",
                "bench@example.com",
                "--password",
                "secret123",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        token = json.loads(made.stdout)["api_token"]
        # PYTHONDONTWRITEBYTECODE would defeat the warm-up below: every run would compile
        # trackgate's modules again, which a person's installed command does not do.
        skipped = ("TOGGL_", "MATON_", "PYTHONDONTWRITEBYTECODE")
        client_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(skipped)},
            "HOME": str(workdir / "home"),
            "XDG_CONFIG_HOME": str(workdir / "home" / ".config"),
            "TOGGL_API_URL": f"{url}/api/v9",
            "TOGGL_API_TOKEN": token,
        }
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("trackgate --version", [*TRACKGATE, "--version"]),
            ("trackgate --help", [*TRACKGATE, "--help"]),
            ("trackgate now", [*TRACKGATE, "now"]),
            ("trackgate now --json", [*TRACKGATE, "now", "--json"]),
        ]
        for _, command in rows:  # warm the file cache and .pyc files once
            subprocess.run(command, env=client_env, capture_output=True)
        medians = [(label, timed(command, client_env, args.runs)) for label, command in rows]
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    wall0, cpu0 = medians[0][1]
    print(
        f"| command | wall, median of {args.runs} (ms) | added (ms) "
        "| CPU, median (ms) | added (ms) |"
    )
    print("|---|---|---|---|---|")
    for label, (wall, cpu) in medians:
        print(f"| `{label}` | {wall:.0f} | {wall - wall0:.0f} | {cpu:.0f} | {cpu - cpu0:.0f} |")


if __name__ == "__main__":
    main()
