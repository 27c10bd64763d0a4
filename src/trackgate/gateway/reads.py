"""Which calls only read, whatever their method: Toggl's reports are POSTs that read.

The proxy retries a read after an upstream 429 as it retries a GET; every other POST is never
retried.
"""

from __future__ import annotations

#: Every Reports API v3 call under a workspace computes a report (or an export) and changes
#: nothing; ``path`` is the canonical path the proxy judges calls by.
REPORTS_ROOT = "/reports/api/v3/workspace/"


def is_report_read(method: str, path: str) -> bool:
    return method == "POST" and path.startswith(REPORTS_ROOT)


def retry_method(method: str, path: str) -> str:
    """The method whose retry policy applies: a report POST is retried like a GET."""
    return "GET" if is_report_read(method, path) else method
