"""``trackgate timesheet``: a week as a grid, rows by project, a column per day, totals on
both edges; the Reports API's weekly report where the server has one, else the entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import click

from trackgate.cli.exits import one_format, reported
from trackgate.cli.output import emit_csv, emit_json, emit_table
from trackgate.cli.session import Session, open_session
from trackgate.cli.totals import period
from trackgate.cli.tracking import elapsed
from trackgate.cli.when import clock_text, day, localize
from trackgate.client.errors import AuthenticationError, NotFoundError
from trackgate.client.payloads import instant

Grid = dict[int | None, list[int]]  # project id -> seconds per day of the week


def _from_reports(session: Session, wid: int, first: date) -> Grid | None:
    """The weekly report's rows summed over users; None when the server has none."""
    try:
        rows = session.toggl.reports.weekly(wid, first, first + timedelta(days=6))
    except NotFoundError:
        return None
    except AuthenticationError as exc:
        if exc.code is None:
            raise
        return None  # a gateway's own answer: no Reports API routed there
    grid: Grid = {}
    for row in rows:
        days = grid.setdefault(row.get("project_id"), [0] * 7)
        for index, seconds in enumerate((row.get("seconds") or [])[:7]):
            days[index] += int(seconds or 0)
    return grid


def _from_entries(session: Session, first: date) -> Grid:
    start = localize(datetime.combine(first, time(0)), session.tz)
    end = localize(datetime.combine(first + timedelta(days=7), time(0)), session.tz)
    grid: Grid = {}
    listed = session.toggl.time_entries.list(start_date=instant(start), end_date=instant(end))
    for entry in listed:
        if entry.start is None:
            continue
        index = (entry.start.astimezone(session.tz).date() - first).days
        if 0 <= index < 7:
            grid.setdefault(entry.project_id, [0] * 7)[index] += elapsed(entry)
    return grid


def _names(session: Session, wid: int, grid: Grid) -> dict[int | None, str]:
    projects = {p.id: p.name for p in session.toggl.projects.list(wid)} if any(grid) else {}
    return {pid: str(projects.get(pid) or f"#{pid}") if pid else "(no project)" for pid in grid}


@click.command()
@click.option("--date", "when", default="today", help="A day of the week to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the grid as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_context
@one_format
def timesheet(ctx: click.Context, when: str, as_json: bool, as_csv: bool) -> None:
    """The week around --date (Monday to Sunday) as a grid: a row per project, a column per
    day, the totals of each row, each day and the week."""
    session = open_session(ctx)
    with reported():
        first, _ = period("week", day(when, session.now().astimezone(session.tz).date()))
        wid = session.workspace_id()
        grid = _from_reports(session, wid, first)
        if grid is None:
            grid = _from_entries(session, first)
        names = _names(session, wid, grid)
    days = [first + timedelta(days=i) for i in range(7)]
    ordered = sorted(grid, key=lambda pid: (-sum(grid[pid]), names[pid]))
    per_day = [sum(grid[pid][i] for pid in grid) for i in range(7)]
    if as_json:
        emit_json(_as_json(days, ordered, grid, names, per_day))
    elif as_csv:
        header = ["project", *(d.isoformat() for d in days), "total"]
        rows = [[names[p], *grid[p], sum(grid[p])] for p in ordered]
        emit_csv(header, rows, computed=(*header[1:],))
    else:
        columns = ("project", *(f"{d:%a %d}" for d in days), "total")
        table = [[names[p], *map(_cell, grid[p]), clock_text(sum(grid[p]))] for p in ordered]
        table.append(["Total", *map(_cell, per_day), clock_text(sum(per_day))])
        emit_table(columns, table, title=f"Week of {first:%a %d %b %Y}")


def _cell(seconds: int) -> str:
    return clock_text(seconds) if seconds else ""


def _as_json(
    days: list[date],
    ordered: list[int | None],
    grid: Grid,
    names: dict[int | None, str],
    per_day: list[int],
) -> dict[str, Any]:
    return {
        "days": [d.isoformat() for d in days],
        "rows": [
            {"project_id": p, "project": names[p], "seconds": grid[p], "total": sum(grid[p])}
            for p in ordered
        ],
        "totals": per_day,
        "total_seconds": sum(per_day),
    }
