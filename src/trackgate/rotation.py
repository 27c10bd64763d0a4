"""Re-encrypting every stored secret under a new key, safe to interrupt and run again.

The keyring holds the new key first and the old ones after it, so every row stays readable at
every moment; rows are re-sealed in small committed batches; the stored fingerprint moves to the
new key only when no row needs the old one any more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
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
    from trackgate.service.webhooks.subscriptions import secret_context
    from trackgate.shield.hooks.records import secret_context as hook_secret_context
    from trackgate.storage.models import (
        Connection,
        ConnectSession,
        ShieldHook,
        User,
        WebhookSubscription,
    )

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
        SealedColumn(
            WebhookSubscription,
            WebhookSubscription.secret_ciphertext,
            WebhookSubscription.id,
            lambda k: secret_context(int(str(k))),
        ),
        SealedColumn(
            ShieldHook,
            ShieldHook.secret_ciphertext,
            ShieldHook.id,
            lambda k: hook_secret_context(str(k)),
        ),
    ]


@dataclass
class RotationReport:
    """``remaining``: rows still sealed by another key after the pass (a server that still runs
    with the old key may have written them meanwhile); while any remain, the old key stays."""

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


def _not_primary(sealed: SealedColumn, primary_id: str) -> ColumnElement[bool]:
    return and_(
        sealed.column.is_not(None),
        sealed.column != "",
        ~sealed.column.like(f"v1.{primary_id}.%"),
    )


def count_not_sealed_by(db: Database, primary_id: str) -> int:
    """How many stored ciphertexts still need a key other than ``primary_id``."""
    with db.read() as session:
        counts = (
            session.scalar(
                select(func.count())
                .select_from(sealed.model)
                .where(_not_primary(sealed, primary_id))
            )
            for sealed in sealed_columns()
        )
        return sum(count or 0 for count in counts)


def reseal_all(db: Database, keyring: Keyring) -> RotationReport:
    """Re-seal what the primary key did not seal, in committed batches (in key order, so a
    rotation cut short has moved a prefix); the fingerprint moves only when none remain."""
    report = RotationReport()
    primary = keyring.primary_id
    for sealed in sealed_columns():
        while True:
            with db.write() as session:
                rows = session.execute(
                    select(sealed.key_column, sealed.column)
                    .where(_not_primary(sealed, primary))
                    .order_by(sealed.key_column)
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
    report.remaining = count_not_sealed_by(db, primary)
    if report.remaining:
        return report
    with db.write() as session:
        row = session.get(Meta, FINGERPRINT_KEY)
        if row is None:
            session.add(Meta(key=FINGERPRINT_KEY, value=fingerprint(keyring.primary)))
        else:
            row.value = fingerprint(keyring.primary)
    return report
