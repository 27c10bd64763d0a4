"""Who is calling the gateway: ``Bearer <key>``, or Basic with the key as user name and
``api_token`` as password (so Toggl clients work by changing base URL and token only).

Verified keys are remembered for a few seconds: a revoked key stops working at once in the
process that revoked it, within a second in every replica that hears of it through Redis
(:mod:`trackgate.invalidation_bus`), and within :data:`REVOCATION_SECONDS` in any case.
An address over the failure limit is still served with a valid key (checking one is a digest
look-up); only its wrong keys get 429, so a guesser cannot lock out its neighbours.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from trackgate.basic_auth import parse_basic, parse_bearer
from trackgate.crypto import digest
from trackgate.gateway.errors import GatewayError, too_many, unauthorized
from trackgate.gateway.keys import LiveKey, account_for_key, note_use, use_is_stale
from trackgate.invalidation import ACCOUNT, EVERYTHING, KEY, Invalidation
from trackgate.netaddr import client_address
from trackgate.runtime import Runtime
from trackgate.singleflight import SingleFlight
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.auth")

#: The promise: a revoked key, and a deleted or re-connected connection, stop working in every
#: running server within this many seconds. No cache of either may outlive it.
REVOCATION_SECONDS = 5.0
KEY_CACHE_SECONDS = REVOCATION_SECONDS
#: A key or connection choice used this close to its expiry is loaded again in the background
#: (each load is fresh from the database, so nothing is served longer than the promise).
REFRESH_AHEAD_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class GatewayCaller:
    account_id: str
    key_id: str
    #: what the key may do (see :mod:`trackgate.gateway.scopes`), cached with the key
    scopes: frozenset[str] = frozenset()
    #: upstream requests per hour the key may cause; None: no budget
    budget: int | None = None


def presented_key(header: str | None) -> str | None:
    if not header:
        return None
    bearer = parse_bearer(header)
    if bearer:
        return bearer
    basic = parse_basic(header)
    if basic and basic[1] == "api_token" and basic[0]:
        return basic[0]
    return None


class KeyVerifier:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.cache: TtlCache[str, GatewayCaller] = TtlCache(KEY_CACHE_SECONDS)
        self._loads: SingleFlight[GatewayCaller] = SingleFlight()
        runtime.invalidations.subscribe(self._invalidate)

    def _invalidate(self, change: Invalidation) -> None:
        if change.kind == KEY:
            self.forget(change.id)
        elif change.kind == ACCOUNT:
            self.cache.discard_where(lambda caller: caller.account_id == change.id)
        elif change.kind == EVERYTHING:
            self.cache.clear()

    async def caller_shared(self, conn: HTTPConnection, key_digest: str) -> GatewayCaller:
        """:meth:`caller` off the event loop, once for all calls that present the same key
        while it is being looked up."""
        client = client_address(conn, self.runtime.settings.trusted_proxies)
        flight = (key_digest, client)  # each address is judged on its own
        return await self._loads.run(flight, lambda: self.caller(conn))

    def cached(self, key: str, key_digest: str) -> GatewayCaller | None:
        """The caller for a key, from memory; one near its expiry is looked up again in the
        background (a key no longer live is dropped, and its next call is judged afresh)."""
        caller, due = self.cache.get_fresh(key_digest, REFRESH_AHEAD_SECONDS)
        if caller is not None and due:
            generation = self.runtime.invalidations.generation  # noted before the read

            def renew(found: GatewayCaller) -> None:
                if self.runtime.invalidations.unchanged_since(generation):  # else maybe stale
                    self.cache.put(key_digest, found)

            self._loads.refresh(
                ("refresh", key_digest),
                lambda: self._live(key),
                renew,
                lambda _: self.cache.pop(key_digest),
            )
        return caller

    def _live(self, key: str) -> GatewayCaller:
        """The key's caller as the database has it now; LookupError if it is not live."""
        with self.runtime.db.read() as session:
            found = account_for_key(session, key)
        if found is None:
            raise LookupError("the key is not live")
        self._note_use(found)
        return _caller(found)

    def _note_use(self, found: LiveKey) -> None:
        """Write the key's last use when the stored one is old; never fails a call."""
        if not use_is_stale(found):
            return
        try:
            with self.runtime.db.write() as session:
                note_use(session, found.key_id)
        except Exception as exc:  # noqa: BLE001 - a busy database costs the note, not the call
            log.warning("key use not noted: %s", exc.__class__.__name__)

    def forget(self, key_id: str) -> None:
        """Called by whoever revokes a key in this process: it stops working at once."""
        self.cache.discard_where(lambda caller: caller.key_id == key_id)

    def caller(self, conn: HTTPConnection) -> GatewayCaller:
        """The calling account, or a 401 / 429 GatewayError."""
        key = presented_key(conn.headers.get("authorization"))
        if key is None:
            raise unauthorized()
        key_digest = digest(key)
        cached = self.cache.get(key_digest)
        if cached is not None:
            return cached
        client = client_address(conn, self.runtime.settings.trusted_proxies)
        failures = self.runtime.failures
        generation = self.runtime.invalidations.generation
        with self.runtime.db.read() as session:
            found = account_for_key(session, key)
        if found is None:
            blocked = failures.blocked(client)
            failures.failed(client)
            if blocked:
                raise too_many(
                    "too_many_failures",
                    "Too many failed authentications from this address",
                    failures.retry_after(client),
                )
            raise unauthorized()
        self._note_use(found)
        caller = _caller(found)
        if self.runtime.invalidations.unchanged_since(generation):  # else it may be stale
            self.cache.put(key_digest, caller)
        return caller


def _caller(found: LiveKey) -> GatewayCaller:
    return GatewayCaller(found.account_id, found.key_id, found.scopes, found.budget)


__all__ = ["GatewayCaller", "GatewayError", "KeyVerifier", "presented_key"]
