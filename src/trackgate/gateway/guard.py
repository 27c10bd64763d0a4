"""The gateway never hands out the credential it guards.

Calls that would take the account away from its owner are refused with 403 (a new API token,
closing the account, a new email or password), and ``api_token`` fields are removed from the
answers that carry them (``/me`` and workspaces). Paths are judged in their canonical form (see
:func:`~trackgate.gateway.hygiene.canonical_path`), so spelling tricks do not get around it.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

from trackgate.gateway.errors import GatewayError, bad_request

_VERSIONED = r"^/api/v\d+"
_TAKES_ACCOUNT = re.compile(_VERSIONED + r"/me/(reset_token|close_account)$")
_ME = re.compile(_VERSIONED + r"/me$")
#: Answers that may carry ``api_token`` fields: the user (``/me``, with related data too) and
#: workspaces (also listed under ``/me`` and organizations) -- but not the resources inside a
#: workspace, the bulk of the traffic, which stream through unread.
_CARRIES_TOKEN = re.compile(_VERSIONED + r"/(me|workspaces|organizations)(/|$)")
_TOKEN_FREE = frozenset({"time_entries", "projects", "clients", "tags", "tasks"})
_IDENTITY_FIELDS = frozenset({"email", "password"})
#: Largest body of a ``/me`` update the gateway reads to judge it.
MAX_ME_BODY = 64 * 1024
REDACTED = b"[redacted]"
#: What an ``api_token`` field of an answer says through the gateway: the key stays, as Toggl
#: clients with strict models require it, but never with the credential in it.
TOKEN_STAND_IN = "[redacted]"


def forbidden(message: str) -> GatewayError:
    return GatewayError(403, "forbidden", message)


def refusal(path: str) -> str | None:
    """Why a call to ``path`` is refused whatever its method (it would take the account
    away), or None."""
    if _TAKES_ACCOUNT.match(path):
        return "The gateway does not reset the API token or close the account"
    return None


def needs_body_check(method: str, path: str) -> bool:
    """A write to ``/me``, whose body must not change the email or password."""
    return method in ("PUT", "PATCH", "POST") and _ME.match(path) is not None


def refuse_identity_change(body: bytes) -> None:
    """403 if the body sets ``email`` or ``password``. Keys are compared case-insensitively,
    as Go's JSON decoder (the real Toggl's) matches them."""
    try:
        payload = json.loads(body) if body.strip() else {}
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise bad_request("The body of a /me update must be a JSON object") from exc
    if not isinstance(payload, dict):
        raise bad_request("The body of a /me update must be a JSON object")
    for key, value in payload.items():
        if key.casefold() in _IDENTITY_FIELDS and value is not None:
            raise forbidden("The gateway does not change the account's email or password")


def is_me(path: str) -> bool:
    return _ME.match(path) is not None


def carries_token(path: str) -> bool:
    if _CARRIES_TOKEN.match(path) is None:
        return False
    return _TOKEN_FREE.isdisjoint(path.split("/"))


def _without_tokens(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        changed = False
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if key.casefold() == "api_token":
                changed = True
                kept[key] = None if item is None else TOKEN_STAND_IN
                continue
            kept[key], item_changed = _without_tokens(item)
            changed = changed or item_changed
        return kept, changed
    if isinstance(value, list):
        items = [_without_tokens(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    return value, False


def strip_tokens(body: bytes, secret: str) -> bytes:
    """The body with every ``api_token`` field's value replaced by :data:`TOKEN_STAND_IN`,
    and without the credential anywhere else.

    JSON nested too deep to walk is left as it is, but for the credential's own bytes."""
    try:
        payload, changed = _without_tokens(json.loads(body))
        if changed:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        pass
    if secret and secret.encode() in body:
        body = body.replace(secret.encode(), REDACTED)
    return body


class UnreadableAnswer(Exception):
    """An answer that must be inspected came in an encoding the gateway cannot read."""


def decoded(body: bytes, encoding: str | None) -> bytes:
    """The body without its content coding (the upstream was asked for none, but may send one)."""
    coding = (encoding or "identity").strip().lower()
    if coding in ("", "identity"):
        return body
    if coding in ("gzip", "x-gzip", "deflate"):
        try:
            return zlib.decompress(body, wbits=47)  # gzip or zlib, detected from the header
        except zlib.error as exc:
            raise UnreadableAnswer(coding) from exc
    raise UnreadableAnswer(coding)
