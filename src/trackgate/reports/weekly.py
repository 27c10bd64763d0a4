"""The weekly report: per user and project, seven day totals of the user's week.

The seven days are the week (as the user's ``beginning_of_week`` starts it) holding
``start_date``, in the user's zone; each entry counts on the local day it starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trackgate.reports.clock import day_number
from trackgate.reports.source import ReportSource


@dataclass
class WeeklyRow:
    user_id: int
    project_id: int | None
    seconds: list[int] = field(default_factory=lambda: [0] * 7)
    amounts_cents: list[int] = field(default_factory=lambda: [0] * 7)
    currency: str | None = None
    #: the row's hourly rate when all its billable time has one rate, else null
    rate_cents: int | None = None
    rates_seen: set[int | None] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.seconds)


@dataclass(frozen=True)
class Weekly:
    days: list[date]
    rows: list[WeeklyRow]

    def day_totals(self) -> list[int]:
        return [sum(r.seconds[i] for r in self.rows) for i in range(7)]


def week_source(source: ReportSource) -> ReportSource:
    """The source narrowed to the user's week holding the requested start date."""
    first = source.calendar.week_start(source.filters.first_day)
    filters = dataclasses.replace(
        source.filters, first_day=first, last_day=first + timedelta(days=6)
    )
    return dataclasses.replace(source, filters=filters)


def weekly_report(session: Session, source: ReportSource) -> Weekly:
    source = week_source(source)
    first = source.filters.first_day
    r = source.rows(days=True)
    query = (
        select(
            r.c.user_id,
            r.c.project_id,
            r.c.day,
            r.c.currency,
            r.c.rate_cents,
            func.sum(r.c.seconds),
            func.sum(r.c.amount_cents),
        )
        .group_by(r.c.user_id, r.c.project_id, r.c.day, r.c.currency, r.c.rate_cents)
        .order_by(r.c.user_id, r.c.project_id)
    )
    rows: dict[tuple[int, int | None], WeeklyRow] = {}
    for user_id, project_id, day, currency, rate, seconds, amount in session.execute(query):
        index = int(day) - day_number(first)
        if not 0 <= index < 7:
            continue
        row = rows.setdefault((user_id, project_id), WeeklyRow(user_id, project_id))
        row.seconds[index] += int(seconds or 0)
        row.amounts_cents[index] += int(amount or 0)
        row.currency = row.currency or currency
        if rate is not None:
            row.rates_seen.add(int(rate))
    for row in rows.values():
        row.rate_cents = next(iter(row.rates_seen)) if len(row.rates_seen) == 1 else None
    ordered = sorted(
        rows.values(), key=lambda w: (w.user_id, w.project_id is None, w.project_id or 0)
    )
    return Weekly([first + timedelta(days=i) for i in range(7)], ordered)
