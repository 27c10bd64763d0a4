"""Parsing of the HTTP ``Authorization`` header, shared by the service and the gateway."""

from __future__ import annotations

import base64
import binascii


def parse_basic(header: str) -> tuple[str, str] | None:
    """``Basic base64(user:password)`` as (user, password), or None if it is not that."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def parse_bearer(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
