"""The quota the upstream reported of each bucket of a connection, kept in the gateway's
database: recorded from every upstream answer, consulted before a refresh spends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trackgate.shield import store
from trackgate.shield.quota import Reported, bucket_key, headroom, named_by, reported
from trackgate.storage.database import Database
from trackgate.storage.models import ShieldQuota


class QuotaLedger:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def observe(
        self, connection_id: str, path: str, headers: Sequence[tuple[str, str]]
    ) -> None:
        """Record the quota an upstream answer reports, in the bucket its path was charged."""
        found = reported(headers)
        if found is None:
            return
        await self.record(connection_id, path, found)

    async def record(self, connection_id: str, path: str, found: Reported) -> None:
        await run_in_threadpool(self._record, connection_id, path, found.remaining, found.resets_in)

    def _record(self, connection_id: str, path: str, remaining: int, resets_in: int) -> None:
        with self.db.write() as session:
            bucket = self.bucket(session, connection_id, path)
            organization = (
                int(bucket.partition(":")[2]) if bucket.startswith("organization:") else None
            )
            store.record_quota(
                session,
                connection_id,
                bucket,
                organization,
                remaining,
                resets_in,
                datetime.now(UTC),
            )

    def headroom(self, connection_id: str, paths: list[str]) -> float:
        """What refreshes may still spend from the tightest bucket these paths are charged to."""
        now = datetime.now(UTC)
        with self.db.read() as session:
            rows = [
                session.get(ShieldQuota, (connection_id, self.bucket(session, connection_id, p)))
                for p in paths
            ]
            return min(headroom(row, now) for row in rows)

    @staticmethod
    def bucket(session: Session, connection_id: str, path: str) -> str:
        """The bucket a request to ``path`` is charged to, as far as the mirror knows."""
        named = named_by(path)
        organization = named.organization_id
        if organization is None and named.workspace_id is not None:
            organization = store.workspace_organization(session, connection_id, named.workspace_id)
        return bucket_key(organization, named.workspace_id)
