"""``trackgate start | stop | now | continue``: the running timer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from trackgate.cli import exits
from trackgate.cli.exits import reported
from trackgate.cli.journal import PROJECT_NAME, RETRY_LATER
from trackgate.cli.output import emit_json, note, say
from trackgate.cli.picking import complete_project, task_in
from trackgate.cli.session import Session, open_session
from trackgate.cli.tracking import describe_entry, pending_lines, send_or_journal, spelled
from trackgate.cli.when import moment
from trackgate.client import TimeEntry

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the entry as the API spells it."
)
at_option = click.option("--at", help="When, e.g. 9:30, -15m, yesterday 17:00.")
project_option = click.option(
    "-p",
    "--project",
    help="Project name, unique start of a name, or id.",
    shell_complete=complete_project,
)
task_option = click.option("--task", help="Task of the project: name, unique start, or id.")
tag_option = click.option("-t", "--tag", multiple=True, help="Tag name (repeat for several).")


def task_id(session: Session, wid: int | None, project_id: int | None, task: str) -> int:
    """The task named (or numbered) ``task`` in the project; an id alone needs no project."""
    if project_id is None:
        if task.strip().isdigit():
            return int(task)
        exits.fail("--task by name needs --project (or give the task's id)", exits.USAGE)
    return task_in(list(session.toggl.tasks.list(wid or 0, project_id)), task, str(project_id))


def _start_fields(
    session: Session,
    wid: int | None,
    description: str | None,
    project: str | None,
    tags: tuple[str, ...],
    billable: bool,
    task: str | None = None,
) -> tuple[dict[str, Any], Exception | None]:
    """The entry's fields, and why it cannot be sent now when the project's name could not be
    looked up (offline before names were cached): the name is journaled, looked up at sync."""
    fields: dict[str, Any] = {}
    unreachable: Exception | None = None
    if description:
        fields["description"] = description
    if project:
        try:
            fields["project_id"] = session.find("projects", project, wid)["id"]
        except RETRY_LATER as exc:
            fields[PROJECT_NAME], unreachable = project, exc
    if task:
        fields["task_id"] = task_id(session, wid, fields.get("project_id"), task)
    if tags:
        fields["tags"] = list(tags)
    if billable:
        fields["billable"] = True
    return fields, unreachable


def _show(entry: TimeEntry | None, session: Session, as_json: bool, verb: str) -> None:
    if entry is None:
        return
    if as_json:
        emit_json(entry.raw)
    else:
        say(f"{verb} {describe_entry(session, entry)}")


def _stop_running_at(session: Session, when: datetime) -> None:
    """A timer started in the past (``--at``) ends the running one then, not now (Toggl
    would stop it at the time of the request)."""
    running = session.toggl.time_entries.current()
    if running is None or running.id is None or running.start is None:
        return
    if running.start <= when:
        session.toggl.time_entries.update(running.workspace_id or 0, running.id, stop=when)


def _start(
    session: Session,
    wid: int | None,
    fields: dict[str, Any],
    as_json: bool,
    why: Exception | None = None,
    *,
    backdated: bool = False,
) -> None:
    change = {"op": "start", "workspace_id": wid, "fields": spelled(fields)}

    def send() -> TimeEntry:
        assert wid is not None
        if backdated:
            _stop_running_at(session, fields["start"])
        return session.toggl.time_entries.create(wid, duration=-1, **fields)

    entry = send_or_journal(session, change, send, unreachable=why)
    _show(entry, session, as_json, "Started")


@click.command()
@click.argument("description", default="")
@project_option
@task_option
@tag_option
@click.option("--billable", is_flag=True, help="Mark the entry billable.")
@at_option
@json_option
@click.pass_context
def start(
    ctx: click.Context,
    description: str,
    project: str | None,
    task: str | None,
    tag: tuple[str, ...],
    billable: bool,
    at: str | None,
    as_json: bool,
) -> None:
    """Start a timer for DESCRIPTION now (or --at); the running one stops."""
    session = open_session(ctx)
    with reported():
        wid, why = session.workspace_for_write()
        fields, offline = _start_fields(session, wid, description, project, tag, billable, task)
        why = why or offline
        fields["start"] = moment(at, session.now(), session.tz) if at else session.now()
        _start(session, wid, fields, as_json, why, backdated=bool(at))


def _journaled_running(session: Session) -> dict[str, Any] | None:
    """The last journaled start not followed by a journaled stop."""
    running = None
    for change in session.pending():
        if change["op"] == "start":
            running = change
        elif change["op"] == "stop":
            running = None
    return running


@click.command()
@at_option
@json_option
@click.pass_context
def stop(ctx: click.Context, at: str | None, as_json: bool) -> None:
    """Stop the running timer now (or --at). Exit 1 when nothing runs."""
    session = open_session(ctx)
    with reported():
        when = moment(at, session.now(), session.tz) if at else session.now()
        journaled = _journaled_running(session)
        current, why = None, None
        if journaled is None:
            try:
                current = session.toggl.time_entries.current()
            except RETRY_LATER as exc:
                why = exc
            if current is None and why is None:
                exits.fail("nothing is running", exits.NOTHING)
        wid = (current.workspace_id if current else None) or session.workspace_for_write()[0]
        ref: Any = current.id if current else (journaled or {}).get("local_id", "current")
        change = {
            "op": "stop",
            "workspace_id": wid,
            "ref": ref,
            "fields": spelled({"stop": when}),
        }

        def send() -> TimeEntry:
            assert current is not None and current.id is not None and wid is not None
            if at:
                return session.toggl.time_entries.update(wid, current.id, stop=when)
            return session.toggl.time_entries.stop(wid, current.id)

        if journaled is not None:
            session.journal.append(session.target.fingerprint, change)
            note("trackgate: the stop is journaled after the start that is not sent yet")
            return
        _show(send_or_journal(session, change, send, unreachable=why), session, as_json, "Stopped")


@click.command()
@json_option
@click.pass_context
def cancel(ctx: click.Context, as_json: bool) -> None:
    """Discard the running timer: it is deleted, not stopped, and what it was is printed
    (JSON: the entry as it was). Exit 1 when nothing runs."""
    session = open_session(ctx)
    with reported():
        current = session.toggl.time_entries.current()
        if current is None or current.id is None:
            exits.fail("nothing is running", exits.NOTHING)
        wid = current.workspace_id or session.workspace_id()
        session.toggl.time_entries.delete(wid, current.id)
    if as_json:
        emit_json(current.raw)
    else:
        say(f"Discarded {describe_entry(session, current)}")


@click.command()
@json_option
@click.pass_context
def now(ctx: click.Context, as_json: bool) -> None:
    """Show the running timer (JSON: the entry, or null). Exit 0 even when none runs."""
    session = open_session(ctx)
    with reported():
        unknown = False
        try:
            current = session.toggl.time_entries.current()
        except RETRY_LATER as exc:
            if not session.pending():
                raise
            current, unknown = None, True
            note(f"trackgate: {exits.describe(exc)}; showing journaled changes only")
        waiting = pending_lines(session)
        if as_json:
            emit_json(current.raw if current else None)
        elif current is None:
            say("The server cannot be asked now." if unknown else "Nothing running.")
        else:
            say(describe_entry(session, current))
        if waiting:
            (note if as_json else say)("\n".join(["Journaled, not yet sent:", *waiting]))


def _earlier(session: Session, ref: str | None) -> TimeEntry:
    if ref and ref.isdigit():
        return session.toggl.time_entries.get(int(ref))
    today = session.now().astimezone(session.tz).date()
    from datetime import timedelta

    for entry in session.toggl.time_entries.iterate(today - timedelta(days=90), today):
        if entry.running or entry.server_deleted_at:
            continue
        if ref is None or (entry.description or "").casefold() == ref.casefold():
            return entry
    exits.fail(f"no entry described {ref!r} in the last 90 days" if ref else "no entry yet", 1)


@click.command("continue")
@click.argument("ref", required=False)
@at_option
@json_option
@click.pass_context
def continue_(ctx: click.Context, ref: str | None, at: str | None, as_json: bool) -> None:
    """Start again the last entry, or REF (an id, or a description: the newest exact match,
    any case), keeping its project, task, tags and billable flag."""
    session = open_session(ctx)
    with reported():
        earlier = _earlier(session, ref)
        wid = int(earlier.workspace_id or session.workspace_id())
        fields: dict[str, Any] = {
            key: earlier.raw.get(key)
            for key in ("description", "project_id", "task_id", "tags", "billable")
            if earlier.raw.get(key) not in (None, [])
        }
        fields["start"] = moment(at, session.now(), session.tz) if at else session.now()
        _start(session, wid, fields, as_json, backdated=bool(at))
