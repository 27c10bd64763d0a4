"""Which calls only read, whatever their method: Toggl's reports are POSTs that read.

The proxy retries a read after an upstream 429 as it retries a GET; every other POST is never
retried. What reads is what the scope table (:mod:`.scopes`) says needs only ``read``.
"""

from __future__ import annotations

from trackgate.gateway import scopes


def is_read_post(method: str, path: str) -> bool:
    """A POST that changes nothing (``path`` is the canonical path calls are judged by)."""
    return method == "POST" and scopes.needed(method, path) == scopes.READ


def retry_method(method: str, path: str) -> str:
    """The method whose retry policy applies: a report POST is retried like a GET."""
    return "GET" if is_read_post(method, path) else method
