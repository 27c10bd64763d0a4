"""How Toggl's Reports API v3 spells each report's JSON; what the numbers are lives in the
report modules."""

from __future__ import annotations

from typing import Any

from trackgate.reports.clock import LocalCalendar
from trackgate.reports.detailed import DetailedRow, EntryRow
from trackgate.reports.names import Names
from trackgate.reports.project_summary import ProjectUserRow
from trackgate.reports.summary import Summary
from trackgate.reports.totals import RateTotal, Totals
from trackgate.reports.weekly import Weekly
from trackgate.timefmt import read_stamp

Json = dict[str, Any]


def _entry(entry: EntryRow, calendar: LocalCalendar) -> Json:
    return {
        "id": entry.id,
        "seconds": entry.seconds,
        "start": calendar.local_stamp(entry.start),
        "stop": calendar.local_stamp(entry.stop),
        "at": read_stamp(entry.at),
        "at_tz": calendar.local_stamp(entry.at),
    }


def _enriched(row: DetailedRow, names: Names) -> Json:
    """The names ``enrich_response`` adds, as Toggl's detailed rows spell them."""
    first = row.first
    project = names.projects.get(first.project_id) if first.project_id is not None else None
    person = names.users.get(first.user_id)
    return {
        "client_name": names.client_of_project(first.project_id) or None,
        "email": person.email if person else None,
        "project_color": project.color if project else None,
        "project_hex": project.color if project else None,
        "project_name": project.name if project else None,
        "tag_names": names.tag_list(first.tag_ids),
        "task_name": names.tasks.get(first.task_id) if first.task_id is not None else None,
    }


def detailed_row(
    row: DetailedRow,
    names: Names,
    calendar: LocalCalendar,
    *,
    hide_amounts: bool,
    enrich: bool = False,
) -> Json:
    first = row.first
    body: Json = {
        "user_id": first.user_id,
        "username": names.user(first.user_id),
        "project_id": first.project_id,
        "task_id": first.task_id,
        "billable": first.billable,
        "description": first.description or "",
        "tag_ids": list(first.tag_ids),
        "billable_amount_in_cents": None if hide_amounts else row.amount_cents,
        "hourly_rate_in_cents": None if hide_amounts else first.rate_cents,
        "currency": first.currency,
        "time_entries": [_entry(e, calendar) for e in row.entries],
        "row_number": row.row_number,
    }
    if enrich:
        body.update(_enriched(row, names))
    return body


def rate(total: RateTotal) -> Json:
    return {
        "billable_seconds": total.billable_seconds,
        "currency": total.currency,
        "hourly_rate_in_cents": total.rate_cents,
    }


def totals(report: Totals, *, hide_amounts: bool = False) -> Json:
    amount = None if hide_amounts else report.amount_cents
    return {
        "seconds": report.seconds,
        "rates": [rate(r) for r in report.rates],
        "graph": [
            {
                "seconds": b.seconds,
                "billable_amount_in_cents": None if hide_amounts else b.amount_cents,
                "labour_cost_in_cents": None,
                "by_rate": {str(k): v for k, v in sorted(b.by_rate.items())},
            }
            for b in report.graph
        ],
        "resolution": report.resolution,
        "billable_amount_in_cents": amount,
        "labour_cost_in_cents": None,
        "tracked_days": report.tracked_days,
    }


def summary(report: Summary, *, with_ids: bool) -> Json:
    groups = []
    for group in report.groups:
        subs = []
        for sub in group.sub_groups:
            body: Json = {
                "id": sub.id,
                "title": sub.title,
                "seconds": sub.seconds,
                "rates": [rate(r) for r in sub.rates],
            }
            if with_ids:
                body["ids"] = sub.ids
            subs.append(body)
        groups.append({"id": group.id, "sub_groups": subs})
    return {"groups": groups}


def weekly(report: Weekly, *, hide_amounts: bool = False) -> list[Json]:
    return [
        {
            "user_id": row.user_id,
            "project_id": row.project_id,
            "seconds": row.seconds,
            "billable_amounts_in_cents": None if hide_amounts else row.amounts_cents,
            "hourly_rate_in_cents": None if hide_amounts else row.rate_cents,
            "currency": row.currency,
        }
        for row in report.rows
    ]


def project_users(rows: list[ProjectUserRow]) -> list[Json]:
    return [
        {
            "user_id": r.user_id,
            "project_id": r.project_id,
            "tracked_seconds": r.tracked_seconds,
            "billable_seconds": r.billable_seconds,
        }
        for r in rows
    ]
