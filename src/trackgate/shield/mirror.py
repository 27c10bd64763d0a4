"""The quota shield at work: answers reads from the connection's mirror when it can, refreshes
the mirror (once per connection at a time, across processes), patches it after writes, and
records the quota the upstream reports.

The proxy gives it one way to reach the upstream (``fetch``: a paced GET with the connection's
credential, its answer decoded and cleaned of the credential); everything else is here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from trackgate.crypto import digest
from trackgate.shield import rules, store
from trackgate.shield.keep import AnswerKeeper, kind_of
from trackgate.shield.quota import bucket_key, may_refresh, named_by, reported
from trackgate.shield.rawjson import epoch, parse_objects
from trackgate.shield.reads import Coverage, Read, View, plan
from trackgate.shield.rules import CATALOGS, TIME_ENTRIES
from trackgate.shield.writes import WritePatcher
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldKind, ShieldQuota
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.shield")

Headers = list[tuple[str, str]]

HIT, MISS, BYPASS, STALE = "hit", "miss", "bypass", "stale"


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: Headers
    body: bytes


#: (connection id, api token, target) -> the upstream's answer; raises on no answer.
Fetch = Callable[[str, str, str], Awaitable[Fetched]]


@dataclass(frozen=True)
class Served:
    body: bytes
    cache: str
    age: int


class RefreshFailed(Exception):
    """The upstream did not give what a refresh needed (quota spent, an error, no answer);
    ``answer`` is what it said instead, to ``target``, if it said anything."""

    def __init__(
        self, message: str, answer: Fetched | None = None, target: str | None = None
    ) -> None:
        super().__init__(message)
        self.answer = answer
        self.target = target


def cache_control(value: str | None, default: float) -> float | None:
    """The freshness limit a caller asks for: None for ``no-cache`` (go to the upstream)."""
    if not value:
        return default
    limit = default
    for part in value.lower().split(","):
        name, _, number = part.strip().partition("=")
        if name in ("no-cache", "no-store"):
            return None
        if name == "max-age" and number.strip().isdigit():
            limit = float(number.strip())
    return limit


def _upstream_clock(headers: Headers, fallback: float) -> float:
    value = next((v for k, v in headers if k.lower() == "date"), None)
    if value:
        try:
            return parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            pass
    return fallback


class QuotaShield:
    def __init__(self, db: Database, max_age: float, fetch: Fetch) -> None:
        self.db = db
        self.max_age = max_age
        self.fetch = fetch
        self.writes = WritePatcher(db)
        self.keeper = AnswerKeeper(db)
        self._locks: dict[str, asyncio.Lock] = {}
        self._known: dict[str, str] = {}
        #: (connection, kind) whose first fill failed lately: reads of it pass straight
        #: through for a while instead of asking twice (a refresh, then the call) each time
        self._unfillable: TtlCache[tuple[str, str], bool] = TtlCache(
            min(max_age, rules.FILL_BACKOFF_SECONDS)
        )

    # --- reads ---------------------------------------------------------------------------

    @staticmethod
    def plan(method: str, forward: str) -> Read | None:
        if method != "GET":
            return None
        parts = urlsplit(forward)
        return plan(parts.path, parts.query)

    async def serve(
        self,
        connection_id: str,
        api_token: str,
        forward: str,
        read: Read,
        cache_header: str | None,
    ) -> Served | Fetched | None:
        """The answer from the mirror; or the upstream's own answer to this very call, when a
        refresh asked exactly it and failed with nothing held; or None to pass it through."""
        limit = cache_control(cache_header, self.max_age)
        if limit is None:
            return None
        await self._ensure(connection_id, api_token)
        now = time.time()
        states = await run_in_threadpool(self._states, connection_id, read.kinds)
        if not read.viable(_coverage(states.get(TIME_ENTRIES))):
            return None
        stale = [k for k in read.kinds if not self._fresh(states.get(k), now, limit)]
        if any(k not in states and self._unfillable.get((connection_id, k)) for k in stale):
            return None
        outcome = HIT
        if stale:
            try:
                refreshed = await self._refresh(connection_id, api_token, stale, limit)
                outcome = MISS if refreshed else HIT
            except RefreshFailed as exc:
                if any(k not in states for k in read.kinds):
                    # nothing to fall back on: the caller's own call goes through, unless
                    # the refresh was that very call (no need to ask twice)
                    for kind in stale:
                        self._unfillable.put((connection_id, kind), True)
                    return exc.answer if exc.target == forward else None
                log.info("shield serves stale for %s: %s", connection_id, exc)
                outcome = STALE
        view, oldest = await run_in_threadpool(self._view, connection_id, read.kinds)
        body = read.answer(view)
        if body is None:
            return None
        return Served(body, outcome, max(0, math.floor(time.time() - oldest)))

    @staticmethod
    def _fresh(state: ShieldKind | None, now: float, limit: float) -> bool:
        return state is not None and rules.is_fresh(state.fetched_at, state.dirty_at, now, limit)

    def _states(self, connection_id: str, kinds: tuple[str, ...]) -> dict[str, ShieldKind]:
        with self.db.read() as session:
            return store.kind_states(session, connection_id, kinds)

    def _view(self, connection_id: str, kinds: tuple[str, ...]) -> tuple[View, float]:
        with self.db.read() as session:
            states = store.kind_states(session, connection_id, kinds)
            objects = store.held(session, connection_id, kinds)
        coverage = _coverage(states.get(TIME_ENTRIES))
        oldest = min((s.fetched_at for s in states.values()), default=time.time())
        return View(objects, coverage), oldest

    async def _ensure(self, connection_id: str, api_token: str) -> None:
        credential = digest(api_token)
        if self._known.get(connection_id) == credential:
            return
        try:
            await run_in_threadpool(self._ensure_row, connection_id, credential)
        except IntegrityError:
            await run_in_threadpool(self._ensure_row, connection_id, credential)
        self._known[connection_id] = credential

    def _ensure_row(self, connection_id: str, credential: str) -> None:
        with self.db.write() as session:
            store.ensure_mirror(session, connection_id, credential)

    # --- refreshing ----------------------------------------------------------------------

    async def _refresh(
        self, connection_id: str, api_token: str, kinds: list[str], limit: float
    ) -> bool:
        """Bring ``kinds`` up to date; False when another process did it meanwhile."""
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            holder = str(uuid.uuid4())
            deadline = time.monotonic() + rules.LEASE_SECONDS
            while not await self._leased(connection_id, holder):
                if time.monotonic() > deadline:
                    raise RefreshFailed("the refresh lease stayed taken")
                await asyncio.sleep(0.05)
            try:  # another process may have refreshed while this one waited
                states = await run_in_threadpool(self._states, connection_id, tuple(kinds))
                now = time.time()
                kinds = [k for k in kinds if not self._fresh(states.get(k), now, limit)]
                if not kinds:
                    return False
                for kind in kinds:
                    await self._refresh_kind(connection_id, api_token, kind, states.get(kind))
                return True
            finally:
                await run_in_threadpool(self._release, connection_id, holder)

    async def _leased(self, connection_id: str, holder: str) -> bool:
        try:
            return await run_in_threadpool(self._lease, connection_id, holder)
        except store.MirrorGone as exc:
            self._known.pop(connection_id, None)
            raise RefreshFailed("the connection was deleted") from exc

    def _lease(self, connection_id: str, holder: str) -> bool:
        with self.db.write() as session:
            return store.try_lease(session, connection_id, holder, time.time(), rules.LEASE_SECONDS)

    def _release(self, connection_id: str, holder: str) -> None:
        with self.db.write() as session:
            store.release_lease(session, connection_id, holder)

    async def _get(self, connection_id: str, api_token: str, target: str) -> tuple[Fetched, Any]:
        if not await run_in_threadpool(self._may_spend, connection_id):
            raise RefreshFailed("the user quota is down to the requests kept for writes")
        try:
            fetched = await self.fetch(connection_id, api_token, target)
        except Exception as exc:  # noqa: BLE001 - any way of not answering
            raise RefreshFailed(f"the upstream did not answer ({type(exc).__name__})") from exc
        await self.observe(connection_id, urlsplit(target).path, fetched.headers)
        if fetched.status != 200:
            raise RefreshFailed(f"the upstream answered {fetched.status}", fetched, target)
        try:
            return fetched, fetched.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RefreshFailed("the upstream answered text that is not UTF-8") from exc

    def _may_spend(self, connection_id: str) -> bool:
        with self.db.read() as session:
            row = session.get(ShieldQuota, (connection_id, "user"))
            return may_refresh(row, datetime.now(UTC))

    async def _refresh_kind(
        self, connection_id: str, api_token: str, kind: str, state: ShieldKind | None
    ) -> None:
        started = time.time()
        if kind in CATALOGS:
            _, text = await self._get(connection_id, api_token, rules.LISTINGS[kind])
            items = _items(text, single=kind == rules.ME)
            await run_in_threadpool(self._replace, connection_id, kind, items, started)
        elif state is None or state.since is None or state.covered_from is None:
            await self._fill_entries(connection_id, api_token, started)
        else:
            target = rules.changes_target(state.since)
            _, text = await self._get(connection_id, api_token, target)
            items = _items(text)
            await run_in_threadpool(self._merge, connection_id, items, started, state.since)

    async def _fill_entries(self, connection_id: str, api_token: str, started: float) -> None:
        begin, end = rules.fill_window(started)
        fetched, text = await self._get(connection_id, api_token, rules.fill_target(begin, end))
        clock = _upstream_clock(fetched.headers, time.time())
        items = _items(text)
        _, current = await self._get(connection_id, api_token, rules.CURRENT_ENTRY)
        if current.strip() != "null":
            items += _items(current, single=True)

        def save() -> None:
            with self.db.write() as session:
                store.replace_kind(session, connection_id, TIME_ENTRIES, [], started)
                store.merge_entries(session, connection_id, items)
                state = store.touch_kind(session, connection_id, TIME_ENTRIES, started)
                state.covered_from = begin
                state.changes_from = math.floor(clock) + 1
                state.since = rules.next_since(math.floor(clock) - 1, _newest(items))
                state.dirty_at = None

        await run_in_threadpool(save)

    def _replace(
        self, connection_id: str, kind: str, items: list[store.Item], started: float
    ) -> None:
        with self.db.write() as session:
            store.replace_kind(session, connection_id, kind, items, started)

    def _merge(
        self, connection_id: str, items: list[store.Item], started: float, since: float
    ) -> None:
        with self.db.write() as session:
            store.merge_entries(session, connection_id, items)
            state = store.touch_kind(session, connection_id, TIME_ENTRIES, started)
            state.since = rules.next_since(since, _newest(items))

    # --- reads that passed through ----------------------------------------------------

    @staticmethod
    def keeps(method: str, forward: str) -> bool:
        """Whether the mirror keeps what this read's answer holds (see :mod:`.keep`)."""
        return method == "GET" and kind_of(forward) is not None

    async def kept(self, connection_id: str, forward: str, status: int, body: bytes) -> None:
        """Keep what a read that passed through answered, if the upstream answered it."""
        if status == 200:
            await self.keeper.kept(connection_id, forward, body)

    # --- writes --------------------------------------------------------------------------

    @staticmethod
    def wants_answer(method: str, forward: str) -> bool:
        """Whether the mirror needs the body of this write's answer."""
        return WritePatcher.wants_answer(method, forward)

    async def wrote(
        self, connection_id: str, method: str, forward: str, status: int, body: bytes | None
    ) -> None:
        """Apply a write the upstream accepted (see :mod:`trackgate.shield.writes`)."""
        await self.writes.wrote(connection_id, method, forward, status, body)

    # --- quota ---------------------------------------------------------------------------

    async def observe(self, connection_id: str, path: str, headers: Headers) -> None:
        """Record the quota an upstream answer reports, in the bucket its path was charged."""
        found = reported(headers)
        if found is None:
            return
        await run_in_threadpool(self._record, connection_id, path, found.remaining, found.resets_in)

    def _record(self, connection_id: str, path: str, remaining: int, resets_in: int) -> None:
        named = named_by(path)
        with self.db.write() as session:
            organization = named.organization_id
            if organization is None and named.workspace_id is not None:
                organization = store.workspace_organization(
                    session, connection_id, named.workspace_id
                )
            store.record_quota(
                session,
                connection_id,
                bucket_key(organization, named.workspace_id),
                organization,
                remaining,
                resets_in,
                datetime.now(UTC),
            )


def _coverage(entries: ShieldKind | None) -> Coverage:
    if entries is None:
        return Coverage()
    return Coverage(entries.covered_from, entries.changes_from)


def _items(text: str, *, single: bool = False) -> list[store.Item]:
    if single:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise RefreshFailed("the upstream answered something other than JSON") from exc
        if not isinstance(value, dict):
            raise RefreshFailed("the upstream answered something other than an object")
        return [(text.strip(), value)]
    found = parse_objects(text)
    if found is None:
        raise RefreshFailed("the upstream answered something other than a list of objects")
    return found


def _newest(items: list[store.Item]) -> float | None:
    stamps = [s for s in (epoch(value.get("at")) for _, value in items) if s is not None]
    return max(stamps) if stamps else None
