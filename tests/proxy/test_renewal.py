"""Keys and connection choices in use are renewed before they expire, from the database: a
renewal never stretches what memory holds past the revocation promise (a key revoked, a
connection re-connected or deleted in another replica shows within 5 s)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from tests.proxy.conftest import Gate
from trackgate import ttlcache
from trackgate.crypto import digest
from trackgate.gateway.auth import KEY_CACHE_SECONDS, KeyVerifier
from trackgate.gateway.credential_store import seal_credential
from trackgate.gateway.keys import revoke_key
from trackgate.gateway.routing import ConnectionRouter
from trackgate.gateway.state import CREDENTIAL_CACHE_SECONDS, GatewayState
from trackgate.runtime import Runtime
from trackgate.storage.models import ApiKey, Connection

APP = "toggl-track"


class Clock:
    """The caches' clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ttlcache, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


async def _renewals(flights: object) -> None:
    """Wait for the background renewals that were started."""
    pending = list(getattr(flights, "_background"))  # noqa: B009 - the test looks inside
    if pending:
        await asyncio.gather(*pending)


async def test_a_renewed_choice_holds_the_credential_the_database_has_now(
    runtime: Runtime, gate: Gate, clock: Clock
):
    state = GatewayState(runtime=runtime, keys=KeyVerifier(runtime))
    router = ConnectionRouter(state)
    first = await router.choose(gate.account.account_id, APP, None)
    with runtime.db.write() as session:  # re-connected by another replica
        row = session.get(Connection, gate.connection_id)
        assert row is not None
        row.credential_ciphertext = seal_credential(runtime.keyring, row.id, "tok-new")
    clock.now += CREDENTIAL_CACHE_SECONDS - 0.5
    # near its expiry the choice still comes from memory, and a renewal starts
    assert (await router.choose(gate.account.account_id, APP, None)).api_token == first.api_token
    await _renewals(router._loads)
    clock.now += 0.4  # the first load's entry would still be live: the renewal replaced it
    renewed = await router.choose(gate.account.account_id, APP, None)
    assert renewed.api_token == "tok-new"
    assert renewed.authorization != first.authorization


async def test_a_key_revoked_elsewhere_is_dropped_by_its_renewal(
    runtime: Runtime, gate: Gate, clock: Clock
):
    keys = KeyVerifier(runtime)
    key = gate.account.api_key
    with runtime.db.read() as session:
        key_id = session.query(ApiKey.id).filter(ApiKey.key_digest == digest(key)).scalar()
    assert key_id is not None
    caller = await asyncio.to_thread(_verify, keys, key)
    assert keys.cached(key, digest(key)) == caller
    with runtime.db.write() as session:  # revoked by another replica
        revoke_key(session, key_id)
    clock.now += KEY_CACHE_SECONDS - 0.5
    assert keys.cached(key, digest(key)) == caller  # still within the promise
    await _renewals(keys._loads)
    assert keys.cached(key, digest(key)) is None  # gone before its 5 s were up


def _verify(keys: KeyVerifier, key: str) -> object:
    """A first verification, as the proxy's miss path makes it."""
    from starlette.requests import HTTPConnection

    scope = {
        "type": "http",
        "headers": [(b"authorization", f"Bearer {key}".encode())],
        "client": ("127.0.0.1", 1),
    }
    return keys.caller(HTTPConnection(scope))
