"""``trackgate ls | add | edit | rm``: the time entry log."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from typing import Any

import click

from trackgate.cli import exits
from trackgate.cli.exits import one_format, reported
from trackgate.cli.journal import RETRY_LATER
from trackgate.cli.output import emit_csv, emit_json, emit_table, note, say
from trackgate.cli.picking import complete_project
from trackgate.cli.session import Session, open_session
from trackgate.cli.timer import json_option, project_option, tag_option, task_id, task_option
from trackgate.cli.tracking import (
    confirm_long,
    elapsed,
    local,
    pending_lines,
    project_label,
    send_or_journal,
    spelled,
)
from trackgate.cli.when import clock_text, day, duration, ending, localize, moment, split_range
from trackgate.client import TimeEntry
from trackgate.client.payloads import instant

CSV_COLUMNS = ("id", "start", "stop", "duration", "description", "project_id", "tags", "billable")


def _range(session: Session, since: str | None, until: str | None) -> tuple[date, date]:
    today = session.now().astimezone(session.tz).date()
    last = day(until, today) if until else today
    first = day(since, today) if since else last - timedelta(days=6)
    if first > last:
        exits.fail("--since is after --until", exits.USAGE)
    return first, last


def _matches(entry: TimeEntry, project_id: int | None, tags: tuple[str, ...]) -> bool:
    if project_id is not None and entry.project_id != project_id:
        return False
    have = {t.casefold() for t in entry.tags or []}
    return all(t.casefold() in have for t in tags)


@click.command()
@click.option("--since", help="First day, inclusive (today, monday, 2026-01-05, -7d).")
@click.option("--until", help="Last day, inclusive (default: today).")
@project_option
@tag_option
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.pass_context
@one_format
def ls(
    ctx: click.Context,
    since: str | None,
    until: str | None,
    project: str | None,
    tag: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
) -> None:
    """List entries started on those days (default: today and the six days before)."""
    session = open_session(ctx)
    with reported():
        first, last = _range(session, since, until)
        start = localize(datetime.combine(first, time(0)), session.tz)
        end = localize(datetime.combine(last + timedelta(days=1), time(0)), session.tz)
        project_id = None
        if project:
            project_id = session.find("projects", project, session.workspace_id())["id"]
        try:
            listed = session.toggl.time_entries.list(
                start_date=instant(start), end_date=instant(end), meta=not (as_json or as_csv)
            )
        except RETRY_LATER as exc:
            if not session.pending() or as_json or as_csv:
                raise
            note(f"trackgate: {exits.describe(exc)}; showing journaled changes only")
            say("\n".join(["Journaled, not yet sent:", *pending_lines(session)]))
            return
        entries = [e for e in listed if _matches(e, project_id, tag)]
    if as_json:
        emit_json([e.raw for e in entries])
    elif as_csv:
        emit_csv(
            CSV_COLUMNS,
            (
                [e.raw.get(c) for c in CSV_COLUMNS[:-2]] + [";".join(e.tags or []), e.billable]
                for e in entries
            ),
        )
    else:
        rows = _rows_with_day_totals(session, entries)
        header = ("id", "day", "time", "duration", "description", "project", "tags")
        emit_table(header, rows, title=f"{first:%a %d %b} – {last:%a %d %b %Y}")
        waiting = pending_lines(session)
        if waiting:
            say("\n".join(["Journaled, not yet sent:", *waiting]))


def _rows_with_day_totals(session: Session, entries: list[TimeEntry]) -> list[tuple[Any, ...]]:
    """The table's rows: each day's entries, then a line with the day's total."""
    rows: list[tuple[Any, ...]] = []
    day_label, day_seconds = None, 0

    def close_day() -> None:
        if day_label is not None:
            rows.append(("", day_label, "total", clock_text(day_seconds), "", "", ""))

    for e in entries:
        label = local(e.start, session, "%a %d %b")
        if label != day_label:
            close_day()
            day_label, day_seconds = label, 0
        day_seconds += elapsed(e)
        rows.append(
            (
                e.id,
                label,
                f"{local(e.start, session)}–{local(e.stop, session) if e.stop else 'now'}",
                clock_text(elapsed(e)),
                e.description or "",
                project_label(session, e),
                ", ".join(e.tags or []),
            )
        )
    close_day()
    return rows


