"""Gateway accounts and API keys. A key is shown once; only its digest is stored."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.basic_auth import GATEWAY_KEY_PREFIX
from trackgate.crypto import digest
from trackgate.storage.models import Account, ApiKey
from trackgate.storage.types import utcnow

KEY_PREFIX = GATEWAY_KEY_PREFIX


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str


def create_account(session: Session, name: str) -> Account:
    name = name.strip()
    if not name or len(name) > 255:
        raise ValueError("account name must be 1 to 255 characters")
    account = Account(id=str(uuid.uuid4()), name=name)
    session.add(account)
    session.flush()
    return account


def issue_key(session: Session, account_id: str, name: str | None = None) -> IssuedKey:
    if session.get(Account, account_id) is None:
        raise LookupError(f"no account {account_id}")
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = "key_" + secrets.token_hex(8)
    session.add(
        ApiKey(
            id=key_id,
            account_id=account_id,
            key_digest=digest(api_key),
            prefix=api_key[:8],
            name=name,
        )
    )
    session.flush()
    return IssuedKey(key_id=key_id, api_key=api_key)


def revoke_key(session: Session, key_id: str) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise LookupError(f"no key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def list_keys(session: Session, account_id: str) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.created_at)
    return list(session.scalars(query))


def rename_key(session: Session, key_id: str, name: str | None) -> ApiKey:
    """Give a key another label (None or blank for none); LookupError if there is no key."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise LookupError(f"no key {key_id}")
    name = (name or "").strip() or None
    if name is not None and len(name) > 255:
        raise ValueError("a key name of at most 255 characters")
    key.name = name
    return key


@dataclass(frozen=True)
class LiveKey:
    account_id: str
    key_id: str
    last_used_at: datetime | None


def account_for_key(session: Session, api_key: str) -> LiveKey | None:
    """The account and id of a live key of an enabled account, or None. The look-up is by
    digest only."""
    row = session.execute(
        select(ApiKey.account_id, ApiKey.id, ApiKey.last_used_at)
        .join(Account, Account.id == ApiKey.account_id)
        .where(
            ApiKey.key_digest == digest(api_key),
            ApiKey.revoked_at.is_(None),
            Account.disabled_at.is_(None),
        )
    ).first()
    return LiveKey(row.account_id, row.id, row.last_used_at) if row else None


#: A key's last use is written at most this often (verified keys are cached meanwhile).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def use_is_stale(found: LiveKey, now: datetime | None = None) -> bool:
    """Whether the stored last use is older than :data:`LAST_USED_RESOLUTION`."""
    last = found.last_used_at
    return last is None or (now or utcnow()) - last >= LAST_USED_RESOLUTION


def note_use(session: Session, key_id: str) -> None:
    key = session.get(ApiKey, key_id)
    if key is not None:
        key.last_used_at = utcnow()
