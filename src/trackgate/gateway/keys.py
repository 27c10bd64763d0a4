"""Gateway accounts and API keys. A key is shown once; only its digest is stored. A key carries
its scopes (see :mod:`trackgate.gateway.scopes`) and, optionally, a budget of upstream
requests per hour."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trackgate.basic_auth import GATEWAY_KEY_PREFIX
from trackgate.crypto import digest
from trackgate.gateway import scopes as scope_names
from trackgate.storage.models import Account, ApiKey
from trackgate.storage.types import utcnow

KEY_PREFIX = GATEWAY_KEY_PREFIX


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str
    scopes: frozenset[str]
    budget: int | None = None


@dataclass(frozen=True, slots=True)
class LiveKey:
    """What the gateway needs of a live key to judge a call."""

    account_id: str
    key_id: str
    scopes: frozenset[str]
    budget: int | None
    last_used_at: datetime | None = None


def create_account(session: Session, name: str) -> Account:
    name = name.strip()
    if not name or len(name) > 255:
        raise ValueError("account name must be 1 to 255 characters")
    account = Account(id=str(uuid.uuid4()), name=name)
    session.add(account)
    session.flush()
    return account


def issue_key(
    session: Session,
    account_id: str,
    name: str | None = None,
    *,
    scopes: Iterable[str] | None = None,
    budget: int | None = None,
) -> IssuedKey:
    """A new key: ``scopes`` default to :data:`~trackgate.gateway.scopes.DEFAULT`; ``budget``
    is upstream requests per hour (None: none). ValueError for unknown scopes or a budget
    below 1; LookupError for an unknown account."""
    granted = scope_names.DEFAULT if scopes is None else scope_names.parse(scopes)
    if budget is not None and budget < 1:
        raise ValueError("a budget is at least 1 request per hour")
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
            scopes=scope_names.spell(granted),
            budget=budget,
        )
    )
    session.flush()
    return IssuedKey(key_id=key_id, api_key=api_key, scopes=granted, budget=budget)


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


def account_for_key(session: Session, api_key: str) -> LiveKey | None:
    """The live key presented, of an enabled account, or None. The look-up is by digest
    only."""
    row = session.execute(
        select(ApiKey.account_id, ApiKey.id, ApiKey.scopes, ApiKey.budget, ApiKey.last_used_at)
        .join(Account, Account.id == ApiKey.account_id)
        .where(
            ApiKey.key_digest == digest(api_key),
            ApiKey.revoked_at.is_(None),
            Account.disabled_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return LiveKey(
        row.account_id,
        row.id,
        scope_names.read_stored(row.scopes),
        row.budget,
        row.last_used_at,
    )


def asked_scopes(session: Session, account_id: str) -> frozenset[str]:
    """The most any live key of the account may do: what its connections are asked to grant
    (``read`` always)."""
    stored = session.scalars(
        select(ApiKey.scopes).where(ApiKey.account_id == account_id, ApiKey.revoked_at.is_(None))
    )
    asked = {scope_names.REQUIRED_GRANT}
    for text in stored:
        asked |= scope_names.read_stored(text)
    return frozenset(asked)


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
