# Generated from the _async_ twin by `python -m trackgate.client._unasync`: do not edit.
# ruff: noqa: UP028
"""Names to objects through the name cache (see ``names``)."""

from __future__ import annotations

from time import time as _wall_clock
from typing import Any

from trackgate.client import payloads
from trackgate.client._sync_resource import _Resource
from trackgate.client.errors import UnknownNameError
from trackgate.client.models import Client, Project, Tag, Workspace
from trackgate.client.names import NameCache


class Names(_Resource):
    """Names to objects, from the cache refreshed with ``since`` at most every 60 s (through a
    gateway: straight from the gateway, whose mirror spares the quota)."""

    _PATHS = {
        "workspaces": "/me/workspaces",
        "projects": "/me/projects",
        "clients": "/me/clients",
        "tags": "/me/tags",
    }

    def refresh(self, kind: str, *, force: bool = False) -> NameCache:
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
        body = self._client.call("GET", self._PATHS[kind], params=params)
        cache.merge(kind, list(body or []), full=since is None, now=now)
        return cache

    def find(self, kind: str, ref: str | int, workspace_id: int | None = None) -> dict[str, Any]:
        """The one object of ``kind`` named (or numbered) ``ref``; raises
        ``UnknownNameError`` or ``AmbiguousNameError``."""
        loaded = kind in (self._client.names_cache or NameCache()).refreshed
        cache = self.refresh(kind)
        try:
            return cache.find(kind, ref, workspace_id)
        except UnknownNameError:
            if not loaded or self._client.names_cache is None:
                raise
            # Made elsewhere since the last refresh: one incremental read, then decide.
            return (self.refresh(kind, force=True)).find(kind, ref, workspace_id)

    def project(self, ref: str | int, workspace_id: int | None = None) -> Project:
        return Project.from_raw(self.find("projects", ref, workspace_id))

    def client(self, ref: str | int, workspace_id: int | None = None) -> Client:
        return Client.from_raw(self.find("clients", ref, workspace_id))

    def tag(self, ref: str | int, workspace_id: int | None = None) -> Tag:
        return Tag.from_raw(self.find("tags", ref, workspace_id))

    def workspace(self, ref: str | int) -> Workspace:
        return Workspace.from_raw(self.find("workspaces", ref))
