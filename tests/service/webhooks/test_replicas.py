"""Two delivery workers on one database (two replicas): each event is posted once, and each
subscription's events in order."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.service.webhooks.conftest import subscribe, validate
from tests.service.webhooks.receiver import Receiver
from trackgate.config import Settings
from trackgate.runtime import build_runtime
from trackgate.service.webhooks.worker import DeliveryWorker


@contextmanager
def second_worker(settings: Settings) -> Iterator[None]:
    """Another process's worker, on a loop and runtime of its own."""
    runtime = build_runtime(settings)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        task = asyncio.create_task(DeliveryWorker.for_subscriptions(runtime).run())
        await stop.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
        runtime.close()


def test_two_workers_post_each_event_once_in_order(
    hooks: TestClient, owner: Person, receiver: Receiver, hooks_settings: Settings
) -> None:
    def slow_ok(_got: object) -> tuple[int, bytes]:
        time.sleep(0.02)
        return 200, b""

    subs = [subscribe(hooks, owner, receiver.url, description=f"replica {n}") for n in (1, 2)]
    for sub in subs:
        validate(hooks, owner, sub, receiver)
    receiver.answer = slow_ok
    wid = owner.workspace_id
    with second_worker(hooks_settings):
        made = []
        for n in range(15):
            r = hooks.post(
                f"/api/v9/workspaces/{wid}/tags", json={"name": f"t{n}"}, headers=owner.auth
            )
            assert r.status_code == 200, r.text
            made.append(r.json()["id"])
        got = receiver.wait_for(30, timeout=60)
        time.sleep(1.5)  # a duplicate would have arrived by now
    events = receiver.events()
    pairs = Counter((g.json["subscription_id"], g.json["event_id"]) for g in events)
    assert len(events) == 30 and set(pairs.values()) == {1}
    for sub in subs:
        mine = [g.json for g in got if g.json["subscription_id"] == sub["subscription_id"]]
        assert [m["payload"]["id"] for m in mine] == made