def _fields(
    session: Session,
    wid: int | None,
    *,
    description: str | None,
    project: str | None,
    tags: tuple[str, ...],
    billable: bool | None,
    task: str | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if description is not None:
        fields["description"] = description
    if project is not None:
        fields["project_id"] = (
            None if project == "" else session.find("projects", project, wid)["id"]
        )
    if task:
        fields["task_id"] = task_id(session, wid, fields.get("project_id"), task)
    if tags:
        fields["tags"] = list(tags)
    if billable is not None:
        fields["billable"] = billable
    return fields


def _moment(session: Session, text: str) -> datetime:
    return moment(text, session.now(), session.tz)


@click.command()
@click.argument("description", default="")
@click.option(
    "--start", required=True, help="When it began (9:00, yesterday 14:00), or a range (9-11)."
)
@click.option("--stop", help="When it ended; a bare time (11:00) is on the start's day.")
@click.option("--duration", "duration_text", help="How long, e.g. 1h30m, 90m, 1:30.")
@project_option
@task_option
@tag_option
@click.option("--billable", is_flag=True, help="Mark the entry billable.")
@click.option("--force", is_flag=True, help="Keep an entry over 24 hours without asking.")
@json_option
@click.pass_context
def add(
    ctx: click.Context,
    description: str,
    start: str,
    stop: str | None,
    duration_text: str | None,
    project: str | None,
    task: str | None,
    tag: tuple[str, ...],
    billable: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Add a finished entry for DESCRIPTION: --start with --stop or --duration, or --start
    as a range (yesterday 9-11)."""
    ranged = split_range(start)
    if ranged is not None:
        if stop is not None or duration_text is not None:
            exits.fail("--start is a range already: drop --stop and --duration", exits.USAGE)
        start, stop = ranged
    if (stop is None) == (duration_text is None):
        exits.fail("give exactly one of --stop and --duration", exits.USAGE)
    session = open_session(ctx)
    with reported():
        wid, why = session.workspace_for_write()
        fields = _fields(
            session,
            wid,
            description=description or None,
            project=project,
            tags=tag,
            billable=True if billable else None,
            task=task,
        )
        began = _moment(session, start)
        if stop is not None:
            ended = ending(stop, began, session.now(), session.tz)
            if ended < began:
                exits.fail("--stop is before --start", exits.USAGE)
            fields["duration"] = int((ended - began).total_seconds())
        else:
            fields["duration"] = duration(duration_text or "")
        fields["start"] = began
        if not force:
            confirm_long(fields["duration"])
        change = {"op": "add", "workspace_id": wid, "fields": spelled(fields)}
        entry = send_or_journal(
            session,
            change,
            lambda: session.toggl.time_entries.create(wid or 0, allow_long=True, **fields),
            unreachable=why,
        )
        if entry is not None:
            emit_json(entry.raw) if as_json else say(f"Added {entry.id}: {entry.description or ''}")


def _check_new_length(session: Session, entry_id: int, fields: dict[str, Any]) -> None:
    """An edit that makes the entry over 24 hours long is asked about, as ``add`` does."""
    if "duration" in fields:
        confirm_long(int(fields["duration"]))
        return
    if "start" not in fields and "stop" not in fields:
        return
    try:
        entry = session.toggl.time_entries.get(entry_id)
    except RETRY_LATER:
        return  # offline: the journal keeps the edit as typed
    start, stop = fields.get("start") or entry.start, fields.get("stop") or entry.stop
    if start is not None and stop is not None and not (entry.running and "stop" not in fields):
        confirm_long(int((stop - start).total_seconds()))


def _latest(session: Session) -> int:
    """The running entry, else the one that started last (in the last 90 days)."""
    running = session.toggl.time_entries.current()
    if running is not None and running.id is not None:
        return running.id
    today = session.now().astimezone(session.tz).date()
    newest = None
    for entry in session.toggl.time_entries.iterate(today - timedelta(days=90), today):
        if entry.id is None or entry.server_deleted_at or entry.start is None:
            continue
        if newest is None or (newest.start is not None and entry.start > newest.start):
            newest = entry
    if newest is None or newest.id is None:
        exits.fail("no entry to change in the last 90 days", exits.NOTHING)
    return newest.id


@click.command()
@click.argument("entry_id", type=int, required=False)
@click.option("-d", "--description", help="New text.")
@click.option("--start", help="New start.")
@click.option("--stop", help="New stop.")
@click.option("--duration", "duration_text", help="New length.")
@click.option(
    "-p", "--project", help="Project name or id ('' clears it).", shell_complete=complete_project
)
@click.option("-t", "--tag", multiple=True, help="Tags (replace the set; repeat).")
@click.option("--billable/--no-billable", default=None, help="Billable or not.")
@click.option("--force", is_flag=True, help="Allow a length over 24 hours without asking.")
@json_option
@click.pass_context
def edit(
    ctx: click.Context,
    entry_id: int | None,
    description: str | None,
    start: str | None,
    stop: str | None,
    duration_text: str | None,
    project: str | None,
    tag: tuple[str, ...],
    billable: bool | None,
    force: bool,
    as_json: bool,
) -> None:
    """Change entry ENTRY_ID (default: the running entry, else the last one): description,
    times, project, tags or billable flag."""
    session = open_session(ctx)
    with reported():
        wid, why = session.workspace_for_write()
        if entry_id is None:
            entry_id = _latest(session)
        target = entry_id
        fields = _fields(
            session, wid, description=description, project=project, tags=tag, billable=billable
        )
        if start:
            fields["start"] = _moment(session, start)
        if stop:
            fields["stop"] = _moment(session, stop)
        if duration_text:
            fields["duration"] = duration(duration_text)
        if not fields:
            exits.fail("nothing to change: give at least one option", exits.NOTHING)
        if not force:
            _check_new_length(session, target, fields)
        change = {
            "op": "edit",
            "workspace_id": wid,
            "ref": entry_id,
            "fields": spelled(fields),
        }
        entry = send_or_journal(
            session,
            change,
            lambda: session.toggl.time_entries.update(wid or 0, target, allow_long=True, **fields),
            unreachable=why,
        )
        if entry is not None:
            emit_json(entry.raw) if as_json else say(f"Changed {entry.id}.")


@click.command()
@click.argument("entry_id", type=int)
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.pass_context
def rm(ctx: click.Context, entry_id: int, yes: bool) -> None:
    """Delete entry ENTRY_ID (asks first on a terminal; --yes skips)."""
    session = open_session(ctx)
    with reported():
        entry = session.toggl.time_entries.get(entry_id)
        if not yes and sys.stdin.isatty():
            click.confirm(
                f"Delete {entry_id} ({entry.description or 'no description'})?", abort=True
            )
        session.toggl.time_entries.delete(entry.workspace_id or session.workspace_id(), entry_id)
        say(f"Deleted {entry_id}.")
