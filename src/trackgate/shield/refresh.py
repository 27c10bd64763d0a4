"""Refreshing a connection's mirror: which kinds are due, one refresh at a time per
connection (across processes, under a lease), each kind asked the cheapest way the rules and
the recorded quota allow -- the user with its related kinds, a ``since`` listing, a whole
listing, or workspace by workspace in the organizations' buckets -- and stored.

The shield gives it one way to reach the upstream (``fetch``: a paced GET with the
connection's credential, its answer decoded and cleaned of the credential).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trackgate.crypto import digest
from trackgate.shield import rules, store
from trackgate.shield.ledger import QuotaLedger
from trackgate.shield.quota import may_spend
from trackgate.shield.rawjson import epoch, parse_objects
from trackgate.shield.rawobject import join_object, members, value_text
from trackgate.shield.rules import CATALOGS, ME, TIME_ENTRIES, WORKSPACES
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldKind

log = logging.getLogger("trackgate.shield")

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: Headers
    body: bytes


#: (connection id, api token, target) -> the upstream's answer; raises on no answer.
Fetch = Callable[[str, str, str], Awaitable[Fetched]]


class RefreshFailed(Exception):
    """The upstream did not give what a refresh needed (quota spent, an error, no answer);
    ``answer`` is what it said instead, to ``target``, if it said anything."""

    def __init__(
        self, message: str, answer: Fetched | None = None, target: str | None = None
    ) -> None:
        super().__init__(message)
        self.answer = answer
        self.target = target


def _upstream_clock(headers: Headers, fallback: float) -> float:
    value = next((v for k, v in headers if k.lower() == "date"), None)
    if value:
        try:
            return parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            pass
    return fallback


def fresh(state: ShieldKind | None, now: float, limit: float) -> bool:
    # a caller asking for max-age=0 wants the upstream asked, events or not
    events_until = state.events_until if state is not None and limit > 0 else None
    return state is not None and rules.is_fresh(
        state.fetched_at, state.dirty_at, now, limit, events_until
    )


def stale_kinds(
    states: dict[str, ShieldKind], kinds: Iterable[str], now: float, limit: float
) -> list[str]:
    """The kinds to refresh before answering; the user first, whatever the read, while a
    reconnect has not been checked to be the same Toggl user."""
    stale = [k for k in kinds if not fresh(states.get(k), now, limit)]
    if store.UNVERIFIED in states and ME not in stale:
        stale.insert(0, ME)
    return sorted(stale, key=lambda k: k != ME)


def states_in(session: Session, connection_id: str, kinds: Iterable[str]) -> dict[str, ShieldKind]:
    """The states of ``kinds``, and the :data:`~.store.UNVERIFIED` row if there is one."""
    return store.kind_states(session, connection_id, (*kinds, store.UNVERIFIED))


def read_states(db: Database, connection_id: str, kinds: Iterable[str]) -> dict[str, ShieldKind]:
    with db.read() as session:
        return states_in(session, connection_id, kinds)


class Refresher:
    def __init__(
        self,
        db: Database,
        fetch: Fetch,
        ledger: QuotaLedger,
        forget: Callable[[str], None],
    ) -> None:
        self.db = db
        self.fetch = fetch
        self.ledger = ledger
        #: told of a connection whose mirror row is gone (the connection was deleted)
        self.forget = forget
        self._locks: dict[str, asyncio.Lock] = {}
        #: connections whose upstream does not add related lists as Toggl does: the user is
        #: refreshed alone, with ``/me``
        self._plain_user: set[str] = set()

    def _states(self, connection_id: str, kinds: Iterable[str]) -> dict[str, ShieldKind]:
        return read_states(self.db, connection_id, kinds)

    async def refresh(
        self,
        connection_id: str,
        api_token: str,
        kinds: list[str],
        limit: float,
        forward: str | None = None,
    ) -> bool:
        """Bring ``kinds`` up to date for a read of ``forward``; False when another process did
        it meanwhile."""
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            holder = str(uuid.uuid4())
            deadline = time.monotonic() + rules.LEASE_SECONDS
            while not await self._leased(connection_id, holder):
                if time.monotonic() > deadline:
                    raise RefreshFailed("the refresh lease stayed taken")
                await asyncio.sleep(0.05)
            try:  # another process may have refreshed while this one waited
                return await self._refresh_due(connection_id, api_token, kinds, limit, forward)
            except store.NotBound as exc:
                raise RefreshFailed("the connection was re-authorised meanwhile") from exc
            finally:
                await run_in_threadpool(self._release, connection_id, holder)

    async def _refresh_due(
        self,
        connection_id: str,
        api_token: str,
        kinds: list[str],
        limit: float,
        forward: str | None,
    ) -> bool:
        """Under the lease: refresh those of ``kinds`` still due."""
        states = await run_in_threadpool(self._states, connection_id, kinds)
        kinds = [k for k in stale_kinds(states, kinds, time.time(), limit) if k in kinds]
        if not kinds:
            return False
        for kind in kinds:
            if kind != ME:  # refreshed with the user, or dropped with the mirror?
                states = await run_in_threadpool(self._states, connection_id, [kind])
                if fresh(states.get(kind), time.time(), limit):
                    continue
            state = states.get(kind)
            if kind == ME and state is None and forward == rules.LISTINGS[ME]:
                # the first fill of the user for a read of /me: ask exactly that, so
                # that a refusal is the caller's own answer, not asked twice
                await self._refresh_user(connection_id, api_token, time.time(), alone=True)
                continue
            await self._refresh_kind(connection_id, api_token, kind, state)
        return True

    async def _leased(self, connection_id: str, holder: str) -> bool:
        try:
            return await run_in_threadpool(self._lease, connection_id, holder)
        except store.MirrorGone as exc:
            self.forget(connection_id)
            raise RefreshFailed("the connection was deleted") from exc

    def _lease(self, connection_id: str, holder: str) -> bool:
        with self.db.write() as session:
            return store.try_lease(session, connection_id, holder, time.time(), rules.LEASE_SECONDS)

    def _release(self, connection_id: str, holder: str) -> None:
        with self.db.write() as session:
            store.release_lease(session, connection_id, holder)

    async def _get(self, connection_id: str, api_token: str, target: str) -> tuple[Fetched, Any]:
        path = urlsplit(target).path
        if not may_spend(await run_in_threadpool(self.ledger.headroom, connection_id, [path])):
            raise RefreshFailed("the quota is down to the requests kept for writes")
        try:
            fetched = await self.fetch(connection_id, api_token, target)
        except Exception as exc:  # noqa: BLE001 - any way of not answering
            raise RefreshFailed(f"the upstream did not answer ({type(exc).__name__})") from exc
        await self.ledger.observe(connection_id, path, fetched.headers)
        if fetched.status != 200:
            raise RefreshFailed(f"the upstream answered {fetched.status}", fetched, target)
        try:
            return fetched, fetched.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RefreshFailed("the upstream answered text that is not UTF-8") from exc

    async def _refresh_kind(
        self, connection_id: str, api_token: str, kind: str, state: ShieldKind | None
    ) -> None:
        started = time.time()
        if kind == ME:
            await self._refresh_user(connection_id, api_token, started)
        elif kind in CATALOGS:
            await self._refresh_catalog(connection_id, api_token, kind, state, started)
        elif state is None or state.since is None or state.covered_from is None:
            await self._fill_entries(connection_id, api_token, started)
        else:
            target = rules.changes_target(state.since)
            _, text = await self._get(connection_id, api_token, target)
            items = _items(text)
            await run_in_threadpool(
                self._merge, connection_id, digest(api_token), items, started, state.since
            )

    async def _refresh_user(
        self, connection_id: str, api_token: str, started: float, *, alone: bool = False
    ) -> tuple[str, ...]:
        """The user, with ``with_related_data``: the same one request also lists whole every
        related kind the mirror holds in listing order (tags, clients, projects), so they are
        refreshed together. A user other than the one held (a reconnect to another Toggl
        account) drops the whole mirror first. Returns the kinds refreshed besides the user.
        ``alone``: the user only, with ``/me``."""
        if alone or connection_id in self._plain_user:
            _, text = await self._get(connection_id, api_token, rules.LISTINGS[ME])
            await run_in_threadpool(
                self._save_user,
                connection_id,
                digest(api_token),
                _items(text, single=True),
                {},
                started,
                0.0,
            )
            return ()
        carried = await run_in_threadpool(self._carried, connection_id)
        fetched, text = await self._get(connection_id, api_token, rules.RELATED)
        clock = _upstream_clock(fetched.headers, time.time())
        found = members(text)
        if found is None:
            raise RefreshFailed("the upstream answered something other than an object")
        if not rules.related_in_place([key for key, _ in found]):
            # not Toggl's shape: the user is asked as /me from now on, alone
            log.info("shield asks %s for the user alone: related lists out of place", connection_id)
            self._plain_user.add(connection_id)
            return await self._refresh_user(connection_id, api_token, started)
        user_text = join_object([m for m in found if m[0] not in rules.RELATED_KEYS])
        items = _items(user_text, single=True)
        lists: dict[str, list[store.Item]] = {}
        for kind in carried:
            raw = value_text(found, rules.RELATED_LISTS[kind])
            listed = [] if raw == "null" else parse_objects(raw) if raw is not None else None
            if listed is not None:
                lists[kind] = listed

        return await run_in_threadpool(
            self._save_user, connection_id, digest(api_token), items, lists, started, clock
        )

    def _save_user(
        self,
        connection_id: str,
        credential: str,
        items: list[store.Item],
        lists: dict[str, list[store.Item]],
        started: float,
        clock: float,
    ) -> tuple[str, ...]:
        """Hold the user (after checking it is the one held: another drops the mirror first)
        and the related kinds listed with it; the kinds held besides the user."""
        user_id = items[0][1].get("id")
        if not isinstance(user_id, int):
            raise RefreshFailed("the upstream answered a user without an id")
        with self.db.write() as session:
            store.require_bound(session, connection_id, credential, verifying=True)
            if store.verify_user(session, connection_id, user_id):
                log.info("shield dropped the mirror of %s: another Toggl user", connection_id)
                lists = {}  # held in an order not verified for this user
            state = store.replace_kind(session, connection_id, ME, items, started)
            state.listed_at, state.dirty_at = started, None
            for kind, listed in lists.items():
                before = session.get(ShieldKind, (connection_id, kind))
                listed_at = started if before is None else before.listed_at
                self._save_whole(session, connection_id, kind, listed, started, clock)
                store.renumber(session, connection_id, kind)
                # the related lists are in an order of their own: the kind's own whole
                # listing stays due on its clock, to check the order held by rule
                store.touch_kind(session, connection_id, kind, started).listed_at = listed_at
        return tuple(lists)

    def _carried(self, connection_id: str) -> list[str]:
        """The related kinds a refresh of the user lists whole too: those not held yet, and
        those held in the order their own listings give (so they can be placed by rule)
        whose own whole listing is not due."""
        now = time.time()
        with self.db.read() as session:
            held = store.kind_states(session, connection_id, rules.RELATED_LISTS)
            return [
                kind
                for kind in rules.RELATED_LISTS
                if kind not in held
                or self._related_may_list(session, connection_id, held[kind], now)
            ]

    @staticmethod
    def _related_may_list(
        session: Session, connection_id: str, state: ShieldKind, now: float
    ) -> bool:
        """Whether a held kind may be listed from the user's related lists: it follows the
        listing order, and its own listing (which checks that order) is not due yet."""
        if state.listed_at is None or now - state.listed_at > rules.FULL_LISTING_SECONDS:
            return False
        return store.in_listing_order(session, connection_id, state.kind)

    async def _refresh_catalog(
        self,
        connection_id: str,
        api_token: str,
        kind: str,
        state: ShieldKind | None,
        started: float,
    ) -> None:
        """List a catalog kind whole, or ask for its changes since the newest ``at`` held; under
        ``/me`` (the user's bucket) or workspace by workspace (their organizations' buckets),
        wherever more is left."""
        whole = state is None or rules.needs_whole_listing(
            kind, state.since, state.listed_at, state.dirty_at, started
        )
        placeable = state is not None and await run_in_threadpool(
            self._placeable, connection_id, kind
        )
        whole = whole or not placeable
        since = None if whole or state is None else state.since
        mine = [rules.LISTINGS[kind] if since is None else rules.since_target(kind, since)]
        theirs: list[tuple[int, str]] = []
        if placeable:
            theirs = await run_in_threadpool(self._by_workspace, connection_id, kind, since)
        steer = bool(theirs) and await run_in_threadpool(
            self._prefers, connection_id, mine[0], theirs
        )
        if steer:
            listed = await self._list_by_workspace(connection_id, api_token, kind, theirs)
            if listed is not None:
                clock, by_workspace = listed
                await run_in_threadpool(
                    self._save_catalog,
                    connection_id,
                    digest(api_token),
                    kind,
                    by_workspace,
                    whole,
                    started,
                    clock,
                )
                return
        if kind in rules.RELATED_LISTS and state is not None:
            related = await run_in_threadpool(self._may_relate, connection_id, state)
            if related and kind in await self._refresh_user(connection_id, api_token, started):
                return
        fetched, text = await self._get(connection_id, api_token, mine[0])
        clock = _upstream_clock(fetched.headers, time.time())
        items: dict[int | None, list[store.Item]] = {None: _items(text)}
        await run_in_threadpool(
            self._save_catalog, connection_id, digest(api_token), kind, items, whole, started, clock
        )

    def _may_relate(self, connection_id: str, state: ShieldKind) -> bool:
        with self.db.read() as session:
            return self._related_may_list(session, connection_id, state, time.time())

    def _placeable(self, connection_id: str, kind: str) -> bool:
        """Changes can be placed in the listing by rule (and so fetched apart from it)."""
        if kind not in rules.SINCE_LISTINGS:
            return False
        with self.db.read() as session:
            return store.in_listing_order(session, connection_id, kind)

    def _by_workspace(
        self, connection_id: str, kind: str, since: float | None
    ) -> list[tuple[int, str]]:
        """The workspace listings that would fetch ``kind`` instead of ``/me``; none when the
        kind has none or the mirror holds no workspaces."""
        with self.db.read() as session:
            held = store.held(session, connection_id, [WORKSPACES]).get(WORKSPACES, [])
        found: list[tuple[int, str]] = []
        for workspace in held:
            target = rules.workspace_listing(kind, workspace.object_id, since)
            if workspace.deleted or target is None:
                continue
            found.append((workspace.object_id, target))
        return sorted(found)

    def _prefers(self, connection_id: str, mine: str, theirs: list[tuple[int, str]]) -> bool:
        """Whether the workspaces' buckets have more left for refreshes than the user's (on a
        tie the user's: one request instead of one per workspace)."""
        paths = [urlsplit(target).path for _, target in theirs]
        user = self.ledger.headroom(connection_id, [urlsplit(mine).path])
        organizations = self.ledger.headroom(connection_id, paths)
        return may_spend(organizations) and organizations > user

    async def _list_by_workspace(
        self, connection_id: str, api_token: str, kind: str, targets: list[tuple[int, str]]
    ) -> tuple[float, dict[int | None, list[store.Item]]] | None:
        """Each workspace's listing; None when one is a full page (more than one page would
        be needed: the ``/me`` listing is asked instead)."""
        found: dict[int | None, list[store.Item]] = {}
        clock = math.inf
        for workspace_id, target in targets:
            fetched, text = await self._get(connection_id, api_token, target)
            clock = min(clock, _upstream_clock(fetched.headers, time.time()))
            items = _items(text)
            if kind == rules.PROJECTS and len(items) >= rules.WORKSPACE_PAGE:
                return None
            found[workspace_id] = items
        return clock, found

    def _save_catalog(
        self,
        connection_id: str,
        credential: str,
        kind: str,
        listed: dict[int | None, list[store.Item]],
        whole: bool,
        started: float,
        clock: float,
    ) -> None:
        """Store what a catalog refresh brought: a whole listing replaces the kind; changes
        are merged (the newer ``at`` wins); a workspace listed whole replaces that workspace's
        objects. Then ``since`` moves to the newest ``at`` seen, less a second."""
        everything = [item for items in listed.values() for item in items]
        with self.db.write() as session:
            store.require_bound(session, connection_id, credential)
            if whole:
                self._save_whole(session, connection_id, kind, everything, started, clock)
                if None not in listed:
                    store.renumber(session, connection_id, kind)
                return
            state = session.get(ShieldKind, (connection_id, kind))
            previous = None if state is None else state.since
            for workspace_id, items in listed.items():
                if workspace_id is not None and kind != rules.PROJECTS:
                    store.replace_workspace(session, connection_id, kind, workspace_id, items)
                else:
                    store.merge_objects(session, connection_id, kind, items)
            store.renumber(session, connection_id, kind)
            state = store.touch_kind(session, connection_id, kind, started)
            state.since = _since(previous, everything, clock)

    @staticmethod
    def _save_whole(
        session: Session,
        connection_id: str,
        kind: str,
        items: list[store.Item],
        started: float,
        clock: float,
    ) -> None:
        """A kind listed whole: held as listed, changes asked from its newest ``at`` on."""
        state = store.replace_kind(session, connection_id, kind, items, started)
        state.listed_at, state.dirty_at = started, None
        if kind in rules.SINCE_LISTINGS:
            state.since = _since(None, items, clock)

    async def _fill_entries(self, connection_id: str, api_token: str, started: float) -> None:
        begin, end = rules.fill_window(started)
        fetched, text = await self._get(connection_id, api_token, rules.fill_target(begin, end))
        clock = _upstream_clock(fetched.headers, time.time())
        items = _items(text)
        _, current = await self._get(connection_id, api_token, rules.CURRENT_ENTRY)
        if current.strip() != "null":
            items += _items(current, single=True)

        credential = digest(api_token)

        def save() -> None:
            with self.db.write() as session:
                store.require_bound(session, connection_id, credential)
                store.replace_kind(session, connection_id, TIME_ENTRIES, [], started)
                store.merge_entries(session, connection_id, items)
                state = store.touch_kind(session, connection_id, TIME_ENTRIES, started)
                state.covered_from = begin
                state.changes_from = math.floor(clock) + 1
                state.since = rules.next_since(math.floor(clock) - 1, _newest(items))
                state.dirty_at = None

        await run_in_threadpool(save)

    def _merge(
        self,
        connection_id: str,
        credential: str,
        items: list[store.Item],
        started: float,
        since: float,
    ) -> None:
        with self.db.write() as session:
            store.require_bound(session, connection_id, credential)
            store.merge_entries(session, connection_id, items)
            state = store.touch_kind(session, connection_id, TIME_ENTRIES, started)
            state.since = rules.next_since(since, _newest(items))


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


def _since(previous: float | None, items: list[store.Item], clock: float) -> float:
    """Where the next ``since`` listing starts: the newest ``at`` seen less a second (the
    upstream's clock), never earlier than before; the upstream's own time less a second when
    nothing was seen."""
    since = rules.next_since(previous, _newest(items))
    return since if since is not None else math.floor(clock) - 1


def _newest(items: list[store.Item]) -> float | None:
    stamps = [s for s in (epoch(value.get("at")) for _, value in items) if s is not None]
    return max(stamps) if stamps else None
