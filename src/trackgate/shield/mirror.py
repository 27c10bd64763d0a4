"""The quota shield at work, driven by the proxy: answers reads from the connection's mirror
when it can (refreshing first what is too old, see :mod:`.refresh`), keeps what reads that
passed through answered, patches the mirror after writes, and records the quota the upstream
reports (:mod:`.ledger`).

The proxy gives it one way to reach the upstream (``fetch``: a paced GET with the connection's
credential, its answer decoded and cleaned of the credential).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from trackgate.crypto import digest
from trackgate.invalidation import CONNECTION, EVERYTHING, Invalidation, Invalidations
from trackgate.shield import rules, store
from trackgate.shield.hot import Copy, HotCopies, read_copy
from trackgate.shield.keep import AnswerKeeper, kind_of
from trackgate.shield.ledger import QuotaLedger
from trackgate.shield.quota import Reported
from trackgate.shield.reads import Coverage, Read, View, plan
from trackgate.shield.refresh import (
    Fetch,
    Fetched,
    Headers,
    Refresher,
    RefreshFailed,
    stale_kinds,
)
from trackgate.shield.rules import TIME_ENTRIES
from trackgate.shield.writes import WritePatcher
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldKind
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.shield")

__all__ = ["BYPASS", "Fetched", "QuotaShield", "Served", "cache_control"]

HIT, MISS, BYPASS, STALE = "hit", "miss", "bypass", "stale"
#: bytes of hot copies a process keeps when no setting says otherwise
DEFAULT_MEMORY = 64 * 1024 * 1024


@dataclass(frozen=True)
class Served:
    body: bytes
    cache: str
    age: int


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


class QuotaShield:
    def __init__(
        self,
        db: Database,
        max_age: float,
        fetch: Fetch,
        invalidations: Invalidations | None = None,
        memory: int = DEFAULT_MEMORY,
    ) -> None:
        self.db = db
        self.max_age = max_age
        self.ledger = QuotaLedger(db)
        self.refresher = Refresher(db, fetch, self.ledger, self._forget)
        self.writes = WritePatcher(db)
        self.keeper = AnswerKeeper(db)
        #: the credential (digest) each connection's mirror was last bound to by this
        #: process: a hint that saves a write per read, never trusted to serve (see _view)
        self._known: dict[str, str] = {}
        self.hot = HotCopies(memory)
        if invalidations is not None:
            invalidations.subscribe(self._dropped)
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
        credential = digest(api_token)
        await self._ensure(connection_id, credential)
        unfillable = self._unfillable.get
        if any(unfillable((connection_id, k)) for k in read.kinds):
            # a kind's first fill failed lately, so the check below would pass this read
            # through once the states were read: skip the database read on every such call
            return None
        now = time.time()
        copy = await self._copy(connection_id, read.kinds, credential)
        if copy is None:
            return None
        states = copy.states
        if not read.viable(_coverage(states.get(TIME_ENTRIES))):
            return None
        stale = stale_kinds(states, read.kinds, now, limit)
        if any(k not in states and self._unfillable.get((connection_id, k)) for k in stale):
            return None
        outcome = HIT
        if stale:
            try:
                refreshed = await self.refresher.refresh(
                    connection_id, api_token, stale, limit, forward
                )
                outcome = MISS if refreshed else HIT
            except RefreshFailed as exc:
                if store.UNVERIFIED in states or any(k not in states for k in read.kinds):
                    # nothing to fall back on (or only a mirror perhaps of another user): the
                    # caller's own call goes through, unless the refresh was that very call
                    for kind in stale:
                        if kind not in states:
                            self._unfillable.put((connection_id, kind), True)
                    return exc.answer if exc.target == forward else None
                log.info("shield serves stale for %s: %s", connection_id, exc)
                outcome = STALE
            copy = await self._copy(connection_id, read.kinds, credential)  # as refreshed
            if copy is None:
                return None
        if not copy.verified:
            return None  # the user behind a new credential is not checked yet
        view = View(
            {k: copy.objects.get(k, []) for k in read.kinds},
            _coverage(copy.states.get(TIME_ENTRIES)),
        )
        body = read.answer(view)
        if body is None:
            return None
        fetched = [_current_as_of(copy.states[k]) for k in read.kinds if k in copy.states]
        oldest = min(fetched, default=time.time())
        return Served(body, outcome, max(0, math.floor(time.time() - oldest)))

    async def _copy(
        self, connection_id: str, kinds: tuple[str, ...], credential: str
    ) -> Copy | None:
        """The mirror's ``kinds`` as the database holds them now, for ``credential``: from this
        process's hot copy when the mirror row's mark is the copy's (one read of one row), else
        read anew. None when the mirror is bound to another credential even after binding it
        to this one again (re-authorised meanwhile), or changed while it was read."""
        mark = await self._mark(connection_id)
        if mark is None or mark.credential_digest != credential:
            # another process bound the mirror to another credential since this one last
            # did: bind it to this call's again (a new generation, its user checked first)
            self._known.pop(connection_id, None)
            await self._ensure(connection_id, credential)
            mark = await self._mark(connection_id)
            if mark is None or mark.credential_digest != credential:
                return None
        copy = self.hot.get(connection_id, mark, kinds)
        if copy is not None:
            return copy
        copy = await run_in_threadpool(self._read_copy, connection_id, kinds)
        if copy is None or copy.mark.credential_digest != credential:
            return None
        self.hot.put(connection_id, copy)
        return copy

    async def _mark(self, connection_id: str) -> store.Mark | None:
        if self.db.is_sqlite:  # one indexed row of a local file: no thread hop
            return store.mark(self.db, connection_id)
        return await run_in_threadpool(store.mark, self.db, connection_id)

    def _read_copy(self, connection_id: str, kinds: tuple[str, ...]) -> Copy | None:
        with self.db.read() as session:
            return read_copy(session, connection_id, kinds)

    def _forget(self, connection_id: str) -> None:
        self._known.pop(connection_id, None)
        self.hot.drop(connection_id)

    def _dropped(self, change: Invalidation) -> None:
        """A connection re-authorised, failed or deleted (here or in another process): the
        next read binds the mirror again instead of trusting what this process last saw."""
        if change.kind == EVERYTHING:
            self._known.clear()
            self.hot.clear()
        elif change.kind == CONNECTION:
            self._known.pop(change.id, None)
            self.hot.drop(change.id)

    async def _ensure(self, connection_id: str, credential: str) -> None:
        if self._known.get(connection_id) == credential:
            return
        try:
            await run_in_threadpool(self._ensure_row, connection_id, credential)
        except IntegrityError:
            await run_in_threadpool(self._ensure_row, connection_id, credential)
        self._known[connection_id] = credential

    def _ensure_row(self, connection_id: str, credential: str) -> None:
        with self.db.write() as session:
            store.ensure_mirror(session, connection_id, credential, time.time())

    # --- reads that passed through ----------------------------------------------------

    @staticmethod
    def keeps(method: str, forward: str) -> bool:
        """Whether the mirror keeps what this read's answer holds (see :mod:`.keep`)."""
        return method == "GET" and kind_of(forward) is not None

    async def kept(
        self, connection_id: str, api_token: str, forward: str, status: int, body: bytes
    ) -> None:
        """Keep what a read that passed through answered, if the upstream answered it (and
        the mirror is bound to the credential it was asked with)."""
        if status == 200:
            await self.keeper.kept(connection_id, digest(api_token), forward, body)

    # --- writes --------------------------------------------------------------------------

    @staticmethod
    def wants_answer(method: str, forward: str) -> bool:
        """Whether the mirror needs the body of this write's answer."""
        return WritePatcher.wants_answer(method, forward)

    async def wrote(
        self,
        connection_id: str,
        api_token: str,
        method: str,
        forward: str,
        status: int,
        body: bytes | None,
    ) -> None:
        """Apply a write the upstream accepted (see :mod:`trackgate.shield.writes`)."""
        credential = digest(api_token)
        await self.writes.wrote(connection_id, credential, method, forward, status, body)

    # --- quota ---------------------------------------------------------------------------

    async def observe(self, connection_id: str, path: str, headers: Headers) -> None:
        """Record the quota an upstream answer reports, in the bucket its path was charged."""
        await self.ledger.observe(connection_id, path, headers)

    async def record_quota(self, connection_id: str, path: str, quota: Reported) -> None:
        """:meth:`observe` with the headers already read (see :func:`.quota.reported`)."""
        await self.ledger.record(connection_id, path, quota)


def _coverage(entries: ShieldKind | None) -> Coverage:
    if entries is None:
        return Coverage()
    return Coverage(entries.covered_from, entries.changes_from)


def _current_as_of(state: ShieldKind) -> float:
    """When a kind was last known current: now while events keep it so, else its refresh."""
    now = time.time()
    if state.events_until is not None and now <= state.events_until:
        return now
    return state.fetched_at
