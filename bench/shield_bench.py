"""The quota shield against Toggl's hourly quota: a 200-call agent session, direct and through
the gateway, against ``trackgate serve --emulate-quota 30`` as the upstream.

Run by hand (not by the test suite), from the repository root::

    .venv/bin/python bench/shield_bench.py [--calls 200] [--max-age 10] [--pause 0.1] [--wide]

It starts, all on loopback: the upstream (``--no-gateway --emulate-quota 30``), a quota-free
twin serving the same data (the reference every answer is compared with; asking it spends no
quota), and a gateway (``--no-service --upstream ...``, ``TRACKGATE_SHIELD_MAX_AGE``). Two
upstream users run the same session -- one straight at the upstream, one through the gateway --
so their quotas are apart. The session is what an assistant does: about nine reads to one
write (current entry, today's and this week's entries, projects, tags, the user; start, edit,
stop). It prints a Markdown table: upstream requests spent per bucket (from the upstream's own
``GET /me/quota``, which is not counted), 402s the agent saw, the share of each
``X-Trackgate-Cache`` answer, and answers that differed from the twin's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]


def serve(root: Path, *flags: str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
        "TRACKGATE_DATA_DIR": str(root / "data"),
        "TRACKGATE_KEY_FILE": str(root / "secret.key"),
        **(env or {}),
    }
    log = open(root / f"serve-{port}.log", "wb")  # noqa: SIM115 - lives as long as the server
    command = [sys.executable, "-m", "trackgate", "serve", "--port", str(port), *flags]
    process = subprocess.Popen(command, env=full_env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Server(url, process, full_env)
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"trackgate serve did not start; see {root}")


def cli(server: Server, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def make_user(upstream: Server) -> dict[str, Any]:
    email = f"agent-{uuid.uuid4().hex[:8]}@example.com"
    user: dict[str, Any] = cli(
        upstream, "users", "create", "--email", email, "--password", "correct horse battery"
    )
    return user


def connect(gateway: Server, api_token: str) -> str:
    """A gateway account with an ACTIVE connection holding ``api_token``; its gateway key."""
    from trackgate.config import load_settings
    from trackgate.gateway.credential_store import seal_credential
    from trackgate.runtime import build_runtime
    from trackgate.storage.models import Connection

    made = cli(gateway, "accounts", "create", "--name", "bench")
    runtime = build_runtime(load_settings(gateway.env))
    try:
        with runtime.db.write() as session:
            connection_id = str(uuid.uuid4())
            session.add(
                Connection(
                    id=connection_id,
                    account_id=made["account_id"],
                    app="toggl-track",
                    status="ACTIVE",
                    method="API_KEY",
                    credential_ciphertext=seal_credential(
                        runtime.keyring, connection_id, api_token
                    ),
                    details={},
                )
            )
    finally:
        runtime.close()
    return str(made["api_key"])


def basic(token: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()}


# --- the session ------------------------------------------------------------------------------


@dataclass
class Tally:
    calls: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    cache: Counter[str] = field(default_factory=Counter)
    differing: int = 0
    spent: dict[str, int] = field(default_factory=dict)


def _reads(workspace_id: int) -> list[str]:
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    return [
        "/me/time_entries/current",
        f"/me/time_entries?start_date={today}&end_date={today + timedelta(days=1)}",
        "/me/projects",
        f"/me/time_entries?start_date={monday}&end_date={monday + timedelta(days=7)}",
        "/me/tags",
        "/me/time_entries/current",
        f"/workspaces/{workspace_id}/projects",
        "/me",
        f"/me/time_entries?start_date={today}&end_date={today + timedelta(days=1)}",
    ]


def _wide_reads(workspace_id: int) -> list[str]:
    """The same session over the wider set of reads the mirror answers: the default window,
    names joined in, tasks, organizations, filtered projects."""
    return [
        "/me/time_entries/current",
        "/me/time_entries",
        "/me/time_entries?meta=true",
        "/me/tasks",
        f"/workspaces/{workspace_id}/tasks",
        "/me/organizations",
        f"/workspaces/{workspace_id}/projects?active=true&sort_order=DESC",
        "/me/time_entries/current",
        "/me/tags",
    ]


def _without_token(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_token(v) for k, v in value.items() if k != "api_token"}
    if isinstance(value, list):
        return [_without_token(v) for v in value]
    return value


def run_session(
    agent: httpx.Client,
    prefix: str,
    twin: httpx.Client,
    user: dict[str, Any],
    calls: int,
    pause: float,
    wide: bool = False,
) -> Tally:
    """``calls`` calls, nine reads to one write; each answer compared with the twin's."""
    wid = user["default_workspace_id"]
    reads = _wide_reads(wid) if wide else _reads(wid)
    tally = Tally()
    running: int | None = None
    last: int | None = None
    writes = 0
    for index in range(calls):
        if index % 10 == 9:
            writes += 1
            step = writes % 3
            if step == 1 or running is None:
                body = {
                    "workspace_id": wid,
                    "created_with": "bench",
                    "start": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "duration": -1,
                    "description": f"task {writes}",
                    "tags": ["bench"],
                }
                answer = agent.post(f"{prefix}/workspaces/{wid}/time_entries", json=body)
                if answer.status_code == 200:
                    running = last = answer.json()["id"]
            elif step == 2:
                change = {"description": f"task {writes} (edited)"}
                answer = agent.put(f"{prefix}/workspaces/{wid}/time_entries/{running}", json=change)
            else:
                answer = agent.patch(f"{prefix}/workspaces/{wid}/time_entries/{running}/stop")
                if answer.status_code == 200:
                    running = None
        else:
            path = reads[index % len(reads)]
            if last is not None and index % 30 == 14:
                path = f"/me/time_entries/{last}"
            answer = agent.get(prefix + path)
            if answer.status_code == 200:
                reference = twin.get("/api/v9" + path)
                if _without_token(answer.json()) != _without_token(reference.json()):
                    tally.differing += 1
            cache = answer.headers.get("x-trackgate-cache")
            if cache:
                tally.cache[cache] += 1
        tally.calls += 1
        if answer.status_code >= 400:
            tally.errors[answer.status_code] += 1
        time.sleep(pause)
    return tally


