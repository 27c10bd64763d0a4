"""The outbox: every change to an entity Toggl sends events for becomes an event row, and a
delivery row per subscription owed it, in the transaction that makes the change.

Hooked on the write sessions themselves (SQLAlchemy session events), so every write path
emits - single and bulk, routes and domain functions alike - and an event exists exactly when
its change was committed: a crash after the commit loses nothing, a rollback sends nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from trackgate.service.webhooks import filters
from trackgate.service.webhooks.context import current_origin
from trackgate.service.webhooks.entity_payloads import MODELS, entity_id, payload, workspace_of
from trackgate.service.webhooks.visibility import may_see
from trackgate.storage.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from trackgate.storage.types import utcnow

log = logging.getLogger("trackgate.webhooks")
PENDING_KEY = "trackgate.webhook_changes"
RECORDED_KEY = "trackgate.webhook_recorded"
#: A change that sets one of these marks a deletion (Toggl keeps deleted objects for ``since``).
DELETION_MARKS = ("server_deleted_at", "deleted_at")


@dataclass
class Change:
    model: str
    action: str
    obj: Any
    #: the rendered object, taken before a row is removed for good
    snapshot: dict[str, Any] | None = None


def _pending(session: Session) -> dict[tuple[str, int, int], Change]:
    found: dict[tuple[str, int, int], Change] = session.info.setdefault(PENDING_KEY, {})
    return found


def _note(session: Session, obj: Any, action: str, snapshot: dict[str, Any] | None = None) -> None:
    model = MODELS.get(type(obj))
    if model is None:
        return
    key = (model, workspace_of(obj), entity_id(obj))
    pending = _pending(session)
    earlier = pending.get(key)
    if earlier is not None and earlier.action == "created" and action == "updated":
        return
    pending[key] = Change(model, action, obj, snapshot)


def _deletion(obj: Any) -> bool:
    state = inspect(obj)
    for name in DELETION_MARKS:
        if name in state.attrs:
            history = state.attrs[name].history
            was_set = any(value is not None for value in history.deleted)
            if history.added and history.added[0] is not None and not was_set:
                return True
    return False


def _rendered(session: Session, obj: Any, actor: int | None) -> dict[str, Any]:
    """The payload; an object that cannot be rendered any more (its owner removed in the same
    change) is sent as its id rather than failing the change that caused it."""
    try:
        return payload(session, obj, actor)
    except Exception as exc:  # noqa: BLE001 - the change matters more than its rendering
        log.warning(
            "webhook payload of a %s cut to its id: %s", type(obj).__name__, type(exc).__name__
        )
        return {"id": entity_id(obj), "workspace_id": workspace_of(obj)}


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    origin = current_origin()
    actor = origin.user_id if origin else None
    for obj in list(session.deleted):
        if type(obj) in MODELS:
            _note(session, obj, "deleted", _rendered(session, obj, actor))


def _after_flush(session: Session, _context: Any) -> None:
    for obj in list(session.new):
        _note(session, obj, "created")
    for obj in list(session.dirty):
        if type(obj) in MODELS and session.is_modified(obj, include_collections=False):
            _note(session, obj, "deleted" if _deletion(obj) else "updated")


def _metadata(change: Change, workspace_id: int, user_id: int | None) -> dict[str, Any]:
    origin = current_origin()
    return {
        "path": origin.path if origin else "",
        "model": change.model,
        "action": change.action,
        f"{change.model}_id": entity_id(change.obj),
        "request_type": origin.method if origin else "",
        "workspace_id": str(workspace_id),
        "event_user_id": user_id,
    }


def _subscriptions(session: Session, workspace_ids: set[int]) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).where(
        WebhookSubscription.workspace_id.in_(workspace_ids),
        WebhookSubscription.enabled.is_(True),
        WebhookSubscription.validated_at.is_not(None),
    )
    return list(session.scalars(query.order_by(WebhookSubscription.id)))


def record(session: Session, changes: list[Change], now: datetime) -> int:
    """Write the events of these changes owed to someone; the number written."""
    subscriptions = _subscriptions(session, {workspace_of(c.obj) for c in changes})
    if not subscriptions:
        return 0
    origin = current_origin()
    actor = origin.user_id if origin else None
    written = 0
    for change in changes:
        workspace_id = workspace_of(change.obj)
        owed = [
            s
            for s in subscriptions
            if s.workspace_id == workspace_id
            and filters.matches(s.event_filters, change.model, change.action)
            and may_see(session, s.user_id, change.obj)
        ]
        if not owed:
            continue
        body = change.snapshot or _rendered(session, change.obj, actor)
        row = WebhookEvent(
            workspace_id=workspace_id,
            model=change.model,
            action=change.action,
            event_user_id=actor,
            meta=json.dumps(_metadata(change, workspace_id, actor)),
            payload=json.dumps(body),
            created_at=now,
        )
        session.add(row)
        session.flush()
        session.add_all(
            WebhookDelivery(subscription_id=s.id, event_id=row.id, next_attempt_at=0.0)
            for s in owed
        )
        written += 1
    return written


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    if record(session, list(pending.values()), utcnow()):
        session.flush()
        session.info[RECORDED_KEY] = True


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(RECORDED_KEY, None)


def install(factory: sessionmaker[Session], on_recorded: Callable[[], None]) -> None:
    """Hook the outbox onto the sessions of ``factory``; ``on_recorded`` runs after a commit
    that wrote events (to wake this process's delivery worker at once)."""
    if getattr(factory, "_trackgate_outbox", False):
        return

    def after_commit(session: Session) -> None:
        if session.info.pop(RECORDED_KEY, False):
            on_recorded()

    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", _forget)
    setattr(factory, "_trackgate_outbox", True)  # noqa: B010 - a mark of our own
