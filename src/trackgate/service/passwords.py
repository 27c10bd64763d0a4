"""Password hashing (argon2id), with recently verified credentials remembered briefly so that
HTTP Basic with email and password does not pay for a slow hash on every request."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_CACHE_SECONDS = 60.0
_CACHE_LIMIT = 10_000


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_decoy: tuple[object, str] | None = None


def verify_decoy(password: str) -> None:
    """Spend what checking a real password costs, for an email that has none: the time of an
    answer then does not tell whether the email exists."""
    global _decoy
    if _decoy is None or _decoy[0] is not _hasher:
        _decoy = (_hasher, _hasher.hash(secrets.token_urlsafe(16)))
    try:
        _hasher.verify(_decoy[1], password)
    except (VerificationError, InvalidHashError):
        pass


class VerifiedCache:
    """Pairs (stored hash, password) verified lately, keyed by a salted digest."""

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def _key(self, stored_hash: str, password: str) -> str:
        return hashlib.sha256(
            self._salt + stored_hash.encode() + b"\0" + password.encode()
        ).hexdigest()

    def verify(self, stored_hash: str, password: str) -> bool:
        key = self._key(stored_hash, password)
        now = time.monotonic()
        with self._lock:
            if self._seen.get(key, 0.0) > now:
                return True
        try:
            _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        with self._lock:
            if len(self._seen) >= _CACHE_LIMIT:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
            self._seen[key] = now + _CACHE_SECONDS
        return True


verified = VerifiedCache()
