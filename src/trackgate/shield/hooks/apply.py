"""What one event changes in the mirror: the object it carries, stored in read spelling as
a write's answer is, or its kind marked dirty where it cannot be applied exactly."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from trackgate.shield import rules, store
from trackgate.shield.hooks import ENTITIES
from trackgate.shield.keep import keep_catalog
from trackgate.shield.rawjson import epoch
from trackgate.shield.rules import PROJECTS, TAGS, TIME_ENTRIES


def apply_event(
    session: Session, connection_id: str, metadata: Any, payload: Any, now: float
) -> None:
    """Patch the mirror (bound to the subscription's credential) with one event."""
    if not isinstance(metadata, dict):
        return
    kind = ENTITIES.get(str(metadata.get("model")))
    if kind is None:
        return  # not a kind the subscription covers
    if store.kind_states(session, connection_id, [kind]).get(kind) is None:
        return  # not filled yet: its first fill lists it whole
    action = metadata.get("action")
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        store.mark_dirty(session, connection_id, [kind], now)
        return
    if kind == TIME_ENTRIES:
        dirty = _entry(session, connection_id, action, payload)
    elif action in ("created", "updated"):
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        dirty = {kind} if keep_catalog(session, connection_id, kind, [(text, payload)]) else set()
    else:
        dirty = {kind}  # a deletion: its tombstone comes with a refresh
    if dirty:
        store.mark_dirty(session, connection_id, sorted(dirty), now)


def _entry(session: Session, connection_id: str, action: Any, value: dict[str, Any]) -> set[str]:
    """Apply a time entry event; the kinds it leaves unsure."""
    user_id = store.held_user_id(session, connection_id)
    if value.get("user_id") is not None and value.get("user_id") != user_id:
        return set()  # someone else's entry: not in this user's listings
    previous = store.held_entry(session, connection_id, value["id"])
    unsure: set[str] = set()
    if value.get("project_id") is not None or (previous or {}).get("project_id"):
        unsure.add(PROJECTS)  # derived: a project's tracked time; no project event says so
    if action == "deleted":
        store.hide_entry(session, connection_id, value["id"])
        return unsure | {TIME_ENTRIES}  # its tombstone comes with a refresh
    start = epoch(value.get("start"))
    if start is None:
        return unsure | {TIME_ENTRIES}
    entry = rules.entry_in_read_spelling(value, start)
    if set(entry.get("tag_ids") or []) - store.held_ids(session, connection_id, TAGS):
        unsure.add(TAGS)
    if rules.is_running(entry) and store.other_running(session, connection_id, entry["id"]):
        unsure.add(TIME_ENTRIES)  # the other one was stopped at a time no event may tell
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    store.merge_entries(session, connection_id, [(text, entry)])
    return unsure
