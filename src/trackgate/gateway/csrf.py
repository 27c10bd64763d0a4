"""Stateless CSRF tokens for the connect page's form.

A token is ``<expiry>.<hmac>``: an HMAC, under a key derived from the server's secret key, of
the connect session's digest and the expiry. Nothing is stored and no cookie is needed, so the
form works with a plain cookie jar and on any replica that holds the same key. Tokens made
under an older key of the ring still verify during a key rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from trackgate.crypto import Keyring

_LABEL = b"trackgate connect csrf v1"


def _form_key(server_key: bytes) -> bytes:
    return hmac.new(server_key, _LABEL, hashlib.sha256).digest()


def _mac(server_key: bytes, session_digest: str, expires: int) -> str:
    message = f"{session_digest}.{expires}".encode()
    return hmac.new(_form_key(server_key), message, hashlib.sha256).hexdigest()


def make_token(
    keyring: Keyring, session_digest: str, lifetime: float, now: float | None = None
) -> str:
    expires = int((time.time() if now is None else now) + lifetime)
    return f"{expires}.{_mac(keyring.primary, session_digest, expires)}"


def verify_token(
    keyring: Keyring, session_digest: str, token: str | None, now: float | None = None
) -> bool:
    """True only for an unexpired token made for this very session by a key of the ring."""
    if not token:
        return False
    expiry_text, _, mac = token.partition(".")
    if not expiry_text.isdigit() or not mac:
        return False
    expires = int(expiry_text)
    if expires < (time.time() if now is None else now):
        return False
    return any(hmac.compare_digest(_mac(key, session_digest, expires), mac) for key in keyring.keys)
