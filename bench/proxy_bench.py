"""Requests per second and latency through the gateway's proxy, against a tiny upstream.

Run by hand (not by the test suite), from the repository root::

    .venv/bin/python bench/proxy_bench.py --concurrency 32 --duration 10

It starts, all on loopback:

1. a tiny aiohttp upstream (a separate process) answering every path with a small JSON body;
2. ``trackgate serve --upstream <that>`` on a fresh data dir holding one account, one key and
   one ACTIVE connection, with the rate limit raised and pacing off, so that the numbers
   measure the proxy and not its limits;

then drives N concurrent keep-alive clients (aiohttp, one process) for a bounded time, first
straight at the upstream (the baseline) and then through the proxy, and prints both. The
load generator shares the machine with what it measures, so the numbers are a floor; compare
runs on the same machine only. Results measured so far are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

TARGET = "/toggl-track/api/v9/me/time_entries/current"
UPSTREAM_BODY = json.dumps({"id": 1, "workspace_id": 1, "duration": -1, "description": "x"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- the upstream -----------------------------------------------------------------------------


def run_upstream(port: int) -> None:
    async def answer(_: web.Request) -> web.Response:
        return web.Response(text=UPSTREAM_BODY, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# --- the gateway ------------------------------------------------------------------------------


def prepare_data(data_dir: Path, key_file: Path) -> str:
    """An account, its key and an ACTIVE connection; returns the gateway key."""
    from trackgate.config import load_settings
    from trackgate.gateway.credential_store import seal_credential
    from trackgate.gateway.keys import create_account, issue_key
    from trackgate.runtime import build_runtime
    from trackgate.storage.models import Connection

    runtime = build_runtime(load_settings({}, data_dir=data_dir, key_file=key_file))
    try:
        with runtime.db.write() as session:
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
                    credential_ciphertext=seal_credential(runtime.keyring, connection_id, "0" * 32),
                    details={},
                )
            )
        return issued.api_key
    finally:
        runtime.close()


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


# --- the load -----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def line(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (
            f"{self.name:<10} {self.requests / self.seconds:>9,.0f} req/s   "
            f"mean {statistics.fmean(lat) * 1000:6.2f} ms   "
            f"p50 {lat[len(lat) // 2] * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms   "
            f"errors {self.errors}"
        )


async def load(
    name: str, url: str, headers: dict[str, str], clients: int, seconds: float
) -> Result:
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def client(until: float, record: bool) -> None:
            nonlocal errors
            while (now := time.perf_counter()) < until:
                try:
                    async with session.get(url) as response:
                        await response.read()
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                if record:
                    latencies.append(time.perf_counter() - now)
                    errors += not ok

        warm_until = time.perf_counter() + min(2.0, seconds / 5)
        await asyncio.gather(*(client(warm_until, False) for _ in range(clients)))
        started = time.perf_counter()
        await asyncio.gather(*(client(started + seconds, True) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return Result(name, len(latencies), errors, elapsed, latencies)


def wrk(name: str, url: str, headers: dict[str, str], clients: int, seconds: float) -> str:
    """The same load from ``wrk`` (C, one thread), which leaves more CPU to what it measures."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    subprocess.run([*command[:3], "-d1s", *command[4:], url], capture_output=True, check=True)
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    fields = {}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            fields["rps"] = float(parts[1])
        elif parts[:1] == ["Latency"] and len(parts) > 2:
            fields["mean"] = parts[1]
        elif parts[:1] == ["99%"]:
            fields["p99"] = parts[1]
        elif parts[:1] == ["50%"]:
            fields["p50"] = parts[1]
        elif "Non-2xx" in line or "Socket errors" in line:
            fields["errors"] = line.strip()
    return (
        f"{name:<10} {fields.get('rps', 0):>9,.0f} req/s   mean {fields.get('mean')}   "
        f"p50 {fields.get('p50')}   p99 {fields.get('p99')}   {fields.get('errors', 'errors 0')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", "-c", type=int, default=32)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--no-baseline", action="store_true", help="skip the direct run")
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the built-in aiohttp one",
    )
    parser.add_argument("--upstream-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstream_only:
        run_upstream(args.upstream_only)
        return
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    upstream_port, gateway_port = free_port(), free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    with tempfile.TemporaryDirectory(prefix="trackgate-bench-") as tmp:
        data_dir, key_file = Path(tmp) / "data", Path(tmp) / "secret.key"
        api_key = prepare_data(data_dir, key_file)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
            "TRACKGATE_KEY_FILE": str(key_file),
            "TRACKGATE_RATE_LIMIT": "1000000/second",
            "TRACKGATE_UPSTREAM_PACING": "off",
        }
        upstream = subprocess.Popen(
            [sys.executable, __file__, "--upstream-only", str(upstream_port)]
        )
        gateway = subprocess.Popen(
            [sys.executable, "-m", "trackgate", "serve", "--port", str(gateway_port),
             "--data-dir", str(data_dir), "--upstream", upstream_url],
            env=env,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until_up(upstream_url + "/", upstream)
            wait_until_up(gateway_url + "/healthz", gateway)
            print(f"{args.concurrency} clients, {args.duration:g} s each, {os.cpu_count()} CPUs")
            use_wrk = args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk"))
            runs = [] if args.no_baseline else [("direct", upstream_url + TARGET, {})]
            runs.append(("proxy", gateway_url + TARGET, {"Authorization": f"Bearer {api_key}"}))
            print(f"load generator: {'wrk' if use_wrk else 'python (aiohttp)'}")
            for name, url, headers in runs:
                if use_wrk:
                    print(wrk(name, url, headers, args.concurrency, args.duration))
                else:
                    result = asyncio.run(load(name, url, headers, args.concurrency, args.duration))
                    print(result.line())
        finally:
            for process in (gateway, upstream):
                process.terminate()
                process.wait(10)


if __name__ == "__main__":
    main()
