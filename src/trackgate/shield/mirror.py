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
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from trackgate.crypto import digest
from trackgate.invalidation import CONNECTION, EVERYTHING, Invalidation, Invalidations
from trackgate.shield import rules, store
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
    states_in,
)
from trackgate.shield.rules import TIME_ENTRIES
from trackgate.shield.writes import WritePatcher
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldKind
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.shield")

__all__ = ["BYPASS", "Fetched", "QuotaShield", "Served", "cache_control"]

HIT, MISS, BYPASS, STALE = "hit", "miss", "bypass", "stale"


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
        states, bound = await run_in_threadpool(self._states, connection_id, read.kinds)
        if bound is None or bound.credential_digest != credential:
            # another process bound the mirror to another credential since this one last
            # did: bind it to this call's again (a new generation, its user checked first)
            self._known.pop(connection_id, None)
            await self._ensure(connection_id, credential)
            states, bound = await run_in_threadpool(self._states, connection_id, read.kinds)
            if bound is None or bound.credential_digest != credential:
                return None  # re-authorised again meanwhile: this call asks the upstream
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
        found = await run_in_threadpool(self._view, connection_id, read.kinds, credential)
        if found is None:
            return None
        view, oldest = found
        body = read.answer(view)
        if body is None:
            return None
        return Served(body, outcome, max(0, math.floor(time.time() - oldest)))

    def _states(
        self, connection_id: str, kinds: Iterable[str]
    ) -> tuple[dict[str, ShieldKind], store.Binding | None]:
        with self.db.read() as session:
            bound = store.binding(session, connection_id)
            return states_in(session, connection_id, kinds), bound

    def _forget(self, connection_id: str) -> None:
        self._known.pop(connection_id, None)

    def _dropped(self, change: Invalidation) -> None:
        """A connection re-authorised, failed or deleted (here or in another process): the
        next read binds the mirror again instead of trusting what this process last saw."""
        if change.kind == EVERYTHING:
            self._known.clear()
        elif change.kind == CONNECTION:
            self._known.pop(change.id, None)

    def _view(
        self, connection_id: str, kinds: tuple[str, ...], credential: str
    ) -> tuple[View, float] | None:
        """What the mirror holds of ``kinds``, if it holds it for ``credential``: bound to it,
        its user checked, and no reconnect between the first look and the last (else None)."""
        with self.db.read() as session:
            bound = store.binding(session, connection_id)
            if bound is None or not bound.serves(credential):
                return None
            states = store.kind_states(session, connection_id, kinds)
            objects = store.held(session, connection_id, kinds)
            if store.binding(session, connection_id) != bound:
                return None
        coverage = _coverage(states.get(TIME_ENTRIES))
        oldest = min((s.fetched_at for s in states.values()), default=time.time())
        return View(objects, coverage), oldest

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
