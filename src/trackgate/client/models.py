"""Typed views of Toggl's objects.

Each model reads only the keys it names, tolerates unknown and absent ones (real Toggl sends
more than the embedded service), and keeps the object it came from in ``raw``: printing
``raw`` shows exactly what the server sent (key order, unknown keys, timestamp spelling).
Models are dataclasses (made by :func:`trackgate.client._frozen.frozen`, which starts fast).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from trackgate.client._frozen import Frozen, frozen

M = TypeVar("M", bound="Model")


def parse_instant(value: Any) -> datetime | None:
    """Toggl's timestamps (``Z`` or an offset, optional fractions) as aware datetimes."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@frozen
class Model(Frozen):
    """Base of every model: ``raw`` is the server's object, untouched."""

    raw: dict[str, Any] = dataclasses.field(repr=False, compare=False)
    _instants: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Self:
        values: dict[str, Any] = {"raw": raw}
        for name in cls._field_names:
            if name == "raw":
                continue
            value = raw.get(name)
            if name in cls._instants:
                value = parse_instant(value)
            values[name] = value
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The object as the server sent it."""
        return self.raw


def parse_list(model: type[M], body: Any) -> list[M]:
    """A JSON array of objects as models (``null`` reads as an empty list)."""
    if body is None:
        return []
    return [model.from_raw(item) for item in body if isinstance(item, dict)]


def parse_one(model: type[M], body: Any) -> M | None:
    """A JSON object as a model; ``null`` (e.g. no running entry) as None."""
    return model.from_raw(body) if isinstance(body, dict) else None


@frozen
class Me(Model):
    id: int | None = None
    email: str | None = None
    fullname: str | None = None
    timezone: str | None = None
    default_workspace_id: int | None = None
    beginning_of_week: int | None = None
    api_token: str | None = dataclasses.field(default=None, repr=False)
    at: datetime | None = None
    _instants = frozenset({"at"})


@frozen
class Workspace(Model):
    id: int | None = None
    organization_id: int | None = None
    name: str | None = None
    premium: bool | None = None
    admin: bool | None = None
    default_currency: str | None = None
    server_deleted_at: datetime | None = None
    at: datetime | None = None
    _instants = frozenset({"at", "server_deleted_at"})


@frozen
class Organization(Model):
    id: int | None = None
    name: str | None = None
    pricing_plan_id: int | None = None
    pricing_plan_name: str | None = None
    admin: bool | None = None
    owner: bool | None = None
    user_count: int | None = None
    at: datetime | None = None
    _instants = frozenset({"at"})


@frozen
class WorkspaceUser(Model):
    id: int | None = None
    email: str | None = None
    fullname: str | None = None


@frozen
class TimeEntry(Model):
    id: int | None = None
    workspace_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    billable: bool | None = None
    start: datetime | None = None
    stop: datetime | None = None
    duration: int | None = None
    description: str | None = None
    tags: list[str] | None = None
    tag_ids: list[int] | None = None
    user_id: int | None = None
    at: datetime | None = None
    server_deleted_at: datetime | None = None
    _instants = frozenset({"start", "stop", "at", "server_deleted_at"})

    @property
    def running(self) -> bool:
        return self.duration is not None and self.duration < 0 and self.stop is None


@frozen
class Project(Model):
    id: int | None = None
    workspace_id: int | None = None
    client_id: int | None = None
    name: str | None = None
    active: bool | None = None
    billable: bool | None = None
    color: str | None = None
    rate: float | None = None
    currency: str | None = None
    is_private: bool | None = None
    at: datetime | None = None
    server_deleted_at: datetime | None = None
    _instants = frozenset({"at", "server_deleted_at"})


@frozen
class Client(Model):
    id: int | None = None
    wid: int | None = None
    name: str | None = None
    archived: bool | None = None
    notes: str | None = None
    at: datetime | None = None
    server_deleted_at: datetime | None = None
    _instants = frozenset({"at", "server_deleted_at"})


@frozen
class Tag(Model):
    id: int | None = None
    workspace_id: int | None = None
    name: str | None = None
    at: datetime | None = None
    deleted_at: datetime | None = None
    _instants = frozenset({"at", "deleted_at"})


@frozen
class Task(Model):
    id: int | None = None
    name: str | None = None
    workspace_id: int | None = None
    project_id: int | None = None
    active: bool | None = None
    estimated_seconds: int | None = None
    tracked_seconds: int | None = None
    at: datetime | None = None
    server_deleted_at: datetime | None = None
    _instants = frozenset({"at", "server_deleted_at"})


@frozen
class BulkEditResult(Model):
    success: list[int] | None = None
    failure: list[dict[str, Any]] | None = None


@frozen
class QuotaBucket(Model):
    """One bucket of the hourly quota (organization_id None: the user-scoped one), as Toggl's
    ``GET /me/quota`` spells it (``resets_in_secs``, ``total``) or as a gateway recorded it
    for a connection (``scope`` user or organization, ``resets_in``, ``observed_at``)."""

    organization_id: int | None = None
    remaining: int | None = None
    resets_in_secs: int | None = None
    total: int | None = None
    scope: str | None = None
    resets_in: int | None = None
    observed_at: datetime | None = None
    _instants = frozenset({"observed_at"})

    @property
    def seconds_to_reset(self) -> int | None:
        """Seconds until a slot frees up, in either spelling."""
        return self.resets_in_secs if self.resets_in_secs is not None else self.resets_in


def recorded_buckets(quota: dict[str, Any] | None) -> list[QuotaBucket]:
    """The buckets of a connection's ``quota`` object as a gateway shows it; a gateway that
    shows only the top-level figures gives one bucket of them; nothing recorded, none."""
    if not quota:
        return []
    buckets = parse_list(QuotaBucket, quota.get("buckets"))
    if buckets or quota.get("remaining") is None:
        return buckets
    return [QuotaBucket.from_raw({"organization_id": None, **quota})]


@frozen
class Connection(Model):
    """A gateway connection (Maton shape)."""

    connection_id: str | None = None
    status: str | None = None
    app: str | None = None
    method: str | None = None
    url: str | None = None
    metadata: dict[str, Any] | None = None
    quota: dict[str, Any] | None = None
    creation_time: datetime | None = None
    last_updated_time: datetime | None = None
    _instants = frozenset({"creation_time", "last_updated_time"})


@frozen
class ReportRow(Model):
    """A detailed report row: one description/project group with its ``time_entries``."""

    user_id: int | None = None
    username: str | None = None
    project_id: int | None = None
    task_id: int | None = None
    billable: bool | None = None
    description: str | None = None
    tag_ids: list[int] | None = None
    billable_amount_in_cents: int | None = None
    hourly_rate_in_cents: int | None = None
    currency: str | None = None
    time_entries: list[dict[str, Any]] | None = None
    row_number: int | None = None


@frozen
class Quota(Frozen):
    """What the last answer's ``X-Toggl-Quota-*`` headers said, and when."""

    remaining: int | None
    resets_in: int | None
    observed_at: datetime
