"""The signed-in user, workspaces and organizations."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from trackgate.client import payloads
from trackgate.client._async_resource import _AsyncResource
from trackgate.client.errors import NotFoundError
from trackgate.client.models import (
    Me,
    Organization,
    QuotaBucket,
    Workspace,
    WorkspaceUser,
    parse_list,
    recorded_buckets,
)


class AsyncMeResource(_AsyncResource):
    """The signed-in user: profile, quota, organizations."""

    async def get(self, *, with_related_data: bool = False) -> Me:
        body = await self._client.call(
            "GET", "/me", params=payloads.query(with_related_data=with_related_data or None)
        )
        return Me.from_raw(body)

    async def update(self, **fields: Any) -> Me:
        return Me.from_raw(await self._client.call("PUT", "/me", json=fields))

    async def quota(self) -> builtins.list[QuotaBucket]:
        """``GET /me/quota``: what is left of the hourly quota per organization."""
        return parse_list(QuotaBucket, await self._client.call("GET", "/me/quota"))

    async def quota_left(self) -> builtins.list[QuotaBucket]:
        """What is left of the hourly quota, spending none of it where that can be known.

        Through a gateway: the buckets it recorded for the connection (its control API is
        not Toggl's, so nothing is counted). Else, or while the gateway has recorded none:
        ``GET /me/quota``; where that is not served, the quota headers of the last answer
        (after one ``GET /me`` when no answer was seen yet)."""
        if self._client.endpoint.via_gateway:
            connection = await self._client.connections.current()
            recorded = recorded_buckets(connection.quota if connection else None)
            if recorded:
                return recorded
        try:
            return await self.quota()
        except NotFoundError:
            if self._client.quota is None:
                await self.get()
            seen = self._client.quota
            if seen is None:
                return []
            raw = {
                "organization_id": None,
                "remaining": seen.remaining,
                "resets_in_secs": seen.resets_in,
            }
            return [QuotaBucket.from_raw(raw)]

    async def organizations(self) -> builtins.list[Organization]:
        return parse_list(Organization, await self._client.call("GET", "/me/organizations"))


class AsyncWorkspaces(_AsyncResource):
    async def list(self, *, since: datetime | int | None = None) -> builtins.list[Workspace]:
        params = payloads.query(since=payloads.unix(since) if since is not None else None)
        return parse_list(
            Workspace, await self._client.call("GET", "/me/workspaces", params=params)
        )

    async def get(self, workspace_id: int) -> Workspace:
        return Workspace.from_raw(await self._client.call("GET", f"/workspaces/{workspace_id}"))

    async def update(self, workspace_id: int, **fields: Any) -> Workspace:
        body = await self._client.call("PUT", f"/workspaces/{workspace_id}", json=fields)
        return Workspace.from_raw(body)

    async def users(self, workspace_id: int) -> builtins.list[WorkspaceUser]:
        body = await self._client.call("GET", f"/workspaces/{workspace_id}/users")
        return parse_list(WorkspaceUser, body)


class AsyncOrganizations(_AsyncResource):
    async def list(self) -> builtins.list[Organization]:
        return parse_list(Organization, await self._client.call("GET", "/me/organizations"))

    async def get(self, organization_id: int) -> Organization:
        body = await self._client.call("GET", f"/organizations/{organization_id}")
        return Organization.from_raw(body)
