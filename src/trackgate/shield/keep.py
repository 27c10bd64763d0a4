"""What the mirror keeps of a read that passed through: the objects of the kinds it holds,
each kept only where the answer is newer (a later ``at``), and for time entries over a range
of starts the mirror's coverage, extended where the answer provably listed all of it.

A catalog kind (projects, clients, tags, tasks, workspaces, organizations) is held in the
upstream's listing order. Where that order follows the listing rule (by name, or by id), what
an answer shows is merged and placed by the rule. Otherwise a kept answer may only change what
keeps the held order: an object deleted leaves, an object changed in place keeps its place if
its name is the same; an object the mirror does not hold yet, or one renamed, shows the held
listing is out of date: the kind is marked unsure and its next read refreshes it first.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trackgate.shield import queries, store
from trackgate.shield.answers_entries import place
from trackgate.shield.rawjson import epoch, parse_objects
from trackgate.shield.rawobject import members, value_text
from trackgate.shield.rules import (
    API,
    CLIENTS,
    ME,
    ORGANIZATIONS,
    PROJECTS,
    TAGS,
    TASKS,
    TIME_ENTRIES,
    WORKSPACES,
    is_deleted,
)
from trackgate.shield.views import ALL_TIME, View
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldObject

#: Toggl may cap a listing of time entries (v8 did, at this many): an answer this long is
#: not taken as proof that it listed the whole range.
ENTRY_LISTING_CAP = 1000
#: answers longer than this pass on without being kept
KEEP_LIMIT = 4 * 1024 * 1024

_N = r"\d{1,18}"
_WS = rf"{API}/workspaces/{_N}"
_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{API}/me/time_entries(/{_N}|/current)?$"), TIME_ENTRIES),
    (re.compile(rf"^({API}/me/projects(/paginated)?|{_WS}/projects(/{_N})?)$"), PROJECTS),
    (re.compile(rf"^({API}/me/clients|{_WS}/clients(/{_N})?)$"), CLIENTS),
    (re.compile(rf"^({API}/me/tags|{_WS}/tags)$"), TAGS),
    (re.compile(rf"^({API}/me/tasks|{_WS}/tasks|{_WS}/projects/{_N}/tasks(/{_N})?)$"), TASKS),
    (re.compile(rf"^{API}/me/workspaces$"), WORKSPACES),
    (re.compile(rf"^({API}/me/organizations|{API}/organizations/{_N})$"), ORGANIZATIONS),
]
_ENVELOPE = re.compile(rf"^{_WS}/tasks$")

Item = tuple[str, dict[str, Any]]


def kind_of(forward: str) -> str | None:
    """The kind a read's answer holds, if the mirror can keep it."""
    parts = urlsplit(forward)
    query = queries.parse(parts.query)
    if query is None:
        return None
    for pattern, kind in _KINDS:
        if pattern.match(parts.path):
            if kind == TIME_ENTRIES and query.get("meta") not in (None, "", "false", "0"):
                return None  # names joined in: not the entries as the mirror holds them
            return kind
    return None


def items_of(forward: str, body: bytes) -> list[Item] | None:
    """The objects an answer holds, each with its own text; None for anything else."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _ENVELOPE.match(urlsplit(forward).path):
        found = members(text)
        data = value_text(found, "data") if found else None
        return parse_objects(data) if data is not None else None
    stripped = text.strip()
    if stripped.startswith("["):
        return parse_objects(stripped)
    if stripped == "null":
        return []
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return [(stripped, value)] if isinstance(value, dict) else None


@dataclass(frozen=True)
class Span:
    """The starts a listing of time entries provably covered: ``low`` <= start < ``high``."""

    low: float
    high: float | None


def entry_span(query: queries.Query, zone_source: View) -> Span | None:
    """What a range listing covered whatever the upstream's reading of its dates; None for a
    listing that does not prove a range (``since``, the default window, a bound it cannot
    place)."""
    given = {k: v for k, v in query.items() if v != ""}
    given.pop("meta", None)
    if not given or "since" in given or set(given) - {"start_date", "end_date", "before"}:
        return None
    spans = {name: place(text, zone_source) for name, text in given.items()}
    if any(span is None for span in spans.values()):
        return None
    low = spans.get("start_date")
    highs = [span[0] for name, span in spans.items() if span is not None and name != "start_date"]
    return Span(low[1] if low else ALL_TIME, min(highs) if highs else None)


class AnswerKeeper:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def kept(self, connection_id: str, credential: str, forward: str, body: bytes) -> None:
        """Keep what ``forward`` answered when asked with the credential whose digest is
        ``credential``."""
        kind = kind_of(forward)
        items = items_of(forward, body) if kind else None
        if kind is None or items is None:
            return
        await run_in_threadpool(self._keep, connection_id, credential, kind, forward, items)

    def _keep(
        self, connection_id: str, credential: str, kind: str, forward: str, items: list[Item]
    ) -> None:
        with self.db.write() as session:
            try:
                store.require_bound(session, connection_id, credential)
            except store.NotBound:
                return  # held for another credential, or its user not checked yet
            states = store.kind_states(session, connection_id, [kind, ME])
            state = states.get(kind)
            if state is None:
                return  # not filled yet: its first fill lists it whole
            if kind != TIME_ENTRIES:
                if keep_catalog(session, connection_id, kind, items):
                    store.mark_dirty(session, connection_id, [kind], time.time())
                return
            store.merge_entries(session, connection_id, items)
            parts = urlsplit(forward)
            query = queries.parse(parts.query)
            if parts.path != f"{API}/me/time_entries" or query is None:
                return
            if len(items) >= ENTRY_LISTING_CAP or state.covered_from is None:
                return
            try:
                since = queries.unix(query, "since") if set(query) == {"since"} else None
            except queries.Unsure:
                return
            if since is not None and state.changes_from is not None:
                # every entry changed since then, deleted ones too, is held now
                state.changes_from = min(state.changes_from, since)
                return
            me = store.held(session, connection_id, [ME])
            span = entry_span(query, View(me))
            if span is None or span.low >= state.covered_from:
                return
            if span.high is None or span.high >= state.covered_from:
                state.covered_from = span.low  # no gap between the two: one range held


def keep_catalog(session: Session, connection_id: str, kind: str, items: list[Item]) -> bool:
    """Keep what an answer shows of a catalog kind; True when the held listing is out of date."""
    if store.in_listing_order(session, connection_id, kind):
        store.merge_objects(session, connection_id, kind, items)
        store.renumber(session, connection_id, kind)
        return False
    outdated = False
    for text, value in items:
        object_id = value.get("id")
        if not isinstance(object_id, int):
            continue
        deleted = is_deleted(value)
        row = session.get(ShieldObject, (connection_id, kind, object_id))
        if row is None:
            outdated = outdated or not deleted
            continue
        at = epoch(value.get("at"))
        if row.at is not None and (at is None or at <= row.at):
            continue  # what the mirror holds is as new
        if not deleted and json.loads(row.body).get("name") != value.get("name"):
            outdated = True  # its place in the listing may have changed
            continue
        row.body, row.at, row.deleted = text, at, deleted
    return outdated
