"""``trackgate report``: time per project, client, tag, description or day, for a day, week or
month, with rounding, billable amounts and a bar chart drawn in the terminal."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import click

from trackgate.cli import exits
from trackgate.cli.exits import reported
from trackgate.cli.output import emit_csv, emit_json, emit_table, say
from trackgate.cli.session import open_session
from trackgate.cli.totals import GROUPINGS, as_json, bar, period, total
from trackgate.cli.when import clock_text, day, duration, localize
from trackgate.client import TimeEntry
from trackgate.client.payloads import instant


@click.command("report")
@click.argument("span")
@click.option("--date", "when", default="today", help="A day inside the period, e.g. yesterday.")
@click.option("--by", default="project", help=f"Group by: {', '.join(GROUPINGS)}.")
@click.option("--round", "round_to", help="Round each entry up, e.g. 15m.")
@click.option("--json", "as_json_flag", is_flag=True, help="Print totals as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_context
def report(
    ctx: click.Context,
    span: str,
    when: str,
    by: str,
    round_to: str | None,
    as_json_flag: bool,
    as_csv: bool,
) -> None:
    """Totals of the period, computed from the entries (running ones count up to now)."""
    if by not in GROUPINGS or span not in ("day", "week", "month"):
        exits.fail(f"use day|week|month and --by {'|'.join(GROUPINGS)}", exits.USAGE)
    session = open_session(ctx)
    with reported():
        step = duration(round_to) if round_to else 0
        reference = day(when, session.now().astimezone(session.tz).date())
        first, last = period(span, reference)
        start = localize(datetime.combine(first, time(0)), session.tz)
        end = localize(datetime.combine(last + timedelta(days=1), time(0)), session.tz)
        entries = session.toggl.time_entries.list(
            start_date=instant(start), end_date=instant(end), meta=True
        )
        rates = _rates(session, entries)
        lines = total(entries, by, session.tz, step=step, rate_of=lambda e: rates.get(e.project_id))
    if as_json_flag:
        emit_json(as_json(lines, first, last, by))
        return
    if as_csv:
        emit_csv(
            (by, "seconds", "billable_seconds", "amount"),
            (
                (
                    line.label,
                    line.seconds,
                    line.billable_seconds,
                    " ".join(f"{v:.2f} {k}".strip() for k, v in line.amounts.items()),
                )
                for line in lines
            ),
        )
        return
    if not lines:
        say(f"Nothing tracked {first:%a %d %b} – {last:%a %d %b %Y}.")
        return
    largest = max(line.seconds for line in lines)
    rows = [
        (
            line.label,
            clock_text(line.seconds),
            " ".join(f"{v:,.2f} {k}".strip() for k, v in line.amounts.items()),
            bar(line.seconds, largest),
        )
        for line in lines
    ]
    rows.append(("Total", clock_text(sum(line.seconds for line in lines)), "", ""))
    emit_table((by, "time", "billable", ""), rows, title=f"{first:%a %d %b} – {last:%a %d %b %Y}")


def _rates(session: Any, entries: list[TimeEntry]) -> dict[int | None, tuple[float, str]]:
    """Hourly rates of the billable entries' projects (one listing, only when needed)."""
    wanted = {e.workspace_id for e in entries if e.billable and e.project_id}
    rates: dict[int | None, tuple[float, str]] = {}
    for wid in wanted:
        if wid is None:
            continue
        for project in session.toggl.projects.list(wid):
            if project.rate:
                rates[project.id] = (float(project.rate), str(project.currency or ""))
    return rates
