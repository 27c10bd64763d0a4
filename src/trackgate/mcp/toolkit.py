"""The work behind the MCP tools, on the SDK: who the user is, names to ids, ranges in the
user's zone, and results in the compact shapes of :mod:`trackgate.mcp.views`.

One ``Toolkit`` serves one Toggl identity (a token, or a gateway key and connection). It keeps
the profile for a few minutes (zone and default workspace rarely change, and every read spends
Toggl's hourly quota) and the last timer it started, so a client that retries a start gets the
entry already started instead of a second one (Toggl has no idempotency key).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

from trackgate.client import AsyncToggl, Me, Project, TimeEntry, Workspace
from trackgate.mcp import observe
from trackgate.mcp.views import EntryRow, Envelope, QuotaBucketRow, QuotaLeft, entry_row
from trackgate.zones import zone_named

PROFILE_SECONDS = 300.0
REPEAT_SECONDS = 10.0


class ToolInputError(ValueError):
    """The agent asked for something that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Profile:
    me: Me
    workspaces: list[Workspace]
    tz: tzinfo

    @property
    def beginning_of_week(self) -> int:
        return self.me.beginning_of_week if self.me.beginning_of_week is not None else 1


@dataclass
class _LastStart:
    key: tuple[Any, ...]
    entry_id: int
    at: float


def _zone(name: str | None) -> tzinfo:
    return zone_named(name) or UTC


class Toolkit:
    """Shared helpers of the tools for one identity."""

    def __init__(self, toggl: AsyncToggl) -> None:
        self.toggl = toggl
        self._profile: Profile | None = None
        self._profile_at = 0.0
        self._last_start: _LastStart | None = None

    async def aclose(self) -> None:
        await self.toggl.aclose()

    # --- who and where -------------------------------------------------------------------

    async def profile(self) -> Profile:
        if self._profile is None or time.monotonic() - self._profile_at > PROFILE_SECONDS:
            me = await self.toggl.me.get()
            workspaces = await self.toggl.workspaces.list()
            self._profile = Profile(me, workspaces, _zone(me.timezone))
            self._profile_at = time.monotonic()
        return self._profile

    async def workspace_id(self, ref: str | int | None) -> int:
        """The workspace named or numbered ``ref``, else the user's default."""
        profile = await self.profile()
        if ref is None or str(ref).strip() == "":
            if profile.me.default_workspace_id is None:
                raise ToolInputError("the user has no default workspace; name one")
            return profile.me.default_workspace_id
        text = str(ref).strip()
        matches = [
            w
            for w in profile.workspaces
            if (text.isdigit() and w.id == int(text))
            or (w.name or "").casefold() == text.casefold()
        ]
        if not matches:
            names = ", ".join(f"{w.name} (id {w.id})" for w in profile.workspaces)
            raise ToolInputError(f"no workspace named {text!r}; the user has: {names}")
        if len(matches) > 1:
            raise ToolInputError(f"several workspaces match {text!r}; give its id")
        assert matches[0].id is not None
        return matches[0].id

    # --- names ---------------------------------------------------------------------------

    async def projects(self) -> dict[int, Project]:
        cache = await self.toggl.names.refresh("projects")
        return {
            pid: Project.from_raw(raw) for pid, raw in cache.objects.get("projects", {}).items()
        }

    async def client_names(self) -> dict[int, str]:
        cache = await self.toggl.names.refresh("clients")
        return {cid: str(raw.get("name")) for cid, raw in cache.objects.get("clients", {}).items()}

    async def project_id(self, ref: str | int, workspace_id: int) -> int:
        project = await self.toggl.names.project(ref, workspace_id)
        assert project.id is not None
        return project.id

    async def client_id(self, ref: str | int, workspace_id: int) -> int:
        client = await self.toggl.names.client(ref, workspace_id)
        assert client.id is not None
        return client.id

    # --- rows and envelopes --------------------------------------------------------------

    async def rows(self, entries: list[TimeEntry]) -> list[EntryRow]:
        profile = await self.profile()
        projects = await self.projects() if any(e.project_id for e in entries) else {}
        clients = await self.client_names() if any(p.client_id for p in projects.values()) else {}
        return [entry_row(entry, profile.tz, projects, clients) for entry in entries]

    async def row(self, entry: TimeEntry | None) -> EntryRow | None:
        return (await self.rows([entry]))[0] if entry is not None else None

    def envelope(self, freshness: observe.Freshness) -> dict[str, Any]:
        """The fields every result carries."""
        quota = self.toggl.quota
        return Envelope(
            as_of=freshness.as_of.isoformat(timespec="seconds"),
            cache=freshness.cache,
            quota=QuotaLeft(remaining=quota.remaining, resets_in=quota.resets_in)
            if quota is not None
            else None,
        ).model_dump()

    async def quota_buckets(self) -> list[QuotaBucketRow]:
        """The quota left (see ``me.quota_left``: through a gateway, what it recorded)."""
        return [
            QuotaBucketRow(
                scope=b.scope,
                organization_id=b.organization_id,
                remaining=b.remaining,
                resets_in=b.seconds_to_reset,
                total=b.total,
                observed_at=b.raw.get("observed_at") if b.observed_at else None,  # as sent
            )
            for b in await self.toggl.me.quota_left()
        ]

    # --- timers that must not start twice ------------------------------------------------

    def repeated_start(self, key: tuple[Any, ...]) -> int | None:
        last = self._last_start
        if last and last.key == key and time.monotonic() - last.at < REPEAT_SECONDS:
            return last.entry_id
        return None

    def remember_start(self, key: tuple[Any, ...], entry_id: int) -> None:
        self._last_start = _LastStart(key, entry_id, time.monotonic())
