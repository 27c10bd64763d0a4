"""What the timer and entry commands share: sending a change or journaling it, and showing
entries to people."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NoReturn

import click

from trackgate.cli import exits
from trackgate.cli.journal import RETRY_LATER
from trackgate.cli.output import note
from trackgate.cli.session import Session
from trackgate.cli.when import clock_text
from trackgate.client import TimeEntry
from trackgate.client.payloads import LONGEST_ENTRY, instant


def send_or_journal(
    session: Session,
    change: dict[str, Any],
    send: Callable[[], TimeEntry],
    *,
    unreachable: Exception | None = None,
) -> TimeEntry | None:
    """Send a change; when it cannot go now (no network, quota, rate limit: ``unreachable``
    when that is already known), or earlier changes still wait, keep it in the journal and
    say so. None when journaled."""
    if session.pending() or unreachable is not None:
        kept = session.journal.append(session.target.fingerprint, change)
        if unreachable is None:
            note("trackgate: earlier changes are not sent yet; this one is journaled after them")
            return None
        _journaled(change, kept, unreachable)
    try:
        return send()
    except RETRY_LATER as exc:
        _journaled(change, session.journal.append(session.target.fingerprint, change), exc)


def confirm_long(seconds: int) -> None:
    """An entry over 24 hours is nearly always a typo: asked on a terminal, refused (exit 2)
    without one unless ``--force``."""
    if seconds <= LONGEST_ENTRY:
        return
    length = clock_text(seconds)
    if sys.stdin.isatty():
        click.confirm(f"The entry is {length} long (over 24 h). Keep it?", abort=True)
        return
    exits.fail(f"the entry is {length} long (over 24 h): check --stop, or add --force", 2)


def _journaled(change: dict[str, Any], kept: dict[str, Any], why: Exception) -> NoReturn:
    note(
        f"trackgate: {exits.describe(why)}. The {change['op']} is saved in the journal "
        f"({kept.get('local_id', 'queued')}); `trackgate sync` sends it."
    )
    raise click.exceptions.Exit(exits.code_for(why)) from why


def spelled(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields with datetimes in Toggl's spelling (the journal stores JSON)."""
    return {k: instant(v) if isinstance(v, datetime) else v for k, v in fields.items()}


def local(moment: datetime | None, session: Session, fmt: str = "%H:%M") -> str:
    return moment.astimezone(session.tz).strftime(fmt) if moment else ""


def elapsed(entry: TimeEntry) -> int:
    if entry.running and entry.start is not None:
        return int((datetime.now(UTC) - entry.start).total_seconds())
    return int(entry.duration or 0)


def project_label(session: Session, entry: TimeEntry) -> str:
    name = entry.raw.get("project_name") or session.name_of("projects", entry.project_id)
    if name:
        return str(name)
    return f"#{entry.project_id}" if entry.project_id else ""


def describe_entry(session: Session, entry: TimeEntry) -> str:
    """``Writing [Project] #tag — 1:02:03 (since 09:30)`` for one line of output."""
    parts = [entry.description or "(no description)"]
    if entry.project_id:
        parts.append(f"[{project_label(session, entry)}]")
    parts += [f"#{t}" for t in entry.tags or []]
    since = f"since {local(entry.start, session)}" if entry.running else "stopped"
    return f"{' '.join(parts)} — {clock_text(elapsed(entry))} ({since})"


def pending_lines(session: Session) -> list[str]:
    """Journaled changes, for people: they are shown marked as not yet sent, those written
    for another server (or other credentials) with where they were meant to go."""
    lines = []
    here = session.target.fingerprint
    for change in [*session.pending(), *session.journal.elsewhere(here)]:
        fields = change.get("fields") or {}
        what = fields.get("description") or change.get("ref") or ""
        when = fields.get("start") or fields.get("stop") or ""
        mark = "not yet sent"
        if change.get("target") != here:
            mark += f", for {change.get('server') or 'another profile'}; `trackgate sync` asks"
        lines.append(f"  ({mark}) {change['op']} {what} {when}".rstrip())
    return lines
