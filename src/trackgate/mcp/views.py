"""What tools answer: compact rows an agent can read in little context, and the envelope every
result carries (how old the data is, where it came from, how much quota is left).

Entries show ``running`` and elapsed ``seconds`` instead of Toggl's negative duration, and times
in the profile's zone with their offset. The models are the tools' ``outputSchema``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from pydantic import BaseModel, Field

from trackgate.client import Project, TimeEntry


class QuotaLeft(BaseModel):
    """Toggl's hourly request quota as the last answer reported it."""

    remaining: int | None = Field(description="Requests left in the current hour's bucket")
    resets_in: int | None = Field(description="Seconds until a slot frees up")


class Envelope(BaseModel):
    as_of: str = Field(description="When the oldest data in this result was read (ISO 8601)")
    cache: str | None = Field(
        description="hit, miss, bypass or stale as a trackgate gateway reported it; null direct"
    )
    quota: QuotaLeft | None = Field(description="Toggl quota left, from the last answer")


class EntryRow(BaseModel):
    id: int
    workspace_id: int | None
    description: str
    project_id: int | None
    project: str | None = Field(description="Project name")
    client: str | None = Field(description="Client name of the project")
    tags: list[str]
    billable: bool
    start: str | None = Field(description="ISO 8601 with the profile's offset")
    stop: str | None
    running: bool
    seconds: int = Field(description="Duration; for a running entry, elapsed so far")


class UserRow(BaseModel):
    id: int | None
    email: str | None
    fullname: str | None
    timezone: str | None
    beginning_of_week: int | None


class WorkspaceRow(BaseModel):
    id: int
    name: str | None
    organization_id: int | None


class WhoAmIResult(Envelope):
    user: UserRow
    workspaces: list[WorkspaceRow]
    default_workspace: WorkspaceRow | None


class CurrentEntryResult(Envelope):
    entry: EntryRow | None = Field(description="The running entry; null when none runs")


class EntryResult(Envelope):
    entry: EntryRow | None
    stopped: EntryRow | None = Field(
        default=None, description="The entry this call stopped, if one was running"
    )
    repeated: bool = Field(
        default=False, description="True when an identical start a moment ago was returned again"
    )


class EntryListResult(Envelope):
    range: str
    entries: list[EntryRow]
    total_count: int
    total_seconds: int
    next_cursor: str | None


class NamedRow(BaseModel):
    """A project, client, tag or task."""

    id: int
    name: str | None
    workspace_id: int | None = None
    client: str | None = None
    project_id: int | None = None
    active: bool | None = None
    billable: bool | None = None
    color: str | None = None


class NamedListResult(Envelope):
    items: list[NamedRow]
    total_count: int
    next_cursor: str | None


class NamedResult(Envelope):
    item: NamedRow


class SummaryGroup(BaseModel):
    key: str
    seconds: int
    billable_seconds: int
    amounts: dict[str, float] = Field(description="Billable amount per currency")


class SummaryResult(Envelope):
    range: str
    group_by: str
    rounding_minutes: int
    groups: list[SummaryGroup]
    total_seconds: int
    billable_seconds: int
    amounts: dict[str, float]


class QuotaBucketRow(BaseModel):
    scope: str | None = Field(
        default=None, description="user or organization, as a trackgate gateway recorded it"
    )
    organization_id: int | None
    remaining: int | None
    resets_in: int | None = Field(description="Seconds until a slot frees up")
    total: int | None
    observed_at: str | None = Field(
        default=None, description="When a trackgate gateway saw these figures (ISO 8601)"
    )


class QuotaResult(Envelope):
    remaining: int | None
    resets_in: int | None
    observed_at: str | None = Field(
        default=None, description="When the tightest bucket's figures were seen, via a gateway"
    )
    buckets: list[QuotaBucketRow]


def local_iso(value: datetime | None, tz: tzinfo) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz).isoformat(timespec="seconds")


def elapsed_seconds(entry: TimeEntry, now: datetime) -> int:
    if entry.running and entry.start is not None:
        return max(0, int((now - entry.start).total_seconds()))
    return max(0, entry.duration or 0)


def entry_row(
    entry: TimeEntry, tz: tzinfo, projects: dict[int, Project], clients: dict[int, str]
) -> EntryRow:
    project = projects.get(entry.project_id or -1)
    client = clients.get(project.client_id or -1) if project else None
    return EntryRow(
        id=entry.id or 0,
        workspace_id=entry.workspace_id,
        description=entry.description or "",
        project_id=entry.project_id,
        project=project.name if project else None,
        client=client,
        tags=list(entry.tags or []),
        billable=bool(entry.billable),
        start=local_iso(entry.start, tz),
        stop=None if entry.running else local_iso(entry.stop, tz),
        running=entry.running,
        seconds=elapsed_seconds(entry, datetime.now(UTC)),
    )


def named_row(raw: dict[str, Any], clients: dict[int, str] | None = None) -> NamedRow:
    client_id = raw.get("client_id")
    active = raw.get("active")
    if active is None and "archived" in raw:
        active = not raw["archived"]
    return NamedRow(
        id=raw.get("id") or 0,
        name=raw.get("name"),
        workspace_id=raw.get("workspace_id") or raw.get("wid"),
        client=(clients or {}).get(client_id) if isinstance(client_id, int) else None,
        project_id=raw.get("project_id"),
        active=active,
        billable=raw.get("billable"),
        color=raw.get("color"),
    )


def clock(seconds: int) -> str:
    """``1h 05m`` for a one-line summary."""
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}h {rest // 60:02d}m"
