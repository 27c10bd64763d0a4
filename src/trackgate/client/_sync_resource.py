# Generated from the _async_ twin by `python -m trackgate.client._unasync`: do not edit.
# ruff: noqa: UP028
"""The base of every resource: it holds the client whose requester it calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trackgate.client._sync_client import Toggl


class _Resource:
    def __init__(self, client: Toggl) -> None:
        self._client = client
