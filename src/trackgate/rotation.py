"""Re-encrypting every stored secret under a new key, safe to interrupt and run again.

The keyring holds the new key first and the old ones after it, so every row stays readable at
every moment; rows are re-sealed in small committed batches; the stored fingerprint moves to the
new key only when no row needs the old one any more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from trackgate.crypto import Keyring, fingerprint
from trackgate.runtime import FINGERPRINT_KEY
from trackgate.storage.database import Database
from trackgate.storage.models import Base, Meta

BATCH = 200


@dataclass(frozen=True)
class SealedColumn:
    """A column holding ciphertext, and how to rebuild the context its rows were sealed with."""

    model: type[Base]
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None]
    key_column: InstrumentedAttribute[object]
    context: Callable[[object], str]


def sealed_columns() -> list[SealedColumn]:
    from trackgate.gateway.connections import session_context
    from trackgate.gateway.credential_store import credential_context
    from trackgate.service.users import token_context
    from trackgate.storage.models import Connection, ConnectSession, User

    return [
        SealedColumn(
            User, User.api_token_ciphertext, User.id, lambda k: token_context(int(str(k)))
        ),
        SealedColumn(
            Connection,
            Connection.credential_ciphertext,
            Connection.id,
            lambda k: credential_context(str(k)),
        ),
        SealedColumn(
            ConnectSession,
            ConnectSession.token_ciphertext,
            ConnectSession.token_digest,
            lambda k: session_context(str(k)),
        ),
    ]


@dataclass
class RotationReport:
    resealed: int = 0
    remaining: int = 0


def count_by_key(db: Database, keyring: Keyring) -> dict[str, int]:
    """How many stored ciphertexts each key id sealed (for ``secrets status``)."""
    counts: dict[str, int] = {}
    with db.read() as session:
        for sealed in sealed_columns():
            for value in session.scalars(select(sealed.column).where(sealed.column.is_not(None))):
                if value:
                    kid = keyring.key_id_of(value)
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


def reseal_all(db: Database, keyring: Keyring) -> RotationReport:
    """Re-seal what the primary key did not seal; then record the primary's fingerprint."""
    report = RotationReport()
    primary = keyring.primary_id
    for sealed in sealed_columns():
        while True:
            with db.write() as session:
                rows = session.execute(
                    select(sealed.key_column, sealed.column)
                    .where(sealed.column.is_not(None), ~sealed.column.like(f"v1.{primary}.%"))
                    .limit(BATCH)
                ).all()
                for key, value in rows:
                    if not value:
                        continue
                    context = sealed.context(key)
                    fresh = keyring.encrypt(keyring.decrypt(value, context), context)
                    obj = session.get(sealed.model, key)
                    setattr(obj, sealed.column.key, fresh)
                    report.resealed += 1
            if len(rows) < BATCH:
                break
    with db.write() as session:
        row = session.get(Meta, FINGERPRINT_KEY)
        if row is None:
            session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(keyring.primary)))
        else:
            row.value = fingerprint(keyring.primary)
    return report
