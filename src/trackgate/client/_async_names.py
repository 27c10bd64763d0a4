"""Names to objects through the name cache (see ``names``)."""

from __future__ import annotations

from time import time as _wall_clock
from typing import Any

from trackgate.client import payloads
from trackgate.client._async_resource import _AsyncResource
from trackgate.client.errors import UnknownNameError
from trackgate.client.models import Client, Project, Tag, Workspace
from trackgate.client.names import NameCache


class AsyncNames(_AsyncResource):
    """Names to objects, from the cache refreshed with ``since`` at most every 60 s (through a
    gateway: straight from the gateway, whose mirror spares the quota)."""

    _PATHS = {
        "workspaces": "/me/workspaces",
        "projects": "/me/projects",
        "clients": "/me/clients",
        "tags": "/me/tags",
    }

    async def refresh(self, kind: str, *, force: bool = False) -> NameCache:
        """The cache with ``kind`` loaded: as it is while younger than 60 s, else updated with
        ``since``; ``force`` asks for the changes whatever its age."""
        cache = self._client.names_cache or NameCache()
        now = _wall_clock()
        since = cache.since(kind, now, any_age=force)
        if since is False:
            return cache
        params = payloads.query(since=since)
        if kind == "projects":
            params["include_archived"] = "true"
        body = await self._client.call("GET", self._PATHS[kind], params=params)
        cache.merge(kind, list(body or []), full=since is None, now=now)
        return cache

    async def find(
        self, kind: str, ref: str | int, workspace_id: int | None = None
    ) -> dict[str, Any]:
        """The one object of ``kind`` named (or numbered) ``ref``; raises
        ``UnknownNameError`` or ``AmbiguousNameError``."""
        loaded = kind in (self._client.names_cache or NameCache()).refreshed
        cache = await self.refresh(kind)
        try:
            return cache.find(kind, ref, workspace_id)
        except UnknownNameError:
            if not loaded or self._client.names_cache is None:
                raise
            # Made elsewhere since the last refresh: one incremental read, then decide.
            return (await self.refresh(kind, force=True)).find(kind, ref, workspace_id)

    async def project(self, ref: str | int, workspace_id: int | None = None) -> Project:
        return Project.from_raw(await self.find("projects", ref, workspace_id))

    async def client(self, ref: str | int, workspace_id: int | None = None) -> Client:
        return Client.from_raw(await self.find("clients", ref, workspace_id))

    async def tag(self, ref: str | int, workspace_id: int | None = None) -> Tag:
        return Tag.from_raw(await self.find("tags", ref, workspace_id))

    async def workspace(self, ref: str | int) -> Workspace:
        return Workspace.from_raw(await self.find("workspaces", ref))
