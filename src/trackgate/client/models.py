"""Typed views of Toggl's objects.

Each model reads only the keys it names, tolerates unknown and absent ones (real Toggl sends
more than the embedded service), and keeps the object it came from in ``raw``: printing
``raw`` shows exactly what the server sent (key order, unknown keys, timestamp spelling).
Models are plain dataclasses so the CLI starts fast.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar, dataclass_transform

M = TypeVar("M", bound="Model")
C = TypeVar("C", bound=type)


def parse_instant(value: Any) -> datetime | None:
    """Toggl's timestamps (``Z`` or an offset, optional fractions) as aware datetimes."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def model(cls: C) -> C:
    """A frozen dataclass whose methods are :class:`Model`'s, shared by every model.

    ``@dataclass(frozen=True)`` writes and compiles six methods per class, which cost the
    command line a tenth of its start; these classes differ only in their fields, so the
    fields are registered (``dataclasses.fields``, ``replace`` and ``asdict`` work) and
    ``__init__``, ``__eq__``, ``__hash__``, ``__repr__`` and the frozen ``__setattr__`` are
    written once, on the base."""
    dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)
    shape: Any = cls
    shape._field_names = tuple(f.name for f in fields)
    shape._compared = tuple(f.name for f in fields if f.compare)
    shape._shown = tuple(f.name for f in fields if f.repr)
    shape._defaults = {
        f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory
        for f in fields
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    shape._factories = frozenset(
        f.name for f in fields if f.default_factory is not dataclasses.MISSING
    )
    return cls


@model
class Model:
    """Base of every model: ``raw`` is the server's object, untouched."""

    raw: dict[str, Any] = dataclasses.field(repr=False, compare=False)
    _instants: ClassVar[frozenset[str]] = frozenset()
    _field_names: ClassVar[tuple[str, ...]]
    _compared: ClassVar[tuple[str, ...]]
    _shown: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]
    _factories: ClassVar[frozenset[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._field_names
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes {len(names)} positional arguments")
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in names:
                raise TypeError(f"{type(self).__name__}() got an unexpected argument {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__}() got {name!r} twice")
            values[name] = value
        for name in names:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__}() is missing {name!r}")
                default = self._defaults[name]
                values[name] = default() if name in self._factories else default
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._compared)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self._compared))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._shown)
        return f"{type(self).__qualname__}({shown})"

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


@model
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


@model
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


@model
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


@model
class WorkspaceUser(Model):
    id: int | None = None
    email: str | None = None
    fullname: str | None = None


@model
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


@model
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


@model
class Client(Model):
    id: int | None = None
    wid: int | None = None
    name: str | None = None
    archived: bool | None = None
    notes: str | None = None
    at: datetime | None = None
    server_deleted_at: datetime | None = None
    _instants = frozenset({"at", "server_deleted_at"})


@model
class Tag(Model):
    id: int | None = None
    workspace_id: int | None = None
    name: str | None = None
    at: datetime | None = None
    deleted_at: datetime | None = None
    _instants = frozenset({"at", "deleted_at"})


@model
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


@model
class BulkEditResult(Model):
    success: list[int] | None = None
    failure: list[dict[str, Any]] | None = None


@model
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


@model
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


@model
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


@dataclasses.dataclass(frozen=True)
class Quota:
    """What the last answer's ``X-Toggl-Quota-*`` headers said, and when."""

    remaining: int | None
    resets_in: int | None
    observed_at: datetime
