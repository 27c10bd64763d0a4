"""The base of every resource: it holds the client whose requester it calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trackgate.client._async_client import AsyncToggl


class _AsyncResource:
    def __init__(self, client: AsyncToggl) -> None:
        self._client = client
