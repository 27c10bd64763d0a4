"""Which connection a proxied call uses, and its decrypted credential -- from memory when it can.

The choice (``Maton-Connection``, else the account's oldest ACTIVE connection) and the token
are cached for a few seconds, so the hot path neither queries the database nor decrypts. The
token lives in the shared ``state.credentials`` cache. Whoever changes or deletes a connection
announces it (:mod:`trackgate.invalidation`): every process drops the token and the choices
that named it, and a cached choice whose token is gone is looked up again.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from trackgate.crypto import DecryptError, KeyUnavailable
from trackgate.gateway import scopes as scope_names
from trackgate.gateway.auth import REFRESH_AHEAD_SECONDS, GatewayCaller
from trackgate.gateway.connections import owned_connection
from trackgate.gateway.credential_store import open_credential
from trackgate.gateway.errors import GatewayError, bad_request, not_found
from trackgate.gateway.state import CREDENTIAL_CACHE_SECONDS, GatewayState
from trackgate.invalidation import ACCOUNT, CONNECTION, EVERYTHING, Invalidation
from trackgate.singleflight import SingleFlight
from trackgate.storage.models import Connection
from trackgate.storage.types import utcnow
from trackgate.ttlcache import TtlCache

log = logging.getLogger("trackgate.routing")


def basic_credential(api_token: str) -> str:
    """The ``Authorization`` value that presents a Toggl API token."""
    return "Basic " + base64.b64encode(f"{api_token}:api_token".encode()).decode()


@dataclass(frozen=True, slots=True)
class Chosen:
    connection_id: str
    api_token: str
    #: what the connection's owner granted: a key does no more with it than this
    scopes: frozenset[str]
    #: the header the upstream is called with, made once per choice rather than per call
    authorization: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "authorization", basic_credential(self.api_token))


def connection_not_found() -> GatewayError:
    return not_found("connection_not_found", "No such connection")


def connection_failed(connection: Connection) -> GatewayError:
    """A FAILED connection's calls: what broke, and where its reconnect link is."""
    reason = connection.failure_reason or "the upstream refused its credential: reconnect it"
    return bad_request(
        f"Connection {connection.id} is FAILED: {reason}. To reconnect it: "
        f"GET /connections/{connection.id} gives its connect url, for the account's owner "
        "to open",
        "connection_failed",
    )


