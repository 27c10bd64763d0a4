"""What a write through the gateway changes in the mirror: the time entry its answer holds,
stored in read spelling, so the caller reads its own writes at once; a deleted entry hidden;
and the kinds it may have changed in ways no answer shows, marked dirty (the next read of them
refreshes first)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool

from trackgate.shield import rules, store
from trackgate.shield.rawjson import epoch
from trackgate.shield.rules import PROJECTS, TAGS, TIME_ENTRIES
from trackgate.storage.database import Database


class WritePatcher:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def wants_answer(method: str, forward: str) -> bool:
        """Whether the mirror needs the body of this write's answer."""
        return method in ("POST", "PUT", "PATCH") and (
            rules.write_effect(method, urlsplit(forward).path).entry is not None
        )

    async def wrote(
        self,
        connection_id: str,
        credential: str,
        method: str,
        forward: str,
        status: int,
        body: bytes | None,
    ) -> None:
        """Apply a write the upstream accepted, made with the credential whose digest is
        ``credential``: store the entry it answered, or mark dirty. A mirror bound to another
        credential (or whose user is not checked yet) stores nothing of it: the kinds it
        touched are marked dirty instead, so a later read of the same user refreshes them."""
        if method not in ("POST", "PUT", "PATCH", "DELETE") or not 200 <= status < 300:
            return
        parts = urlsplit(forward)
        effect = rules.write_effect(method, parts.path)
        dirty = set(effect.dirty)
        if effect.entry == "deleted":
            entry_id = int(parts.path.rstrip("/").rsplit("/", 1)[1])
            if not await run_in_threadpool(self._hide, connection_id, credential, entry_id):
                dirty.add(TIME_ENTRIES)
        elif effect.entry is not None:
            dirty |= await run_in_threadpool(
                self._store_entry, connection_id, credential, effect.entry, parts.query, body
            )
        if dirty:
            await run_in_threadpool(self._dirty, connection_id, sorted(dirty))

    def _hide(self, connection_id: str, credential: str, entry_id: int) -> bool:
        with self.db.write() as session:
            try:
                store.require_bound(session, connection_id, credential)
            except store.NotBound:
                return False
            store.hide_entry(session, connection_id, entry_id)
            return True

    def _dirty(self, connection_id: str, kinds: list[str]) -> None:
        with self.db.write() as session:
            store.mark_dirty(session, connection_id, kinds, time.time())

    def _store_entry(
        self, connection_id: str, credential: str, effect: str, query: str, body: bytes | None
    ) -> set[str]:
        """Store the entry a write answered, in read spelling; the kinds it leaves unsure."""
        try:
            value = json.loads(body or b"")
        except ValueError:
            return {TIME_ENTRIES, TAGS, PROJECTS}
        start = epoch(value.get("start")) if isinstance(value, dict) else None
        if start is None or not isinstance(value.get("id"), int) or "meta" in query:
            return {TIME_ENTRIES, TAGS, PROJECTS}
        entry = rules.entry_in_read_spelling(value, start)
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        unsure: set[str] = set()
        with self.db.write() as session:
            try:
                store.require_bound(session, connection_id, credential)
            except store.NotBound:
                return {TIME_ENTRIES, TAGS, PROJECTS}
            if set(entry.get("tag_ids") or []) - store.held_ids(session, connection_id, TAGS):
                unsure.add(TAGS)  # a tag named on the fly was made
            previous = store.held_entry(session, connection_id, entry["id"])
            if entry.get("project_id") is not None or (previous or {}).get("project_id"):
                unsure.add(PROJECTS)  # projects show their tracked time
            if store.kind_states(session, connection_id, [TIME_ENTRIES]).get(TIME_ENTRIES) is None:
                return unsure  # no entries held yet: the first read fills them
            if effect == "created" and rules.is_running(entry):
                if store.other_running(session, connection_id, entry["id"]):
                    # stopped upstream at a time no answer tells
                    unsure |= {TIME_ENTRIES, PROJECTS}
            store.merge_entries(session, connection_id, [(text, entry)])
        return unsure
