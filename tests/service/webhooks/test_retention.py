"""Events are kept a week, and retries back off with jitter."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import Person
from tests.service.webhooks.conftest import subscribe, validate
from tests.service.webhooks.receiver import Receiver
from trackgate.runtime import Runtime
from trackgate.service.webhooks import delivery, queue
from trackgate.storage.models import WebhookDelivery, WebhookEvent
from trackgate.storage.types import utcnow


def test_retries_double_with_jitter_up_to_an_hour() -> None:
    for failures, longest in ((1, 1.0), (2, 2.0), (3, 4.0), (30, 3600.0)):
        delays = [delivery.retry_delay(failures) for _ in range(50)]
        assert all(longest / 2 <= d <= longest for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_events_older_than_a_week_are_dropped(
    hooks: TestClient, owner: Person, receiver: Receiver, hooks_runtime: Runtime
) -> None:
    sub = subscribe(hooks, owner, receiver.url)
    validate(hooks, owner, sub, receiver)
    wid = owner.workspace_id
    hooks.post(f"/api/v9/workspaces/{wid}/tags", json={"name": "old"}, headers=owner.auth)
    hooks.post(f"/api/v9/workspaces/{wid}/tags", json={"name": "new"}, headers=owner.auth)
    receiver.wait_for(2)
    db = hooks_runtime.db
    sid = sub["subscription_id"]
    owed_here = select(WebhookDelivery.event_id).where(WebhookDelivery.subscription_id == sid)
    with db.write() as session:
        mine = select(WebhookEvent).where(WebhookEvent.id.in_(owed_here))
        first = session.scalars(mine.order_by(WebhookEvent.id)).first()
        assert first is not None
        first.created_at = utcnow() - timedelta(days=8)
        old_id = first.id
    assert queue.purge(db, utcnow()) >= 1  # the database may be shared with other tests
    with db.read() as session:
        owed = list(session.scalars(owed_here))
        gone = session.get(WebhookEvent, old_id)
    assert gone is None and old_id not in owed and len(owed) == 1
