"""Revoking keys: the rows first, then every process's caches (see :mod:`trackgate.invalidation`).

Used by the commands, the console and ``serve --demo``; the announcement goes out only once
the change is committed, so no process can read the key as live again after dropping it.
Disabling an account works the same way, and is undone by enabling it.
"""

from __future__ import annotations

from dataclasses import dataclass

from trackgate.gateway.keys import list_keys, revoke_key
from trackgate.invalidation import ACCOUNT, KEY, Invalidation
from trackgate.runtime import Runtime
from trackgate.storage.models import Account, ApiKey
from trackgate.storage.types import utcnow


def revoke_key_everywhere(runtime: Runtime, key_id: str) -> ApiKey:
    """Revoke one key (LookupError if there is none); the row as it is now."""
    with runtime.db.write() as session:
        key = revoke_key(session, key_id)
    runtime.invalidations.announce(Invalidation(KEY, key_id))
    return key


@dataclass(frozen=True)
class RevokedAccount:
    account_id: str
    revoked_key_ids: list[str]


def revoke_account(runtime: Runtime, account_id: str) -> RevokedAccount:
    """Revoke every live key of an account (LookupError if there is no such account): its
    callers are refused everywhere until a new key is issued for it."""
    with runtime.db.write() as session:
        if session.get(Account, account_id) is None:
            raise LookupError(f"no account {account_id}")
        revoked = [
            revoke_key(session, key.id).id
            for key in list_keys(session, account_id)
            if key.revoked_at is None
        ]
    runtime.invalidations.announce(Invalidation(ACCOUNT, account_id))
    return RevokedAccount(account_id, revoked)


def set_account_disabled(runtime: Runtime, account_id: str, disabled: bool) -> Account:
    """Disable an account (its keys are refused everywhere, as after :func:`revoke_account`,
    but they work again once it is enabled) or enable it; LookupError if there is none."""
    with runtime.db.write() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise LookupError(f"no account {account_id}")
        if disabled and account.disabled_at is None:
            account.disabled_at = utcnow()
        elif not disabled:
            account.disabled_at = None
    if disabled:  # committed: every process drops the account's verified keys
        runtime.invalidations.announce(Invalidation(ACCOUNT, account_id))
    return account