class ConnectionRouter:
    def __init__(self, state: GatewayState) -> None:
        self.state = state
        #: (account id, app, requested connection id or "") -> the choice
        self.choices: TtlCache[tuple[str, str, str], Chosen] = TtlCache(CREDENTIAL_CACHE_SECONDS)
        #: a choice that expired under load is looked up once, not by every waiting call
        self._loads: SingleFlight[tuple[int, Chosen]] = SingleFlight()
        state.runtime.invalidations.subscribe(self._invalidate)

    def _invalidate(self, change: Invalidation) -> None:
        if change.kind == CONNECTION:
            self.state.credentials.pop(change.id)
            self.choices.discard_where(lambda chosen: chosen.connection_id == change.id)
            if change.account_id:  # its account's default connection may be another now
                self.choices.discard_keys_where(lambda key: key[0] == change.account_id)
        elif change.kind == ACCOUNT:
            self.choices.discard_keys_where(lambda key: key[0] == change.id)
        elif change.kind == EVERYTHING:
            self.choices.clear()
            self.state.credentials.clear()

    def cached(self, account_id: str, app: str, requested: str | None) -> Chosen | None:
        """The choice from memory (renewed in the background near its expiry), or None."""
        key = (account_id, app, requested or "")
        cached, due = self.choices.get_fresh(key, REFRESH_AHEAD_SECONDS)
        if cached is not None:
            token = self.state.credentials.get(cached.connection_id)
            if token == cached.api_token:
                if due:
                    self._loads.refresh(
                        ("refresh", key),
                        lambda: self._load_noted(account_id, app, requested, fresh=True),
                        lambda noted: self._keep(key, noted),
                        lambda _: self.choices.pop(key),
                    )
                return cached
            # else connected again meanwhile (perhaps with another grant): looked up again
        return None

    async def choose(self, account_id: str, app: str, requested: str | None) -> Chosen:
        """The connection for this call, or a 404 / 400 GatewayError."""
        found = self.cached(account_id, app, requested)
        if found is not None:
            return found
        key = (account_id, app, requested or "")
        generation, chosen = await self._loads.run(
            key, lambda: self._load_noted(account_id, app, requested)
        )
        self._keep(key, (generation, chosen))
        return chosen

    async def granted(
        self, caller: GatewayCaller, app: str, requested: str | None
    ) -> frozenset[str]:
        """What the caller may do through the connection its calls would use: its key's scopes
        within the connection's grant (the key's alone while it has no usable connection)."""
        try:
            chosen = await self.choose(caller.account_id, app, requested)
        except GatewayError:
            return caller.scopes
        return caller.scopes & chosen.scopes

    def _keep(self, key: tuple[str, str, str], noted: tuple[int, Chosen]) -> None:
        generation, chosen = noted
        if self.state.runtime.invalidations.unchanged_since(generation):  # else maybe stale
            self.state.credentials.put(chosen.connection_id, chosen.api_token)
            self.choices.put(key, chosen)

    def _load_noted(
        self, account_id: str, app: str, requested: str | None, fresh: bool = False
    ) -> tuple[int, Chosen]:
        """The choice, with the invalidation generation noted before it was read."""
        generation = self.state.runtime.invalidations.generation
        return generation, self._load(account_id, app, requested, fresh)

    def _load(
        self, account_id: str, app: str, requested: str | None, fresh: bool = False
    ) -> Chosen:
        """The choice from the database; ``fresh`` decrypts the credential even if it is in
        memory (a renewal must not extend what it holds past its expiry)."""
        with self.state.runtime.db.read() as session:
            if requested is not None:
                connection = owned_connection(session, account_id, requested)
                if connection is None or connection.app != app:
                    raise connection_not_found()
                if connection.status == "FAILED":
                    raise connection_failed(connection)
                if connection.status != "ACTIVE":
                    raise bad_request(
                        f"Connection {connection.id} is {connection.status}, not ACTIVE",
                        "connection_not_active",
                    )
            else:
                connection = session.scalars(
                    select(Connection)
                    .where(
                        Connection.account_id == account_id,
                        Connection.app == app,
                        Connection.status == "ACTIVE",
                    )
                    .order_by(Connection.created_at, Connection.id)
                    .limit(1)
                ).first()
                if connection is None:
                    failed = session.scalars(
                        select(Connection)
                        .where(
                            Connection.account_id == account_id,
                            Connection.app == app,
                            Connection.status == "FAILED",
                        )
                        .order_by(Connection.created_at, Connection.id)
                        .limit(1)
                    ).first()
                    if failed is not None:  # what the call would have used: say it broke
                        raise connection_failed(failed)
                    raise bad_request(
                        f"No ACTIVE connection for {app}; create one with POST /connections",
                        "no_connection",
                    )
            granted = scope_names.read_stored(connection.scopes)
            return Chosen(connection.id, self._token(connection, fresh), granted)

    def credential(self, connection: Connection) -> str:
        """The connection's credential, decrypted now (a 503 / 400 GatewayError if it cannot)."""
        return self._token(connection, fresh=True)

    def _token(self, connection: Connection, fresh: bool = False) -> str:
        cached = None if fresh else self.state.credentials.get(connection.id)
        if cached is not None:
            return cached
        try:
            if connection.credential_ciphertext is None:
                raise DecryptError("no credential stored")
            return open_credential(
                self.state.runtime.keyring, connection.id, connection.credential_ciphertext
            )
        except KeyUnavailable as exc:
            raise GatewayError(
                503,
                "keyring_reloading",
                "The server is loading a new encryption key; try again in a moment",
                {"Retry-After": "1"},
            ) from exc
        except DecryptError as exc:
            log.warning("connection %s: stored credential unreadable", connection.id)
            raise bad_request(
                "The connection's credential cannot be read; connect it again",
                "connection_not_active",
            ) from exc

    async def mark_failed(self, chosen: Chosen, reason: str) -> bool:
        """FAILED, if the connection still holds the credential the upstream refused."""
        account_id = await run_in_threadpool(self._mark_failed, chosen, reason)
        invalidated = Invalidation(CONNECTION, chosen.connection_id, account_id)
        if account_id is not None:  # every process stops using it
            self.state.runtime.invalidations.announce(invalidated)
        else:
            self._invalidate(invalidated)
        return account_id is not None

    def _mark_failed(self, chosen: Chosen, reason: str) -> str | None:
        """The connection's account if it is FAILED now, else None."""
        keyring = self.state.runtime.keyring
        with self.state.runtime.db.write() as session:
            connection = session.get(Connection, chosen.connection_id)
            if connection is None or connection.status != "ACTIVE":
                return None
            try:
                current = open_credential(
                    keyring, connection.id, connection.credential_ciphertext or ""
                )
            except DecryptError:
                current = None
            if current != chosen.api_token:  # re-authorised meanwhile: the new one may work
                return None
            connection.status = "FAILED"
            connection.failure_reason = reason
            connection.updated_at = utcnow()
            account_id = connection.account_id
        log.warning("connection %s is FAILED: %s", chosen.connection_id, reason)
        return account_id
