"""The connections' health check (``TRACKGATE_CONNECTION_CHECK``): a broken credential found
without waiting for a call.

Off by default. Every process of the gateway runs one loop; each round it first notes in the
database when the upstream last accepted each connection's credential in this process (the
proxy keeps that in memory, so calls write nothing), then takes each ACTIVE connection not used
successfully for the interval with a conditional update of ``last_used_at`` -- so that, with
several replicas, one of them checks a given connection per interval -- and asks ``GET /me``
with its credential once, through the proxy's own upstream and pacing. A 401 or 403 makes it
FAILED as a refused call does (:meth:`ProxyEndpoint.mark_refused`); any other answer, or
none, leaves it as it is. A connection whose user bucket is down to the requests the quota
shield keeps for writes (:func:`trackgate.shield.quota.headroom`) is not asked, and not taken:
the next round looks again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from starlette.concurrency import run_in_threadpool

from trackgate.gateway.errors import GatewayError
from trackgate.gateway.proxy import ME_PATH, ProxyEndpoint
from trackgate.gateway.routing import ConnectionRouter
from trackgate.gateway.state import GatewayState
from trackgate.gateway.upstream import UpstreamError
from trackgate.shield.ledger import QuotaLedger
from trackgate.storage.models import Connection

log = logging.getLogger("trackgate.health")

#: A round at least this often, so that uses in other replicas are noted soon after they
#: happen (a long interval is still counted from each connection's last use).
MAX_ROUND_SECONDS = 60.0


def _idle_since(cutoff: datetime) -> ColumnElement[bool]:
    """Not used successfully since ``cutoff`` (never: not since it was stored)."""
    return or_(
        Connection.last_used_at < cutoff,
        and_(Connection.last_used_at.is_(None), Connection.updated_at < cutoff),
    )


class ConnectionHealth:
    def __init__(self, state: GatewayState, proxy: ProxyEndpoint, every: float) -> None:
        self.state = state
        self.proxy = proxy
        self.router: ConnectionRouter = proxy.router
        self.every = every
        self.ledger = QuotaLedger(state.runtime.db)

    async def run(self) -> None:
        pause = min(self.every, MAX_ROUND_SECONDS)
        while True:
            await asyncio.sleep(pause)
            try:
                await self.round()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the next round tries again
                log.warning("connection health check round failed: %s", type(exc).__name__)

    async def round(self) -> int:
        """One round: uses noted, idle connections checked; how many were asked."""
        used, self.proxy.used = self.proxy.used, {}
        now = datetime.now(UTC)
        cutoff = now - timedelta(seconds=self.every)
        due = await run_in_threadpool(self._due, used, cutoff)
        asked = 0
        for connection_id in due:
            if await self._check(connection_id, cutoff):
                asked += 1
        return asked

    def _due(self, used: dict[str, float], cutoff: datetime) -> list[str]:
        """Note the uses seen here; the ACTIVE connections idle since ``cutoff``."""
        db = self.state.runtime.db
        if used:
            with db.write() as session:
                for connection_id, at in used.items():
                    when = datetime.fromtimestamp(at, UTC)
                    session.execute(
                        update(Connection)
                        .where(
                            Connection.id == connection_id,
                            or_(Connection.last_used_at.is_(None), Connection.last_used_at < when),
                        )
                        .values(last_used_at=when)
                    )
        with db.read() as session:
            return list(
                session.scalars(
                    select(Connection.id)
                    .where(Connection.status == "ACTIVE", _idle_since(cutoff))
                    .order_by(Connection.created_at, Connection.id)
                )
            )

    def _take(self, connection_id: str, cutoff: datetime) -> str | None:
        """The connection's credential, if this process takes it for this interval's check
        (still ACTIVE and idle: no other replica took it, no call used it meanwhile)."""
        db = self.state.runtime.db
        with db.write() as session:
            taken = session.execute(
                update(Connection)
                .where(
                    Connection.id == connection_id,
                    Connection.status == "ACTIVE",
                    _idle_since(cutoff),
                )
                .values(last_used_at=datetime.now(UTC))
            )
            if not taken.rowcount:  # type: ignore[attr-defined]
                return None
            connection = session.get(Connection, connection_id)
            assert connection is not None
            return self.router.credential(connection)

    async def _check(self, connection_id: str, cutoff: datetime) -> bool:
        """Ask ``GET /me`` of one idle connection, if its quota allows; whether it was asked."""
        if await run_in_threadpool(self.ledger.headroom, connection_id, [ME_PATH]) <= 0:
            log.info("health check of connection %s waits: quota kept for writes", connection_id)
            return False
        try:
            api_token = await run_in_threadpool(self._take, connection_id, cutoff)
        except GatewayError as exc:  # its credential cannot be read now
            log.warning("health check of connection %s skipped: %s", connection_id, exc.code)
            return False
        if api_token is None:
            return False
        started = time.monotonic()
        try:
            answer = await self.proxy.ask_me(connection_id, api_token)
        except GatewayError as exc:  # its pace is full: calls come first
            log.info("health check of connection %s skipped: %s", connection_id, exc.code)
            return False
        except UpstreamError as exc:
            log.warning(
                "health check of connection %s: the upstream did not answer (%s)",
                connection_id,
                type(exc).__name__,
            )
            return True
        mirror = self.proxy.mirror
        if mirror is not None:
            await mirror.observe(connection_id, ME_PATH, answer.headers)
        if answer.status in (401, 403):
            await self.proxy.mark_refused(connection_id, api_token, answer.status)
        elif answer.status >= 400:
            log.warning(
                "health check of connection %s: GET /me answered %d", connection_id, answer.status
            )
        else:
            log.debug(
                "health check of connection %s: fine (%.0f ms)",
                connection_id,
                (time.monotonic() - started) * 1000,
            )
        return True


@asynccontextmanager
async def health_running(state: GatewayState) -> AsyncIterator[None]:
    """The health check's loop for the life of the server, when it is on."""
    every = state.runtime.settings.connection_check
    proxy = state.proxy
    if every <= 0 or proxy is None:
        yield
        return
    task = asyncio.create_task(ConnectionHealth(state, proxy, every).run())
    try:
        yield
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
