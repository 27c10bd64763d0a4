"""Two `trackgate serve` replicas on one PostgreSQL database, with and without Redis: how many
calls the per-account rate limit admits when both are driven at three times the limit, and
how long a key revoked in the database (and announced) keeps working in a replica.

    .venv/bin/python bench/replica_bench.py [--rate 20] [--seconds 5] [--trials 5]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
        [--redis redis://127.0.0.1:6379/11]

Each pair gets a throwaway database (dropped afterwards). Calls alternate between the
replicas on a fixed schedule, whatever the answers before them, and go through the proxy to
the embedded service (`GET /me`, answered from the quota shield's mirror). The revocation is
what `trackgate keys revoke` does, run in this process right after both replicas used the key,
so their caches hold it for about 5 more seconds; the replica that did not revoke it is
polled every 10 ms until it answers 401.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    PYTHON,
    free_port,
    keyed_connection,
    machine_line,
    stop,
    wait_until_up,
)

from trackgate.config import load_settings  # noqa: E402
from trackgate.crypto import encode_key, generate_key  # noqa: E402
from trackgate.gateway.revocation import revoke_key_everywhere  # noqa: E402
from trackgate.runtime import Runtime, build_runtime  # noqa: E402
from trackgate.service.users import NewUser, create_user  # noqa: E402

ME = "/toggl-track/api/v9/me"


@contextmanager
def throwaway_database(admin_url: str) -> Iterator[str]:
    name = "trackgate_bench_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Pair:
    urls: tuple[str, str]
    runtime: Runtime


@contextmanager
def replicas(database_url: str, redis_url: str | None, rate: int) -> Iterator[Pair]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")},
        "TRACKGATE_DATABASE_URL": database_url,
        "TRACKGATE_SECRET_KEY": encode_key(generate_key()),
        "TRACKGATE_RATE_LIMIT": f"{rate}/second",
        "TRACKGATE_UPSTREAM_PACING": "off",
    }
    if redis_url:
        env["TRACKGATE_REDIS_URL"] = redis_url
    processes: list[subprocess.Popen[bytes]] = []
    with TemporaryDirectory() as home:
        env["TRACKGATE_DATA_DIR"] = home
        try:
            urls = []
            for _ in range(2):
                port = free_port()
                process = subprocess.Popen(
                    [PYTHON, "-m", "trackgate", "serve", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                processes.append(process)
                urls.append(f"http://127.0.0.1:{port}")
                wait_until_up(urls[-1] + "/healthz", process)
            runtime = build_runtime(load_settings(env))
            try:
                yield Pair((urls[0], urls[1]), runtime)
            finally:
                runtime.close()
        finally:
            stop(*processes)


def new_key(runtime: Runtime) -> tuple[str, str]:
    """A user of the embedded service, an account with an ACTIVE connection to it, and a key:
    (key id, key)."""
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    with runtime.db.write() as session:
        user, token = create_user(session, runtime.keyring, NewUser(email, "bench password"))
        return keyed_connection(runtime, token, {"user_id": user.id, "email": email}, session)


@dataclass
class Drive:
    sent: int
    outcomes: Counter[str]
    #: seconds from the first call to the last answer (more than the drive when the
    #: replicas fall behind: the limit then counts over a longer time)
    span: float

    @property
    def admitted(self) -> int:
        return self.outcomes["200"]

    @property
    def errors(self) -> int:
        return self.sent - self.outcomes["200"] - self.outcomes["rate_limited"]


async def drive(pair: Pair, api_key: str, per_second: float, seconds: float) -> Drive:
    outcomes: Counter[str] = Counter()
    answered: list[float] = []
    headers = {"Authorization": f"Bearer {api_key}"}
    # idle connections let go before the server closes them (5 s): no call on a closing one
    limits = httpx.Limits(max_connections=1000, keepalive_expiry=1.0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def call(url: str) -> None:
            try:
                answer = await client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1
                return
            finally:
                answered.append(time.monotonic())
            if answer.status_code == 429:
                outcomes[answer.json()["error"]["code"]] += 1
            else:
                outcomes[str(answer.status_code)] += 1

        started = time.monotonic()
        calls = []
        total = int(per_second * seconds)
        for i in range(total):
            await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
            calls.append(asyncio.create_task(call(pair.urls[i % 2] + ME)))
        await asyncio.gather(*calls)
    return Drive(total, outcomes, max(answered) - started)


def rate_run(pair: Pair, rate: int, seconds: float) -> Drive:
    _, api_key = new_key(pair.runtime)
    for url in pair.urls:  # the key cached and the mirror filled in both
        httpx.get(url + ME, headers={"Authorization": f"Bearer {api_key}"}, timeout=30)
    time.sleep(2.5)  # the warm-up leaves the account's window
    return asyncio.run(drive(pair, api_key, 3 * rate, seconds))


def revocation_latency(pair: Pair) -> float:
    key_id, api_key = new_key(pair.runtime)
    headers = {"Authorization": f"Bearer {api_key}"}
    for url in pair.urls:
        assert httpx.get(url + ME, headers=headers, timeout=30).status_code == 200
    revoke_key_everywhere(pair.runtime, key_id)
    revoked = time.monotonic()
    with httpx.Client(timeout=30) as client:
        while client.get(pair.urls[1] + ME, headers=headers).status_code != 401:
            if time.monotonic() - revoked > 30:
                raise RuntimeError("the key still works 30 s after its revocation")
            time.sleep(0.01)
    return time.monotonic() - revoked


@dataclass
class Result:
    drive: Drive
    latencies: list[float]


def measure(args: argparse.Namespace, redis_url: str | None) -> Result:
    with throwaway_database(args.postgres) as database_url:
        with replicas(database_url, redis_url, args.rate) as pair:
            driven = rate_run(pair, args.rate, args.seconds)
            latencies = [revocation_latency(pair) for _ in range(args.trials)]
    return Result(driven, latencies)


def table(args: argparse.Namespace, results: dict[str, Result]) -> str:
    expected = args.rate * args.seconds
    names = list(results)
    lines = [
        "| two replicas on PostgreSQL | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row(
        f"calls sent ({3 * args.rate}/s for {args.seconds:g} s, both replicas in turn)",
        [str(r.drive.sent) for r in results.values()],
    )
    row(
        f"admitted (expected {expected:g})",
        [f"{r.drive.admitted} ({r.drive.admitted / expected - 1:+.0%})" for r in results.values()],
    )
    row(
        "first call to last answer",
        [f"{r.drive.span:.1f} s" for r in results.values()],
    )
    row(
        f"admitted per second of that span (limit {args.rate})",
        [f"{r.drive.admitted / r.drive.span:.1f}" for r in results.values()],
    )
    row(
        "errors (neither 200 nor 429 rate_limited)",
        [f"{r.drive.errors / r.drive.sent:.1%}" for r in results.values()],
    )
    row(
        f"revoked key refused by the other replica after, median / worst of {args.trials}",
        [
            f"{statistics.median(r.latencies):.2f} s / {max(r.latencies):.2f} s"
            for r in results.values()
        ],
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=20, help="the per-account limit, per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to drive")
    parser.add_argument("--trials", type=int, default=5, help="revocations timed per pair")
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    print(machine_line(), file=sys.stderr)
    results = {
        "with Redis": measure(args, args.redis),
        "without Redis": measure(args, None),
    }
    print(table(args, results))


if __name__ == "__main__":
    main()
