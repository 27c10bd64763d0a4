"""``trackgate report``: time per project, client, tag, description or day, for a day, week or
month, with rounding, billable amounts and a bar chart drawn in the terminal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import click

from trackgate.cli import exits
from trackgate.cli.exits import one_format, reported
from trackgate.cli.output import emit_csv, emit_json, emit_table, say
from trackgate.cli.session import Session, open_session
from trackgate.cli.totals import GROUPINGS, SPANS, as_json, bar, period, total
from trackgate.cli.when import clock_text, day, duration, localize
from trackgate.client import TimeEntry
from trackgate.client.errors import AuthenticationError, NotFoundError
from trackgate.client.payloads import instant


@click.command("report")
@click.argument("span", metavar="[SPAN]", required=False)
@click.option(
    "--date",
    "when",
    default="today",
    help="A day inside the period (yesterday, 2026-01-05), or last week, this month...",
)
@click.option("--since", help="First day of a custom range (2026-01-05, monday, -14d).")
@click.option("--until", help="Last day of a custom range, inclusive (default: today).")
@click.option(
    "--by", default="project", help=f"Group by: {', '.join(GROUPINGS)} (default: project)."
)
@click.option("--round", "round_to", help="Round each entry up, e.g. 15m.")
@click.option("--json", "as_json_flag", is_flag=True, help="Print totals as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_context
@one_format
def report(
    ctx: click.Context,
    span: str | None,
    when: str,
    since: str | None,
    until: str | None,
    by: str,
    round_to: str | None,
    as_json_flag: bool,
    as_csv: bool,
) -> None:
    """Totals of the period SPAN (day, week or month; default week) around --date, or of the
    days --since to --until: from the Reports API's detailed report where the server has
    one, else computed from the entries (running ones count up to now)."""
    if span is not None and span not in SPANS:
        exits.fail(f"unknown span {span!r}: use one of {', '.join(SPANS)}", exits.USAGE)
    if (since or until) and (span is not None or when != "today"):
        exits.fail("give SPAN and --date, or --since/--until, not both", exits.USAGE)
    if by not in GROUPINGS:
        exits.fail(f"unknown --by {by!r}: use one of {', '.join(GROUPINGS)}", exits.USAGE)
    session = open_session(ctx)
    with reported():
        step = duration(round_to) if round_to else 0
        today = session.now().astimezone(session.tz).date()
        if since or until:
            first, last = custom_range(since, until, today)
        else:
            first, last = named_period(span, when, today)
        start = localize(datetime.combine(first, time(0)), session.tz)
        end = localize(datetime.combine(last + timedelta(days=1), time(0)), session.tz)
        entries = _from_reports(session, by, first, last, (start, end))
        if entries is None:  # the server has no Reports API: the entries themselves
            entries = session.toggl.time_entries.list(
                start_date=instant(start), end_date=instant(end), meta=True
            )
        rates = _rates(session, entries)

        def rate_of(entry: TimeEntry) -> tuple[float, str] | None:
            return entry.raw.get("_rate") or rates.get(entry.project_id)

        lines = total(entries, by, session.tz, step=step, rate_of=rate_of)
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
            computed=("amount",),
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


def custom_range(since: str | None, until: str | None, today: date) -> tuple[date, date]:
    """``--since``/``--until`` as days, inclusive; ``--until`` alone means its own week."""
    last = day(until, today) if until else today
    first = day(since, today) if since else last - timedelta(days=6)
    if first > last:
        exits.fail("--since is after --until", exits.USAGE)
    return first, last


def named_period(span: str | None, when: str, today: date) -> tuple[date, date]:
    """SPAN around --date, where --date may say ``last week`` or ``this month`` itself."""
    words = when.strip().lower().split()
    if len(words) == 2 and words[0] in ("last", "this", "previous") and words[1] in SPANS:
        if span is not None and span != words[1]:
            exits.fail(f"--date {when!r} is not a {span}: drop SPAN or change --date", 2)
        span = words[1]
        first, _ = period(span, today)
        reference = today if words[0] == "this" else first - timedelta(days=1)
        return period(span, reference)
    return period(span or "week", day(when, today))


def _from_reports(
    session: Session, by: str, first: date, last: date, window: tuple[datetime, datetime]
) -> list[TimeEntry] | None:
    """The period's time entries from the Reports API's detailed report, shaped like
    ``/me/time_entries?meta=true`` with the server's own hourly rates; None when the server
    has no Reports API (404).

    The Reports API reads its dates in the zone of the person's profile, which need not be
    the zone this command counts days in (``--tz``, the profile's or the machine's): a day
    more on each side is asked for, and only entries starting inside ``window`` are kept."""
    wid = session.workspace_id()
    asked_first, asked_last = first - timedelta(days=1), last + timedelta(days=1)
    try:
        rows = list(session.toggl.reports.detailed(wid, asked_first, asked_last, page_size=200))
    except NotFoundError:
        return None
    except AuthenticationError as exc:
        if exc.code is None:
            raise
        return None  # a gateway's own answer: that server routes no Reports API there
    projects: dict[Any, Any] = {}
    if by in ("project", "client"):
        projects = {p.id: p for p in session.toggl.projects.list(wid)}
    clients = (
        {c.id: c.name for c in session.toggl.clients.list(wid, status="both")}
        if (by == "client")
        else {}
    )
    tags = {t.id: t.name for t in session.toggl.tags.list(wid)} if by == "tag" else {}
    entries = []
    for row in rows:
        project = projects.get(row.project_id)
        rate = None
        if row.billable and row.hourly_rate_in_cents:
            rate = (row.hourly_rate_in_cents / 100, str(row.currency or ""))
        for piece in row.time_entries or []:
            raw = {
                "id": piece.get("id"),
                "workspace_id": wid,
                "project_id": row.project_id,
                "billable": row.billable,
                "start": piece.get("start"),
                "stop": piece.get("stop"),
                "duration": piece.get("seconds"),
                "description": row.description,
                "tags": [str(tags.get(t, f"tag {t}")) for t in row.tag_ids or []],
                "project_name": project.name if project else None,
                "client_name": clients.get(project.client_id) if project else None,
                "_rate": rate,
            }
            entry = TimeEntry.from_raw(raw)
            if entry.start is not None and window[0] <= entry.start < window[1]:
                entries.append(entry)
    return entries


def _rates(session: Any, entries: list[TimeEntry]) -> dict[int | None, tuple[float, str]]:
    """Hourly rates of the billable entries' projects (one listing, only when needed)."""
    wanted = {
        e.workspace_id for e in entries if e.billable and e.project_id and "_rate" not in e.raw
    }
    rates: dict[int | None, tuple[float, str]] = {}
    for wid in wanted:
        if wid is None:
            continue
        for project in session.toggl.projects.list(wid):
            if project.rate:
                rates[project.id] = (float(project.rate), str(project.currency or ""))
    return rates
