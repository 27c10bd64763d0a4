"""The ``X-Webhook-Signature-256`` header: HMAC-SHA256 of the raw body, keyed by the secret.

Shared by every kind of delivery target, so a receiver checks all of them the same way."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "X-Webhook-Signature-256"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verified(secret: str, body: bytes, header: str | None) -> bool:
    return header is not None and hmac.compare_digest(signature(secret, body), header)


def new_secret() -> str:
    return secrets.token_hex(16)
