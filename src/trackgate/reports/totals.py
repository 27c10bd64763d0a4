"""Totals of a report: seconds, billable amounts split by currency and rate, tracked days, and a
graph by day, week or month in the user's calendar.

The database sums per local day, currency and rate; the few rows that gives are folded into
weeks or months here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trackgate.reports.clock import LocalCalendar, day_of
from trackgate.reports.source import ReportSource

Resolution = Literal["day", "week", "month"]


@dataclass(frozen=True)
class RateTotal:
    """Billable time at one hourly rate in one currency."""

    currency: str
    rate_cents: int | None
    billable_seconds: int
    amount_cents: int


@dataclass
class Bucket:
    start: date
    seconds: int = 0
    billable_seconds: int = 0
    amount_cents: int = 0
    #: hourly rate in cents -> billable seconds at that rate
    by_rate: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Totals:
    seconds: int
    billable_seconds: int
    amount_cents: int
    rates: list[RateTotal]
    tracked_days: int
    resolution: Resolution
    graph: list[Bucket]

    def amounts_by_currency(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for rate in self.rates:
            found[rate.currency] = found.get(rate.currency, 0) + rate.amount_cents
        return found


def auto_resolution(first: date, last: date) -> Resolution:
    """Toggl's choice when none is asked: days up to a month, weeks up to a quarter, months."""
    days = (last - first).days + 1
    if days <= 31:
        return "day"
    if days <= 92:
        return "week"
    return "month"


def bucket_start(day: date, resolution: Resolution, calendar: LocalCalendar) -> date:
    if resolution == "week":
        return calendar.week_start(day)
    if resolution == "month":
        return day.replace(day=1)
    return day


def empty_buckets(
    first: date, last: date, resolution: Resolution, calendar: LocalCalendar
) -> dict[date, Bucket]:
    buckets: dict[date, Bucket] = {}
    day = first
    while day <= last:
        start = bucket_start(day, resolution, calendar)
        buckets.setdefault(start, Bucket(start))
        day += timedelta(days=1)
    return buckets


def report_totals(session: Session, source: ReportSource, resolution: Resolution | None) -> Totals:
    f = source.filters
    chosen = resolution or auto_resolution(f.first_day, f.last_day)
    r = source.rows(days=True)
    query = select(
        r.c.day,
        r.c.currency,
        r.c.rate_cents,
        func.sum(r.c.seconds),
        func.sum(r.c.billable_seconds),
        func.sum(r.c.amount_cents),
    ).group_by(r.c.day, r.c.currency, r.c.rate_cents)
    buckets = empty_buckets(f.first_day, f.last_day, chosen, source.calendar)
    rates: dict[tuple[str, int | None], list[int]] = {}
    days: set[int] = set()
    for day_number, currency, rate, seconds, billable, amount in session.execute(query):
        seconds, billable, amount = int(seconds or 0), int(billable or 0), int(amount or 0)
        days.add(int(day_number))
        start = bucket_start(day_of(int(day_number)), chosen, source.calendar)
        bucket = buckets.setdefault(start, Bucket(start))
        bucket.seconds += seconds
        bucket.billable_seconds += billable
        bucket.amount_cents += amount
        if billable:
            key = int(rate) if rate is not None else 0
            bucket.by_rate[key] = bucket.by_rate.get(key, 0) + billable
            slot = rates.setdefault((currency, int(rate) if rate is not None else None), [0, 0])
            slot[0] += billable
            slot[1] += amount
    graph = [buckets[k] for k in sorted(buckets)]
    rate_list = [
        RateTotal(currency, rate, seconds, amount)
        for (currency, rate), (seconds, amount) in sorted(
            rates.items(), key=lambda item: (item[0][0], item[0][1] or 0)
        )
    ]
    return Totals(
        seconds=sum(b.seconds for b in graph),
        billable_seconds=sum(b.billable_seconds for b in graph),
        amount_cents=sum(b.amount_cents for b in graph),
        rates=rate_list,
        tracked_days=len(days),
        resolution=chosen,
        graph=graph,
    )
