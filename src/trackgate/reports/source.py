"""The entries a report reads, as SQL: which rows (workspace, dates, filters, who may see
them) and the values computed per row (seconds, rounded seconds, rate, amount, local day).

Every report builds on :class:`ReportSource` and lets the database group and sum; no report
loads all of its entries into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from trackgate.reports import dialect, rates
from trackgate.reports.clock import DAY, LocalCalendar
from trackgate.reports.filters import Filters, IdFilter
from trackgate.storage.models import Project, Task, TimeEntry


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _id_condition(column: Any, wanted: IdFilter) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if wanted.ids:
        parts.append(column.in_(sorted(wanted.ids)))
    if wanted.include_none:
        parts.append(column.is_(None))
    return or_(*parts) if parts else false()


@dataclass(frozen=True)
class ReportSource:
    """One report's rows and per-row values, for one workspace and one caller."""

    workspace_id: int
    #: a member (not an admin) reports on their own entries only
    only_user_id: int | None
    filters: Filters
    calendar: LocalCalendar
    now: datetime
    sqlite: bool
    workspace: rates.WorkspaceDefaults

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.calendar.bounds(self.filters.first_day, self.filters.last_day)

    # --- per-row values -------------------------------------------------------------------

    def raw_seconds(self) -> ColumnElement[int]:
        """Tracked seconds; a running entry counts up to now."""
        now = int(self.now.timestamp())
        stop = case(
            (TimeEntry.stop.is_(None), literal(now, BigInteger)),
            else_=dialect.epoch(TimeEntry.stop, self.sqlite),
        )
        return cast(stop - dialect.epoch(TimeEntry.start, self.sqlite), BigInteger)

    def seconds(self) -> ColumnElement[int]:
        """Seconds as the report counts them: each entry rounded on its own when asked."""
        raw = self.raw_seconds()
        rounding = self.filters.rounding
        if rounding is None:
            return raw
        step = literal(rounding.minutes * 60, BigInteger)
        if rounding.direction < 0:
            return (raw // step) * step
        if rounding.direction > 0:
            return ((raw + step - 1) // step) * step
        return ((raw + step // 2) // step) * step

    def rate_cents(self) -> ColumnElement[int]:
        """The entry's hourly rate in cents (null when no rate is set anywhere)."""
        return dialect.round_half_up(rates.hourly_rate(self.workspace) * 100, self.sqlite)

    def billable_seconds(self) -> ColumnElement[int]:
        return case((TimeEntry.billable.is_(True), self.seconds()), else_=0)

    def amount_cents(self) -> ColumnElement[int]:
        """What the entry earns, in cents, rounded half up on its own before any sum."""
        amount = (self.seconds() * self.rate_cents() + 1800) // 3600
        return case(
            (
                and_(TimeEntry.billable.is_(True), rates.hourly_rate(self.workspace).is_not(None)),
                amount,
            ),
            else_=0,
        )

    def currency(self) -> ColumnElement[str]:
        return rates.currency(self.workspace)

    def local_day(self) -> ColumnElement[int]:
        """The local day the entry starts on, as days since 1970-01-01 in the user's zone."""
        low, high = self.bounds
        spans = self.calendar.spans(low, high)
        offset: ColumnElement[int]
        if len(spans) == 1:
            offset = literal(spans[0].offset, BigInteger)
        else:
            whens = [
                (TimeEntry.start < span.since, prev.offset)
                for prev, span in zip(spans, spans[1:], strict=False)
            ]
            offset = case(*whens, else_=spans[-1].offset)
        start = dialect.epoch(TimeEntry.start, self.sqlite)
        return (start + offset) // literal(DAY, BigInteger)

    # --- which rows -----------------------------------------------------------------------

    def conditions(self) -> list[ColumnElement[bool]]:
        f = self.filters
        low, high = self.bounds
        where: list[ColumnElement[bool]] = [
            TimeEntry.workspace_id == self.workspace_id,
            TimeEntry.server_deleted_at.is_(None),
            TimeEntry.start >= low,
            TimeEntry.start < high,
        ]
        if self.only_user_id is not None:
            where.append(TimeEntry.user_id == self.only_user_id)
        if f.users is not None:
            where.append(_id_condition(TimeEntry.user_id, f.users))
        if f.projects is not None:
            where.append(_id_condition(TimeEntry.project_id, f.projects))
        if f.tasks is not None:
            where.append(_id_condition(TimeEntry.task_id, f.tasks))
        if f.clients is not None:
            where.append(_id_condition(Project.client_id, f.clients))
        if f.tags is not None:
            where.append(self._tag_condition(f.tags))
        if f.entry_ids is not None:
            where.append(TimeEntry.id.in_(sorted(f.entry_ids)))
        if f.billable is not None:
            where.append(TimeEntry.billable.is_(f.billable))
        if f.description is not None:
            pattern = _like_pattern(f.description)
            where.append(func.lower(func.coalesce(TimeEntry.description, "")).like(pattern, "\\"))
        if f.min_seconds is not None:
            where.append(self.raw_seconds() >= f.min_seconds)
        if f.max_seconds is not None:
            where.append(self.raw_seconds() <= f.max_seconds)
        return where

    def _tag_condition(self, wanted: IdFilter) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        if wanted.ids:
            elements = dialect.tag_elements(self.sqlite)
            tagged = (
                select(literal(1))
                .select_from(elements)
                .where(dialect.tag_value(elements).in_(sorted(wanted.ids)))
                .exists()
            )
            parts.append(tagged)
        if wanted.include_none:
            parts.append(dialect.tag_count(self.sqlite) == 0)
        return or_(*parts) if parts else false()

    def select(self, *columns: Any) -> Select[Any]:
        """``SELECT columns`` over the report's rows, with the joins the values need."""
        query = (
            select(*columns)
            .select_from(TimeEntry)
            .outerjoin(Project, Project.id == TimeEntry.project_id)
            .outerjoin(Task, Task.id == TimeEntry.task_id)
        )
        return rates.join_rates(query).where(*self.conditions())

    def rows(self, *, per_tag: bool = False, days: bool = False, tags: bool = False) -> Subquery:
        """The report's rows with their values as plain columns, for reports to group on.

        ``per_tag`` repeats an entry once per tag (``tag_id`` null for an untagged entry);
        ``days`` adds the local ``day`` an entry counts on, ``tags`` its tag list as text
        (each costs work on every row, so only the reports that group on them ask).
        Grouping on these columns, not on the expressions, keeps PostgreSQL's GROUP BY exact.

        The entry's seconds and rate are computed once per row in an inner query that the
        database keeps apart (``OFFSET 0``): inlined, each would be computed again in every
        value that uses it (seconds, billable seconds, rate, amount), which on a year of
        entries is most of a summary's time on SQLite.
        """
        base = self.select(
            TimeEntry.id.label("id"),
            TimeEntry.user_id.label("user_id"),
            TimeEntry.project_id.label("project_id"),
            TimeEntry.task_id.label("task_id"),
            Project.client_id.label("client_id"),
            TimeEntry.billable.label("billable"),
            func.coalesce(TimeEntry.description, "").label("description"),
            TimeEntry.start.label("start"),
            self.seconds().label("seconds"),
            self.rate_cents().label("rate"),
            self.currency().label("currency"),
        )
        if tags:
            base = base.add_columns(dialect.tag_list_text(self.sqlite).label("tags"))
        if days:
            base = base.add_columns(self.local_day().label("day"))
        if per_tag:
            elements = dialect.tag_elements(self.sqlite)
            base = base.add_columns(dialect.tag_value(elements).label("tag_id"))
            base = base.outerjoin(elements, true())
        b = base.offset(0).subquery("report_base")
        billable = b.c.billable.is_(True)
        amount = (b.c.seconds * b.c.rate + 1800) // 3600
        values = [
            b.c.id,
            b.c.user_id,
            b.c.project_id,
            b.c.task_id,
            b.c.client_id,
            b.c.billable,
            b.c.description,
            b.c.start,
            b.c.seconds,
            case((billable, b.c.seconds), else_=0).label("billable_seconds"),
            case((billable, b.c.rate), else_=None).label("rate_cents"),
            case((and_(billable, b.c.rate.is_not(None)), amount), else_=0).label("amount_cents"),
            b.c.currency,
        ]
        if tags:
            values.append(b.c.tags)
        if days:
            values.append(b.c.day)
        if per_tag:
            values.append(b.c.tag_id)
        return select(*values).subquery("report_rows")
