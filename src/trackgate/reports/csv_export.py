"""Reports as CSV, with the column names of Toggl's exports.

Names and descriptions go through :func:`trackgate.csv_cells.text_cell` (no formulas reach a
spreadsheet); durations and amounts are written as the numbers they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from trackgate.csv_cells import text_cell
from trackgate.reports.clock import LocalCalendar
from trackgate.reports.detailed import DetailedRow
from trackgate.reports.durations import DurationFormat, duration, money
from trackgate.reports.names import Names
from trackgate.reports.summary import Summary
from trackgate.reports.weekly import Weekly

GROUP_TITLES = {
    "projects": "Project",
    "clients": "Client",
    "users": "User",
    "tasks": "Task",
    "tags": "Tag",
    "time_entries": "Description",
}


def _writer() -> tuple[io.StringIO, Any]:
    buffer = io.StringIO()
    return buffer, csv.writer(buffer, lineterminator="\r\n")


def detailed_csv(
    rows: Iterable[DetailedRow],
    names: Names,
    calendar: LocalCalendar,
    *,
    currency: str,
    hide_amounts: bool,
    style: DurationFormat,
) -> str:
    buffer, out = _writer()
    header = ["User", "Email", "Client", "Project", "Task", "Description", "Billable"]
    header += ["Start date", "Start time", "End date", "End time", "Duration", "Tags"]
    if not hide_amounts:
        header.append(f"Amount ({currency})")
    out.writerow(header)
    for row in rows:
        for e in row.entries:
            start = e.start.astimezone(calendar.zone)
            stop = e.stop.astimezone(calendar.zone) if e.stop is not None else None
            person = names.users.get(e.user_id)
            typed = [
                person.fullname if person else "",
                person.email if person else "",
                names.client_of_project(e.project_id),
                names.project(e.project_id),
                names.tasks.get(e.task_id, "") if e.task_id is not None else "",
                e.description or "",
            ]
            line = [text_cell(t) for t in typed]
            line += [
                "Yes" if e.billable else "No",
                start.date().isoformat(),
                start.strftime("%H:%M:%S"),
                stop.date().isoformat() if stop else "",
                stop.strftime("%H:%M:%S") if stop else "",
                duration(e.seconds, style),
                text_cell(", ".join(names.tag_list(e.tag_ids))),
            ]
            if not hide_amounts:
                line.append(money(e.amount_cents) if e.billable else "")
            out.writerow(line)
    return buffer.getvalue()


def group_title(kind: str, group_id: int | None, title: str | None, names: Names) -> str:
    """What a summary group or sub-group is called in exports."""
    if kind == "time_entries":
        return title or "(no description)"
    if group_id is None:
        return f"(no {GROUP_TITLES[kind].lower()})"
    if kind == "projects":
        return names.project(group_id)
    if kind == "clients":
        return names.clients.get(group_id, "")
    if kind == "users":
        return names.user(group_id)
    if kind == "tasks":
        return names.tasks.get(group_id, "")
    return names.tags.get(group_id, "")


def summary_csv(
    report: Summary, names: Names, *, currency: str, hide_amounts: bool, style: DurationFormat
) -> str:
    buffer, out = _writer()
    header = [GROUP_TITLES[report.grouping], GROUP_TITLES[report.sub_grouping], "Duration"]
    if not hide_amounts:
        header.append(f"Amount ({currency})")
    out.writerow(header)
    for group in report.groups:
        name = text_cell(group_title(report.grouping, group.id, None, names))
        for sub in group.sub_groups:
            line = [name, text_cell(group_title(report.sub_grouping, sub.id, sub.title, names))]
            line.append(duration(sub.seconds, style))
            if not hide_amounts:
                line.append(money(sum(r.amount_cents for r in sub.rates)))
            out.writerow(line)
    return buffer.getvalue()


def weekly_csv(report: Weekly, names: Names, *, style: DurationFormat) -> str:
    buffer, out = _writer()
    out.writerow(["User", "Project", *[d.isoformat() for d in report.days], "Total"])
    for row in report.rows:
        cells = [duration(s, style) for s in row.seconds]
        project = names.project(row.project_id) if row.project_id else "(no project)"
        person = text_cell(names.user(row.user_id))
        out.writerow([person, text_cell(project), *cells, duration(row.total, style)])
    return buffer.getvalue()
