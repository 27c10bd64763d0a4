"""The latency the gateway adds, at a fixed rate of half its maximum load: the gateway and the
bare pass-through (``bare_proxy.py``) in front of the same static nginx upstream, each sent the
same fixed-rate load, p50 and p99 compared.

Run by hand, from the repository root (needs ``wrk`` and ``nginx``)::

    .venv/bin/python bench/latency_bench.py              # 10 s at each rate, 2 rounds

First ``wrk`` finds the gateway's maximum rate (closed loop, 32 connections); then both
targets get half of it from an open-loop generator written here (Debian has no ``wrk2``):
``--processes`` processes each send their share of requests at times fixed in advance by the
clock (``start + i / rate``), over as many keep-alive connections as are needed, and time each
answer from the moment it was *due*, not from when it went out. A slow answer therefore
delays nothing else and is never left out of the count (no coordinated omission); if the
generator itself falls behind, its lateness is in the latencies and shown in the last column.
The gateway runs as ``proxy_bench.py`` runs it: quota shield on, the per-account limit raised
to 1,000,000/second and pacing off; the path is a read the shield neither answers nor keeps.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import uvloop
from common import PYTHON, ROOT, free_port, machine_line, stop, wait_until_up, wrk
from proxy_bench import STATIC, TARGET, UPSTREAM_BODY, UPSTREAM_PATH, nginx, prepare_data


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one answer (Content-Length framed); its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")  # after the last chunk (no trailers are sent)
    elif length:
        await reader.readexactly(length)
    return status


async def _open_loop(
    url: str, headers: dict[str, str], rate: float, seconds: float, offset: float
) -> tuple[list[float], list[float], int]:
    """Requests due at ``offset + i / rate``: (latencies from due time, lateness of each
    send, failures)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [f"GET {parts.path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    lateness: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()

    async def one(due: float) -> None:
        nonlocal failures
        lateness.append(loop.time() - due)
        try:
            try:
                conn = idle.pop() if idle else await asyncio.open_connection(host, port)
                conn[1].write(request)
                status = await _answer(conn[0])
            except (OSError, asyncio.IncompleteReadError):
                # a kept-alive connection the server closed while idle: once more, anew
                conn = await asyncio.open_connection(host, port)
                conn[1].write(request)
                status = await _answer(conn[0])
        except (OSError, asyncio.IncompleteReadError, ValueError):
            failures += 1
            return
        latencies.append(loop.time() - due)
        if status != 200:
            failures += 1
        idle.append(conn)

    start = loop.time() + offset
    total = int(rate * seconds)
    tasks: set[asyncio.Task[None]] = set()
    for i in range(total):
        due = start + i / rate
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    for _, writer in idle:
        writer.close()
    return latencies, lateness, failures


def _process(
    args: tuple[str, dict[str, str], float, float, float],
) -> tuple[list[float], list[float], int]:
    url, headers, rate, seconds, offset = args
    return uvloop.run(_open_loop(url, headers, rate, seconds, offset))


@dataclass
class Latency:
    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    late_p99_ms: float
    failures: int


def fixed_rate(
    name: str, url: str, headers: dict[str, str] | None, rate: float, seconds: float, processes: int
) -> Latency:
    """``rate`` requests per second in all, shared by ``processes`` open-loop processes whose
    schedules are interleaved (process k starts k / rate seconds after the first)."""
    share = rate / processes
    jobs = [(url, headers or {}, share, seconds, 0.5 + k / rate) for k in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_process, jobs)
    latencies = sorted(x for r in results for x in r[0])
    late = sorted(x for r in results for x in r[1])
    failures = sum(r[2] for r in results)
    if len(latencies) < 2:
        raise RuntimeError(f"{name}: no answers ({failures} failures)")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    late_cuts = statistics.quantiles(late, n=100, method="inclusive")
    return Latency(name, rate, cuts[49] * 1e3, cuts[98] * 1e3, late_cuts[98] * 1e3, failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--rounds", "-r", type=int, default=2, help="interleaved runs per target")
    parser.add_argument("--processes", "-p", type=int, default=2, help="generator processes")
    parser.add_argument("--rate", type=float, help="requests/s (default: half the gateway's max)")
    args = parser.parse_args()
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="trackgate-latency-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir, key_file = tmp / "data", tmp / "secret.key"
        auth = {"Authorization": f"Bearer {prepare_data(data_dir, key_file)}"}
        upstream_port = free_port()
        upstream_url = f"http://127.0.0.1:{upstream_port}"
        try:
            processes.append(nginx(tmp, upstream_port, 0, STATIC.format(json=UPSTREAM_BODY)))
            wait_until_up(upstream_url + "/", processes[-1])
            bare_port, gate_port = free_port(), free_port()
            bare_url = f"http://127.0.0.1:{bare_port}{UPSTREAM_PATH}"
            processes.append(
                subprocess.Popen(
                    [PYTHON, str(ROOT / "bench" / "bare_proxy.py"), str(bare_port)],
                    env={**os.environ, "BENCH_UPSTREAM": upstream_url},
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_until_up(bare_url, processes[-1])
            gate_env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
                "TRACKGATE_KEY_FILE": str(key_file),
                "TRACKGATE_DATA_DIR": str(data_dir),
                "TRACKGATE_TOGGL_URL": upstream_url,
                "TRACKGATE_RATE_LIMIT": "1000000/second",
                "TRACKGATE_UPSTREAM_PACING": "off",
            }
            gate_url = f"http://127.0.0.1:{gate_port}{TARGET}"
            processes.append(
                subprocess.Popen(
                    [PYTHON, "-m", "trackgate", "serve", "--port", str(gate_port)],
                    env=gate_env,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_until_up(f"http://127.0.0.1:{gate_port}/healthz", processes[-1])
            wait_until_up(gate_url, processes[-1], headers=auth)
            rate = args.rate
            most = 0.0
            if rate is None:
                most = wrk("gateway", gate_url, headers=auth, connections=32, seconds=5).rps
                rate = round(most / 2)
            best: dict[str, Latency] = {}
            for _ in range(args.rounds):
                for name, url, headers in (
                    ("bare pass-through (uvicorn)", bare_url, None),
                    ("trackgate gateway (uvicorn)", gate_url, auth),
                ):
                    run = fixed_rate(name, url, headers, rate, args.duration, args.processes)
                    if name not in best or run.p99_ms < best[name].p99_ms:
                        best[name] = run
                    time.sleep(1)
        finally:
            stop(*processes)
    bare, gate = best["bare pass-through (uvicorn)"], best["trackgate gateway (uvicorn)"]
    found = f"half the gateway's maximum of {most:,.0f}/s (wrk, 32 connections)" if most else ""
    print(
        f"{machine_line()}; open loop at {rate:,.0f} requests/s {found}, "
        f"{args.processes} generator processes, {args.duration:g} s runs, "
        f"the run with the lower p99 of {args.rounds} interleaved"
    )
    print("| what | requests/s | p50 ms | p99 ms | failures | generator late p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for run in (bare, gate):
        print(
            f"| {run.name} | {run.rate:,.0f} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | "
            f"{run.failures} | {run.late_p99_ms:.2f} |"
        )
    print(
        f"| added by the gateway | | {gate.p50_ms - bare.p50_ms:+.2f} | "
        f"{gate.p99_ms - bare.p99_ms:+.2f} | | |"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
