"""CPU time per proxied call, in-process: the gateway's ASGI app against the bare pass-through
(``bare_proxy.py``), each driven directly (no HTTP server in front), the same calls to the same
static nginx upstream. What the server software costs per request is the same for both and is
left out, so what remains is the application's own work and the HTTP client's.

Run by hand, from the repository root (needs ``nginx``)::

    .venv/bin/python bench/proxy_cpu.py                    # both, 3,000 calls each
    .venv/bin/python bench/proxy_cpu.py --only gateway --profile /tmp/gateway.prof

``--profile`` writes a cProfile file of the measured calls. Under
``valgrind --tool=callgrind`` (instructions, insensitive to other work on the machine), run it
twice with different ``--calls`` and divide the difference by the difference in calls.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import uvloop
from common import ROOT, free_port, stop, wait_until_up
from proxy_bench import STATIC, UPSTREAM_BODY, nginx, prepare_data

from trackgate import ttlcache

#: A read the quota shield neither answers nor keeps: it passes through on every call.
UPSTREAM_PATH = "/api/v9/workspaces/1/projects/1/statistics"
APP = "/toggl-track"

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def scope_for(path: str, key: str | None) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:8080"), (b"user-agent", b"wrk")]
    if key:
        headers.append((b"authorization", f"Bearer {key}".encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 40000),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


async def drive(app: Asgi, template: dict[str, Any], calls: int, concurrency: int) -> None:
    """``calls`` requests, ``concurrency`` at a time; every answer must be a 200."""
    left = calls

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            statuses: list[int] = []

            async def send(message: dict[str, Any], statuses: list[int] = statuses) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            scope = {**template, "headers": list(template["headers"]), "state": {}}
            await app(scope, receive, send)
            if statuses != [200]:
                raise RuntimeError(f"answered {statuses}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def measure(
    name: str, app: Asgi, template: dict[str, Any], args: argparse.Namespace
) -> float:
    await drive(app, template, 200, args.concurrency)  # warm: pools, caches, imports
    if args.freeze:
        gc.freeze()
    collections = sum(s["collections"] for s in gc.get_stats())
    profiler = cProfile.Profile() if args.profile else None
    if args.callgrind:  # count only the measured calls (run under --instr-atstart=no)
        # Under valgrind the calls take many times longer, so the 5 s caches would expire
        # and be reloaded far more often per call than at full speed: their clock stands still.
        stopped = time.monotonic()
        ttlcache.time = SimpleNamespace(monotonic=lambda: stopped)  # type: ignore[assignment]
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True)
    started = time.process_time()
    if profiler:
        profiler.enable()
    await drive(app, template, args.calls, args.concurrency)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    per_call = (time.process_time() - started) / args.calls * 1e6
    if args.callgrind:
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True)
    collections = sum(s["collections"] for s in gc.get_stats()) - collections
    print(f"{name}: {per_call:.0f} µs CPU per call ({args.calls} calls, {collections} GCs)")
    return per_call


async def run(args: argparse.Namespace, upstream: str, data_dir: Path, key_file: Path) -> None:
    results: dict[str, float] = {}
    if args.only in (None, "bare"):
        os.environ["BENCH_UPSTREAM"] = upstream
        sys.path.insert(0, str(ROOT / "bench"))
        import bare_proxy

        bare_proxy.UPSTREAM = upstream
        template = scope_for(UPSTREAM_PATH, None)
        results["bare"] = await measure("bare pass-through", bare_proxy.app, template, args)
        if bare_proxy._session is not None:
            await bare_proxy._session.close()
    if args.only in (None, "gateway"):
        key = prepare_data(data_dir, key_file)
        from trackgate.app import create_app
        from trackgate.config import load_settings
        from trackgate.runtime import build_runtime

        settings = load_settings(
            {
                "TRACKGATE_TOGGL_URL": upstream,
                "TRACKGATE_RATE_LIMIT": "1000000/second",
                "TRACKGATE_UPSTREAM_PACING": "off",
                "TRACKGATE_SHIELD": args.shield,
            },
            data_dir=data_dir,
            key_file=key_file,
        )
        runtime = build_runtime(settings)
        app = create_app(runtime)
        template = scope_for(APP + UPSTREAM_PATH, key)
        async with app.router.lifespan_context(app):
            results["gateway"] = await measure(
                f"gateway (shield {args.shield})", app, template, args
            )
        runtime.close()
    if len(results) == 2:
        print(f"gateway / bare CPU per call: {results['gateway'] / results['bare']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--only", choices=("gateway", "bare"))
    parser.add_argument("--shield", choices=("on", "off"), default="on")
    parser.add_argument("--upstream", help="a running static upstream (default: start nginx)")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after warming")
    parser.add_argument(
        "--callgrind", action="store_true", help="under callgrind: count the measured calls only"
    )
    parser.add_argument("--profile", help="write a cProfile file of the measured calls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trackgate-cpu-") as tmp_name:
        tmp = Path(tmp_name)
        server = None
        upstream = args.upstream
        try:
            if upstream is None:
                port = free_port()
                server = nginx(tmp, port, 0, STATIC.format(json=UPSTREAM_BODY))
                upstream = f"http://127.0.0.1:{port}"
                wait_until_up(upstream + "/", server)
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(run(args, upstream, tmp / "data", tmp / "secret.key"))
        finally:
            if server is not None:
                stop(server)


if __name__ == "__main__":
    main()