def spent(upstream: Server, token: str) -> dict[str, int]:
    buckets = httpx.get(upstream.url + "/api/v9/me/quota", headers=basic(token)).json()
    return {
        ("user" if b["organization_id"] is None else "organization"): b["total"] - b["remaining"]
        for b in buckets
    }


def table(direct: Tally, shielded: Tally, max_age: float) -> str:
    def share(t: Tally, name: str) -> str:
        reads = sum(t.cache.values())
        return f"{100 * t.cache[name] / reads:.0f}%" if reads else "-"

    rows = [
        ("calls", direct.calls, shielded.calls),
        (
            "upstream requests, user bucket (of 30)",
            direct.spent.get("user", 0),
            shielded.spent.get("user", 0),
        ),
        (
            "upstream requests, organization bucket (of 30)",
            direct.spent.get("organization", 0),
            shielded.spent.get("organization", 0),
        ),
        ("upstream requests in all", sum(direct.spent.values()), sum(shielded.spent.values())),
        ("402s seen by the agent", direct.errors[402], shielded.errors[402]),
        (
            "other errors",
            sum(direct.errors.values()) - direct.errors[402],
            sum(shielded.errors.values()) - shielded.errors[402],
        ),
        ("reads answered `hit`", "-", share(shielded, "hit")),
        ("reads answered `miss`", "-", share(shielded, "miss")),
        ("reads answered `stale`", "-", share(shielded, "stale")),
        ("reads answered `bypass`", "-", share(shielded, "bypass")),
        ("answers differing from the quota-free twin", direct.differing, shielded.differing),
    ]
    title = f"agent session ({direct.calls} calls, freshness limit {max_age:g} s)"
    lines = [f"| {title} | direct | through the gateway |", "|---|---|---|"]
    lines += [f"| {name} | {a} | {b} |" for name, a, b in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--max-age", type=float, default=10.0)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between calls")
    parser.add_argument(
        "--wide", action="store_true", help="read tasks, organizations, meta=true and the like"
    )
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="shield-bench-"))
    servers: list[Server] = []
    try:
        (root / "upstream").mkdir()
        (root / "gateway").mkdir()
        upstream = serve(root / "upstream", "--no-gateway", "--emulate-quota", "30")
        servers.append(upstream)
        twin = serve(root / "upstream", "--no-gateway")
        servers.append(twin)
        gateway = serve(
            root / "gateway",
            "--no-service",
            "--upstream",
            upstream.url,
            env={
                "TRACKGATE_SHIELD_MAX_AGE": str(options.max_age),
                "TRACKGATE_RATE_LIMIT": "1000/second",
            },
        )
        servers.append(gateway)
        direct_user, shielded_user = make_user(upstream), make_user(upstream)
        key = connect(gateway, shielded_user["api_token"])
        with (
            httpx.Client(base_url=upstream.url, headers=basic(direct_user["api_token"])) as d,
            httpx.Client(base_url=twin.url, headers=basic(direct_user["api_token"])) as dt,
            httpx.Client(
                base_url=gateway.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
            ) as g,
            httpx.Client(base_url=twin.url, headers=basic(shielded_user["api_token"])) as gt,
        ):
            direct = run_session(
                d, "/api/v9", dt, direct_user, options.calls, options.pause, options.wide
            )
            direct.spent = spent(upstream, direct_user["api_token"])
            shielded = run_session(
                g,
                "/toggl-track/api/v9",
                gt,
                shielded_user,
                options.calls,
                options.pause,
                options.wide,
            )
            shielded.spent = spent(upstream, shielded_user["api_token"])
        print(table(direct, shielded, options.max_age))
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(10)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
