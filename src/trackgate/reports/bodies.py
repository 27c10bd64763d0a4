"""Report request bodies as Toggl's clients send them, validated at the boundary.

One model carries every field the report endpoints read (each endpoint uses its part; fields a
client sends that no report reads are ignored, as Toggl ignores them). :meth:`ReportBody.filters`
turns the wire spelling into the plain :class:`~trackgate.reports.filters.Filters`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator

from trackgate.reports.filters import Filters, IdFilter, Rounding
from trackgate.service.errors import BadRequest
from trackgate.service.payloads import INT64_MAX, Payload, Text

#: Toggl refuses dates outside this range.
EARLIEST = date(2006, 1, 1)
LATEST = date(2030, 1, 1)
#: A report spans at most this many days (as Toggl's one-year limit).
MAX_DAYS = 366
MAX_PAGE_SIZE = 1000

Id = Annotated[StrictInt, Field(ge=1, le=INT64_MAX)]
Seconds = Annotated[StrictInt, Field(ge=0, le=INT64_MAX)]
IdList = list[Id | None]
Resolution = Literal["day", "week", "month"]
DurationFormat = Literal["classic", "decimal", "improved"]
ROUNDING_MINUTES = (0, 1, 5, 6, 10, 12, 15, 30, 60, 240)


def _ids(values: IdList | None) -> IdFilter | None:
    """``None``: no filter; ``[null]`` (or null among ids): also rows where the field is empty."""
    if values is None or len(values) == 0:
        return None
    ids = frozenset(v for v in values if v is not None)
    return IdFilter(ids=ids, include_none=any(v is None for v in values))


def _date(name: str, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date spelled YYYY-MM-DD") from None
    if not EARLIEST <= day <= LATEST:
        raise BadRequest(f"{name} must be between {EARLIEST} and {LATEST}")
    return day


class ReportBody(Payload):
    start_date: Text | None = None
    end_date: Text | None = None
    user_ids: IdList | None = None
    project_ids: IdList | None = None
    client_ids: IdList | None = None
    tag_ids: IdList | None = None
    task_ids: IdList | None = None
    time_entry_ids: list[Id] | None = None
    group_ids: list[Id] | None = None
    billable: StrictBool | None = None
    description: Text | None = None
    min_duration_seconds: Seconds | None = None
    max_duration_seconds: Seconds | None = None
    rounding: Annotated[StrictInt, Field(ge=-1, le=1)] | None = None
    rounding_minutes: StrictInt | None = None
    hide_amounts: StrictBool = False
    # detailed
    grouped: StrictBool = False
    enrich_response: StrictBool = False
    order_by: Literal["date", "user", "duration", "description", "title"] | None = None
    order_dir: Literal["ASC", "DESC", "asc", "desc"] | None = None
    page_size: Annotated[StrictInt, Field(ge=1, le=MAX_PAGE_SIZE)] | None = None
    first_id: Id | None = None
    first_row_number: Annotated[StrictInt, Field(ge=1, le=INT64_MAX)] | None = None
    # summary
    grouping: Literal["projects", "clients", "users"] | None = None
    sub_grouping: (
        Literal["time_entries", "tasks", "projects", "clients", "users", "tags"] | None
    ) = None
    include_time_entry_ids: StrictBool = False
    # totals
    resolution: Resolution | None = None
    granularity: Resolution | None = None
    # exports
    duration_format: DurationFormat = "classic"

    @field_validator("rounding_minutes")
    @classmethod
    def _known_minutes(cls, value: int | None) -> int | None:
        if value is not None and value not in ROUNDING_MINUTES:
            allowed = ", ".join(str(m) for m in ROUNDING_MINUTES)
            raise ValueError(f"must be one of {allowed}")
        return value

    def dates(self, *, default_days: int = 1) -> tuple[date, date]:
        """The inclusive local dates; ``end_date`` defaults to the ``default_days``-day range."""
        if self.start_date is None:
            raise BadRequest("start_date is required")
        first = _date("start_date", self.start_date)
        if self.end_date is None:
            last = first + timedelta(days=default_days - 1)
        else:
            last = _date("end_date", self.end_date)
        if last < first:
            raise BadRequest("end_date must not be earlier than start_date")
        if (last - first).days + 1 > MAX_DAYS:
            raise BadRequest(f"The date range must not exceed {MAX_DAYS} days")
        return first, last

    def filters(self, *, default_days: int = 1) -> Filters:
        if self.group_ids:
            raise BadRequest("group_ids: this service has no user groups")
        lo = self.min_duration_seconds
        hi = self.max_duration_seconds
        if lo is not None and hi is not None and lo > hi:
            raise BadRequest("min_duration_seconds must not exceed max_duration_seconds")
        first, last = self.dates(default_days=default_days)
        return Filters(
            first_day=first,
            last_day=last,
            users=_ids(self.user_ids),
            projects=_ids(self.project_ids),
            clients=_ids(self.client_ids),
            tags=_ids(self.tag_ids),
            tasks=_ids(self.task_ids),
            entry_ids=frozenset(self.time_entry_ids) if self.time_entry_ids else None,
            billable=self.billable,
            description=self.description or None,
            min_seconds=lo,
            max_seconds=hi,
            rounding=self._rounding(),
        )

    def _rounding(self) -> Rounding | None:
        """Rounding applies when ``rounding_minutes`` is above zero; ``rounding`` says which way
        (-1 down, 0 nearest, 1 up, as workspaces spell it), up when not given."""
        if not self.rounding_minutes:
            return None
        direction = self.rounding if self.rounding is not None else 1
        return Rounding(direction=direction, minutes=self.rounding_minutes)

    @property
    def descending(self) -> bool:
        """Detailed rows are newest first unless ``order_dir`` says otherwise."""
        return (self.order_dir or "DESC").upper() == "DESC"

    def summary_order(self) -> tuple[str, bool] | None:
        """A summary's asked order: ``title`` (A to Z by default) or ``duration`` (longest
        first by default); None keeps the order by id."""
        if self.order_by not in ("title", "duration"):
            return None
        default = "DESC" if self.order_by == "duration" else "ASC"
        return self.order_by, (self.order_dir or default).upper() == "DESC"
