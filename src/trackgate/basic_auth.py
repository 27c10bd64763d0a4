"""Parsing of the HTTP ``Authorization`` header, shared by the service and the gateway."""

from __future__ import annotations

import base64
import binascii

#: How a gateway key begins. The gateway issues keys so; the service recognises one sent to
#: it by mistake and says where gateway calls go.
GATEWAY_KEY_PREFIX = "tgk_"


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


def presents_gateway_key(header: str) -> bool:
    """A gateway key as Bearer, or as Basic user name (with ``api_token`` or any password)."""
    bearer = parse_bearer(header)
    if bearer is not None:
        return bearer.startswith(GATEWAY_KEY_PREFIX)
    basic = parse_basic(header)
    return basic is not None and basic[0].startswith(GATEWAY_KEY_PREFIX)
