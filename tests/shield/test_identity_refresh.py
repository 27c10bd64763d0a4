"""Every way a refresh stores what it fetched checks, in the same transaction, that the mirror
is still bound to the credential it fetched with: a reconnect that lands while the upstream is
being asked (in this process or another) leaves nothing of the old credential's answer in the
mirror."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.shield.conftest import Shielded
from trackgate.crypto import digest
from trackgate.shield import rules, store
from trackgate.shield.ledger import QuotaLedger
from trackgate.shield.refresh import Fetched, Refresher, RefreshFailed
from trackgate.shield.rules import ME, PROJECTS, TAGS, TIME_ENTRIES
from trackgate.storage.models import ShieldObject


def _refresher(gw: Shielded, rebind_after: int | None) -> Refresher:
    """A refresher asking the embedded service with the connection's token; after
    ``rebind_after`` answers, each later fetch rebinds the mirror to another credential
    before it returns (a reconnect landing meanwhile)."""
    answered = 0

    async def fetch(connection_id: str, api_token: str, target: str) -> Fetched:
        nonlocal answered
        answer = gw.client.get(target, headers=gw.user.auth)
        answered += 1
        if rebind_after is not None and answered > rebind_after:
            with gw.runtime.db.write() as session:
                store.ensure_mirror(session, connection_id, digest("someone else"), time.time())
        return Fetched(answer.status_code, list(answer.headers.items()), answer.content)

    return Refresher(gw.runtime.db, fetch, QuotaLedger(gw.runtime.db), lambda _: None)


def _bind(gw: Shielded) -> None:
    with gw.runtime.db.write() as session:
        store.ensure_mirror(session, gw.connection_id, digest(gw.user.token), time.time())


def _held(gw: Shielded, kind: str) -> list[ShieldObject]:
    with gw.runtime.db.read() as session:
        return [
            row
            for row in session.query(ShieldObject).filter_by(
                connection_id=gw.connection_id, kind=kind
            )
        ]


@pytest.mark.parametrize("kind", [ME, TIME_ENTRIES, PROJECTS, TAGS])
def test_a_first_fill_rebound_meanwhile_stores_nothing(
    shielded: Callable[..., Shielded], kind: str
) -> None:
    gw = shielded()
    gw.start("the first user's timer")
    gw.direct("POST", f"/workspaces/{gw.wid}/projects", {"name": "Private"})
    _bind(gw)
    refresher = _refresher(gw, rebind_after=0)
    with pytest.raises(RefreshFailed, match="re-authorised"):
        asyncio.run(refresher.refresh(gw.connection_id, gw.user.token, [kind], 60.0))
    assert _held(gw, kind) == []


def test_changes_since_the_last_refresh_rebound_meanwhile_are_not_merged(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded()
    _bind(gw)
    asyncio.run(_refresher(gw, None).refresh(gw.connection_id, gw.user.token, [TIME_ENTRIES], 60))
    assert _held(gw, TIME_ENTRIES) == []
    gw.start("made after the fill", via="direct")
    time.sleep(1.1)  # a `since` listing sees changes a second or more old
    refresher = _refresher(gw, rebind_after=0)
    with pytest.raises(RefreshFailed, match="re-authorised"):
        asyncio.run(refresher.refresh(gw.connection_id, gw.user.token, [TIME_ENTRIES], 0.0))
    assert _held(gw, TIME_ENTRIES) == []


def test_the_user_check_itself_stores_nothing_when_rebound_meanwhile(
    shielded: Callable[..., Shielded],
) -> None:
    """The check of a reconnect's user (the one refresh allowed on an unchecked mirror) must
    hold the credential it fetched with too."""
    gw = shielded()
    _bind(gw)
    asyncio.run(_refresher(gw, None).refresh(gw.connection_id, gw.user.token, [ME], 60))
    with gw.runtime.db.write() as session:  # a reconnect: the same user, to be checked
        store.ensure_mirror(session, gw.connection_id, digest(gw.user.token + "x"), time.time())
        store.ensure_mirror(session, gw.connection_id, digest(gw.user.token), time.time())
    refresher = _refresher(gw, rebind_after=0)
    with pytest.raises(RefreshFailed, match="re-authorised"):
        asyncio.run(refresher.refresh(gw.connection_id, gw.user.token, [ME], 0.0, rules.RELATED))
    with gw.runtime.db.read() as session:
        assert store.is_unverified(session, gw.connection_id)
