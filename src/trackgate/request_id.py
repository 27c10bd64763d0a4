"""Request ids: 32 hex characters, unique per process run and across replicas.

A random per-process prefix and a counter: a fraction of a microsecond each, where
``uuid4`` reads the OS's random source on every call.
"""

from __future__ import annotations

import itertools
import secrets

HEADER = b"x-request-id"

_prefix = secrets.token_hex(8)
_counter = itertools.count(1)


def new_request_id() -> str:
    return f"{_prefix}{next(_counter) & 0xFFFFFFFFFFFFFFFF:016x}"
