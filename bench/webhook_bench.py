"""Events delivered per second by the webhook delivery worker, on SQLite and on PostgreSQL.

    .venv/bin/python bench/webhook_bench.py [--events 2000] [--subscriptions 1 8]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--rounds 3]

The outbox is filled first (tags created in batches of 200 per transaction, each an event
for every subscription), then one worker (as in `trackgate serve`) drains it: signs and posts
every delivery to a receiver in another process (a bare ASGI app on uvicorn that answers 200
at once) and records each one, one transaction per delivery. The figure is deliveries
recorded per second of draining. With one subscription the posts are sequential (a
subscription's events go in order, one at a time); with several, up to 8 lines go at once.
PostgreSQL runs on a throwaway database, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, free_port, machine_line, stop  # noqa: E402

from trackgate.config import load_settings  # noqa: E402
from trackgate.crypto import encode_key, generate_key  # noqa: E402
from trackgate.runtime import Runtime, build_runtime  # noqa: E402
from trackgate.service.users import NewUser, create_user  # noqa: E402
from trackgate.service.webhooks import outbox  # noqa: E402
from trackgate.service.webhooks.subscriptions import Fields, create  # noqa: E402
from trackgate.service.webhooks.wakeup import WAKEUP  # noqa: E402
from trackgate.service.webhooks.worker import DeliveryWorker  # noqa: E402
from trackgate.storage.models import Tag, WebhookDelivery  # noqa: E402
from trackgate.storage.types import utcnow  # noqa: E402

BATCH = 200


async def receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every POST 200 with an empty body, after reading it."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].replace("lifespan.", "")
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@contextmanager
def receiver() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, __file__, "--receiver", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/hook"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                import httpx

                httpx.post(url, content=b"{}")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        stop(process)


@contextmanager
def throwaway_database(admin_url: str | None) -> Iterator[str | None]:
    if admin_url is None:
        yield None
        return
    name = f"trackgate_webhook_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(runtime: Runtime, url: str, subscriptions: int, events: int) -> tuple[int, int]:
    """A user, validated subscriptions to ``url`` and ``events`` tag events; (deliveries, wid)."""
    with runtime.db.write() as session:
        user, _token = create_user(
            session,
            runtime.keyring,
            NewUser(f"bench-{uuid.uuid4().hex[:8]}@example.com", "bench password"),
        )
        wid = user.default_workspace_id
        assert wid is not None
        for n in range(subscriptions):
            fields = Fields(url, [{"entity": "*", "action": "*"}], f"bench {n}", True, None)
            sub, _ = create(session, runtime.keyring, runtime.settings, user.id, wid, fields)
            sub.validated_at = utcnow()
        user_id = user.id
    made = 0
    while made < events:
        with runtime.db.write() as session:
            for _ in range(min(BATCH, events - made)):
                session.add(Tag(workspace_id=wid, name=f"t{made}", creator_id=user_id))
                made += 1
    return pending(runtime), wid


def pending(runtime: Runtime) -> int:
    with runtime.db.read() as session:
        query = select(func.count()).where(WebhookDelivery.state == "pending")
        return int(session.scalar(query) or 0)


async def drain(runtime: Runtime) -> float:
    worker = DeliveryWorker.for_subscriptions(runtime)
    started = time.perf_counter()
    task = asyncio.create_task(worker.run())
    while await asyncio.to_thread(pending, runtime):
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return elapsed


def measure(database_url: str | None, url: str, subscriptions: int, events: int) -> float:
    with TemporaryDirectory() as home:
        settings = load_settings(
            {},
            data_dir=Path(home),
            key_file=Path(home) / "key",
            database_url=database_url,
            secret_key=encode_key(generate_key()) if database_url else None,
            webhook_allow_private=True,
        )
        runtime = build_runtime(settings)
        try:
            outbox.install(runtime.db.write_sessions, WAKEUP.notify)
            deliveries, _ = fill(runtime, url, subscriptions, events)
            assert deliveries >= subscriptions * events, deliveries
            elapsed = asyncio.run(drain(runtime))
            return deliveries / elapsed
        finally:
            runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--subscriptions", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server")
    parser.add_argument("--receiver", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver is not None:
        import uvicorn

        uvicorn.run(
            receiver_app, host="127.0.0.1", port=args.receiver, access_log=False,
            log_config=None, server_header=False,
        )  # fmt: skip
        return
    stores = ["SQLite"] + (["PostgreSQL"] if args.postgres else [])
    rows = []
    with receiver() as url:
        for subs in args.subscriptions:
            row = [f"{subs} subscription{'s' if subs > 1 else ''}, {args.events} events each"]
            for store in stores:
                best = 0.0
                for _ in range(args.rounds):
                    with throwaway_database(args.postgres if store == "PostgreSQL" else None) as db:
                        best = max(best, measure(db, url, subs, args.events))
                row.append(f"{best:,.0f}/s")
            rows.append(row)
    print(machine_line())
    print("| deliveries | " + " | ".join(stores) + " |")
    print("|---|" + "---|" * len(stores))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
