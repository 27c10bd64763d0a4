"""A trackgate gateway's control API: connections to Toggl accounts."""

from __future__ import annotations

import builtins

from trackgate.client import payloads
from trackgate.client._async_resource import _AsyncResource
from trackgate.client._core import decode
from trackgate.client.endpoint import GATEWAY_APP
from trackgate.client.errors import ConfigurationError
from trackgate.client.models import Connection, parse_list


class AsyncConnections(_AsyncResource):
    """The gateway's control API (only with a gateway key)."""

    def _url(self, suffix: str = "") -> str:
        root = self._client.endpoint.gateway_url
        if root is None:
            raise ConfigurationError("connections need a gateway key and the gateway's URL")
        return f"{root}/connections{suffix}"

    async def list(
        self, *, app: str | None = None, status: str | None = None
    ) -> builtins.list[Connection]:
        params = payloads.query(app=app, status=status)
        body = decode(await self._client.send("GET", self._url(), params=params))
        return parse_list(Connection, (body or {}).get("connections"))

    async def create(self, app: str = GATEWAY_APP) -> Connection:
        """A PENDING connection whose ``url`` a person opens to connect a Toggl account."""
        body = decode(await self._client.send("POST", self._url(), json={"app": app}))
        return Connection.from_raw(body["connection"])

    async def get(self, connection_id: str) -> Connection:
        body = decode(await self._client.send("GET", self._url(f"/{connection_id}")))
        return Connection.from_raw(body["connection"])

    async def delete(self, connection_id: str) -> None:
        await self._client.send("DELETE", self._url(f"/{connection_id}"))

    async def current(self) -> Connection | None:
        """The connection this client's calls go through: the one it names, else the oldest
        ACTIVE one of the app (the gateway lists them oldest first, and chooses so)."""
        named = self._client.endpoint.connection
        if named is not None:
            return await self.get(named)
        active = await self.list(app=GATEWAY_APP, status="ACTIVE")
        return active[0] if active else None
