"""The detailed report: entries (or groups of alike entries) in order, a page at a time.

Paging follows Toggl: a page of ``page_size`` rows, and when more follow, the id and row number
of the next row, which the client sends back as ``first_id`` and ``first_row_number``. Single
entries page by key (the sort value of ``first_id``), so a page costs the same however deep it
is; grouped rows page by row number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from trackgate.reports import dialect
from trackgate.reports.source import ReportSource
from trackgate.storage.models import TimeEntry, User

OrderBy = Literal["date", "user", "duration", "description"]
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class EntryRow:
    id: int
    user_id: int
    project_id: int | None
    task_id: int | None
    billable: bool
    description: str | None
    tag_ids: list[int]
    start: datetime
    stop: datetime | None
    at: datetime
    seconds: int
    rate_cents: int | None
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class DetailedRow:
    """One row of the report: a single entry, or alike entries grouped (``grouped``)."""

    row_number: int
    entries: list[EntryRow]

    @property
    def first(self) -> EntryRow:
        return self.entries[0]

    @property
    def seconds(self) -> int:
        return sum(e.seconds for e in self.entries)

    @property
    def amount_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries)


@dataclass(frozen=True)
class Order:
    by: OrderBy = "date"
    descending: bool = True


@dataclass(frozen=True)
class DetailedPage:
    rows: list[DetailedRow]
    next_id: int | None
    next_row_number: int | None


def _entry_columns(source: ReportSource) -> list[Any]:
    return [
        TimeEntry.id,
        TimeEntry.user_id,
        TimeEntry.project_id,
        TimeEntry.task_id,
        TimeEntry.billable,
        TimeEntry.description,
        TimeEntry.tag_ids,
        TimeEntry.start,
        TimeEntry.stop,
        TimeEntry.at,
        source.seconds().label("seconds"),
        source.rate_cents().label("rate_cents"),
        source.amount_cents().label("amount_cents"),
        source.currency().label("currency"),
    ]


def _entry(row: Any) -> EntryRow:
    return EntryRow(
        id=row.id,
        user_id=row.user_id,
        project_id=row.project_id,
        task_id=row.task_id,
        billable=bool(row.billable),
        description=row.description,
        tag_ids=list(row.tag_ids or []),
        start=row.start,
        stop=row.stop,
        at=row.at,
        seconds=int(row.seconds),
        rate_cents=int(row.rate_cents) if row.rate_cents is not None and row.billable else None,
        amount_cents=int(row.amount_cents or 0),
        currency=row.currency,
    )


def _sort_key(source: ReportSource, by: OrderBy) -> ColumnElement[Any]:
    if by == "duration":
        return source.seconds()
    if by == "description":
        return func.coalesce(TimeEntry.description, "")
    if by == "user":
        return func.coalesce(User.fullname, "")
    return TimeEntry.start.expression


def _ordered_entries(source: ReportSource, order: Order) -> tuple[Select[Any], ColumnElement[Any]]:
    key = _sort_key(source, order.by)
    query = source.select(*_entry_columns(source))
    if order.by == "user":
        query = query.join(User, User.id == TimeEntry.user_id)
    if order.descending:
        query = query.order_by(key.desc(), TimeEntry.id.desc())
    else:
        query = query.order_by(key.asc(), TimeEntry.id.asc())
    return query, key


def _from_first(
    session: Session,
    source: ReportSource,
    order: Order,
    query: Select[Any],
    key: Any,
    first_id: int,
) -> Select[Any] | None:
    """Rows from ``first_id`` on, by key; None if that entry is no longer in the report."""
    probe = source.select(key.label("key")).where(TimeEntry.id == first_id)
    if order.by == "user":
        probe = probe.join(User, User.id == TimeEntry.user_id)
    found = session.execute(probe).first()
    if found is None:
        return None
    value = found.key
    if order.descending:
        return query.where(or_(key < value, and_(key == value, TimeEntry.id <= first_id)))
    return query.where(or_(key > value, and_(key == value, TimeEntry.id >= first_id)))


def detailed_page(
    session: Session,
    source: ReportSource,
    order: Order,
    page_size: int,
    first_id: int | None,
    first_row_number: int | None,
) -> DetailedPage:
    """One page of single-entry rows."""
    query, key = _ordered_entries(source, order)
    row_number = first_row_number or 1
    if first_id is not None:
        keyed = _from_first(session, source, order, query, key, first_id)
        query = keyed if keyed is not None else query.offset(row_number - 1)
    elif first_row_number is not None:
        query = query.offset(row_number - 1)
    found = [_entry(r) for r in session.execute(query.limit(page_size + 1))]
    rows = [DetailedRow(row_number + i, [e]) for i, e in enumerate(found[:page_size])]
    if len(found) > page_size:
        return DetailedPage(rows, found[page_size].id, row_number + page_size)
    return DetailedPage(rows, None, None)


def all_entries(session: Session, source: ReportSource, order: Order) -> Iterator[DetailedRow]:
    """Every row of the report in order, read from the database in batches (exports)."""
    query, _ = _ordered_entries(source, order)
    result = session.execute(query.execution_options(yield_per=1000))
    for number, row in enumerate(result, start=1):
        yield DetailedRow(number, [_entry(row)])


# --- grouped rows ---------------------------------------------------------------------------


def grouped_page(
    session: Session,
    source: ReportSource,
    order: Order,
    page_size: int,
    first_row_number: int | None,
) -> DetailedPage:
    """One page of rows that each gather alike entries: same user, project, task, billable,
    description and tags (as Toggl's ``grouped``)."""
    r = source.rows(tags=True)
    keys = [r.c.user_id, r.c.project_id, r.c.task_id, r.c.billable, r.c.description, r.c.tags]
    sort: ColumnElement[Any] = {
        "date": func.max(r.c.start),
        "duration": func.sum(r.c.seconds),
        "description": r.c.description,
        "user": r.c.user_id,
    }[order.by]
    first_entry = func.min(r.c.id)
    ids = dialect.joined_ids(r.c.id, source.sqlite)
    groups = select(first_entry.label("first"), ids.label("ids")).group_by(*keys)
    direction = (sort.desc(), first_entry.desc()) if order.descending else (sort, first_entry)
    row_number = first_row_number or 1
    page = session.execute(
        groups.order_by(*direction).offset(row_number - 1).limit(page_size + 1)
    ).all()
    wanted = [[int(i) for i in str(g.ids).split(",")] for g in page[:page_size]]
    by_id = _entries_by_id(session, source, [i for group in wanted for i in group])
    rows = [
        DetailedRow(row_number + n, sorted((by_id[i] for i in group), key=lambda e: e.start))
        for n, group in enumerate(wanted)
    ]
    if len(page) > page_size:
        return DetailedPage(rows, int(page[page_size].first), row_number + page_size)
    return DetailedPage(rows, None, None)


def _entries_by_id(session: Session, source: ReportSource, ids: list[int]) -> dict[int, EntryRow]:
    found: dict[int, EntryRow] = {}
    for chunk in range(0, len(ids), 500):
        query = source.select(*_entry_columns(source)).where(
            TimeEntry.id.in_(ids[chunk : chunk + 500])
        )
        for row in session.execute(query):
            found[row.id] = _entry(row)
    return found
