"""The gateway's proxy against nginx ``proxy_pass`` and a bare Python pass-through, all to
the same static upstream, one worker each, the same ``wrk`` load on loopback.

Run by hand, from the repository root (needs ``wrk`` and ``nginx``:
``apt-get install -y wrk nginx-light``)::

    .venv/bin/python bench/proxy_bench.py                 # 32 connections, 10 s a row

It starts, all on loopback and each in its own process:

1. the upstream: nginx answering every path with a small static JSON body;
2. nginx ``proxy_pass`` to it (keep-alive upstream connections, one header added);
3. ``bench/bare_proxy.py``: a minimal ASGI app forwarding with aiohttp (the gateway's client),
   on uvicorn and, if installed, on granian;
4. ``trackgate serve --upstream <the upstream>`` on a fresh data dir with one account, key and
   ACTIVE connection, as a user runs it (the quota shield on), and again with
   ``TRACKGATE_SHIELD=off``. The per-account rate limit is raised to 1,000,000/second and
   pacing is off, so the limits do not refuse calls; their per-call cost (and the key
   check's) is still paid and is part of the gateway rows. The path is a read the shield
   neither answers nor keeps, so every call goes to the upstream.

It prints a Markdown table: requests/s, p50 and p99 latency, and the ratio to the bare
pass-through on the same server software and to nginx.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    best_of,
    free_port,
    keyed_connection,
    machine_line,
    stop,
    wait_until_up,
)

#: A read the quota shield neither answers from its mirror nor keeps (it passes through on
#: every call), whose answer carries no credential (it streams back unread).
UPSTREAM_PATH = "/api/v9/workspaces/1/projects/1/statistics"
TARGET = "/toggl-track" + UPSTREAM_PATH
UPSTREAM_BODY = json.dumps({"id": 1, "workspace_id": 1, "duration": -1, "description": "x"})

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {prefix}/nginx-{port}.pid;
error_log {prefix}/error-{port}.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream static {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        {body}
    }}
}}
"""
STATIC = "location / {{ default_type application/json; return 200 '{json}'; }}"
PROXY = (
    "location / { proxy_pass http://static; proxy_http_version 1.1; "
    'proxy_set_header Connection ""; proxy_set_header Authorization "Basic eDp5"; }'
)


def nginx(prefix: Path, port: int, upstream: int, body: str) -> subprocess.Popen[bytes]:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / f"nginx-{port}.conf"
    conf.write_text(
        NGINX_CONF.format(prefix=prefix, port=port, upstream=upstream or port, body=body)
    )
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return subprocess.Popen([found, "-c", str(conf), "-p", str(prefix)], stderr=subprocess.DEVNULL)


def prepare_data(data_dir: Path, key_file: Path) -> str:
    """An account, its key and an ACTIVE connection; returns the gateway key."""
    from trackgate.config import load_settings
    from trackgate.runtime import build_runtime

    runtime = build_runtime(load_settings({}, data_dir=data_dir, key_file=key_file))
    try:
        with runtime.db.write() as session:
            _, api_key = keyed_connection(runtime, "0" * 32, {}, session)
        return api_key
    finally:
        runtime.close()


def has_granian() -> bool:
    try:
        import granian  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", "-c", type=int, default=32)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--rounds", "-r", type=int, default=3, help="best of N interleaved runs")
    args = parser.parse_args()
    load = {"connections": args.connections, "seconds": args.duration}
    processes: list[subprocess.Popen[bytes]] = []
    targets: list[tuple[str, str, dict[str, str] | None]] = []
    with tempfile.TemporaryDirectory(prefix="trackgate-bench-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir, key_file = tmp / "data", tmp / "secret.key"
        api_key = prepare_data(data_dir, key_file)
        auth = {"Authorization": f"Bearer {api_key}"}
        upstream_port = free_port()
        upstream_url = f"http://127.0.0.1:{upstream_port}"

        def start(
            name: str,
            command: list[str],
            env: dict[str, str] | None,
            url: str,
            headers: dict[str, str] | None = None,
            ready: str = "",
        ) -> None:
            process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
            processes.append(process)
            wait_until_up(ready or url, process, headers=headers)
            targets.append((name, url, headers))

        try:
            processes.append(nginx(tmp, upstream_port, 0, STATIC.format(json=UPSTREAM_BODY)))
            wait_until_up(upstream_url + "/", processes[-1])
            targets.append(("upstream alone (nginx static)", upstream_url + UPSTREAM_PATH, None))
            port = free_port()
            processes.append(nginx(tmp, port, upstream_port, PROXY))
            wait_until_up(f"http://127.0.0.1:{port}/", processes[-1])
            targets.append(("nginx proxy_pass", f"http://127.0.0.1:{port}{UPSTREAM_PATH}", None))
            bare_env = {**os.environ, "BENCH_UPSTREAM": upstream_url}
            servers = ["uvicorn", *(["granian"] if has_granian() else [])]
            for server in servers:
                port = free_port()
                start(
                    f"bare pass-through ({server})",
                    [PYTHON, str(ROOT / "bench" / "bare_proxy.py"), str(port), server],
                    bare_env,
                    f"http://127.0.0.1:{port}{UPSTREAM_PATH}",
                )
            gate_env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
                "TRACKGATE_KEY_FILE": str(key_file),
                "TRACKGATE_DATA_DIR": str(data_dir),
                "TRACKGATE_TOGGL_URL": upstream_url,
                "TRACKGATE_RATE_LIMIT": "1000000/second",
                "TRACKGATE_UPSTREAM_PACING": "off",
            }
            for name, env in (
                ("trackgate gateway (uvicorn)", gate_env),
                (
                    "trackgate gateway, shield off (uvicorn)",
                    {**gate_env, "TRACKGATE_SHIELD": "off"},
                ),
            ):
                port = free_port()
                start(
                    name,
                    [PYTHON, "-m", "trackgate", "serve", "--port", str(port)],
                    env,
                    f"http://127.0.0.1:{port}{TARGET}",
                    auth,
                    f"http://127.0.0.1:{port}/healthz",
                )
            if has_granian():
                port = free_port()
                start(
                    "trackgate gateway (granian)",
                    [PYTHON, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
                     "--port", str(port), "--workers", "1", "--loop", "uvloop",
                     "--no-log", "--working-dir", str(ROOT / "bench"), "gateway_asgi:app"],
                    gate_env,
                    f"http://127.0.0.1:{port}{TARGET}",
                    auth,
                    f"http://127.0.0.1:{port}/healthz",
                )  # fmt: skip
            runs = best_of(args.rounds, targets, load)
        finally:
            stop(*processes)
    by_name = {run.name: run for run in runs}
    nginx_run = by_name.get("nginx proxy_pass")
    print(
        f"{machine_line()}; wrk 1 thread, {args.connections} connections, "
        f"best of {args.rounds} interleaved {args.duration:g} s runs"
    )
    print("| what | requests/s | p50 ms | p99 ms | errors | × bare (same server) | × nginx |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        server = "granian" if "granian" in run.name else "uvicorn"
        bare = by_name.get(f"bare pass-through ({server})")
        to_bare = f"{run.rps / bare.rps:.2f}" if bare and "trackgate" in run.name else "-"
        to_nginx = (
            f"{run.rps / nginx_run.rps:.2f}" if nginx_run and "upstream" not in run.name else "-"
        )
        print(
            f"| {run.name} | {run.rps:,.0f} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | "
            f"{run.errors} | {to_bare} | {to_nginx} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
