"""The week page as HTML: the running timer, the Start form, the entries by day, and the
hours per project as a bar chart drawn here as SVG (no script), with a table of the same
numbers beside it for screen readers and for anyone who prefers figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from trackgate.pages.console.html import Frame, console_page, hidden_csrf, notice, post_form
from trackgate.shield.rawjson import epoch

NO_PROJECT = "(no project)"
BAR_WIDTH = 360
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 160


def hours(seconds: float) -> str:
    """``1:05`` for 65 minutes: hours and minutes, as Toggl shows durations."""
    minutes = int(round(seconds / 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass
class Day:
    label: str
    entries: list[tuple[str, str, str, str]] = field(default_factory=list)  # start, desc, proj, h
    seconds: float = 0.0


@dataclass
class Week:
    """The week's entries by day and per project (a running entry counts until now)."""

    begin: datetime
    days: list[Day]
    totals: list[tuple[str, float]]  # (project, seconds), most first
    running: dict[str, str] | None  # description, project, since, elapsed

    @staticmethod
    def build(
        entries: list[dict[str, Any]],
        current: dict[str, Any] | None,
        projects: dict[int, str],
        begin: datetime,
        zone: ZoneInfo,
        now: datetime,
    ) -> Week:
        def project_of(entry: dict[str, Any]) -> str:
            pid = entry.get("project_id")
            return projects.get(pid, f"project {pid}") if isinstance(pid, int) else NO_PROJECT

        def length(entry: dict[str, Any], start: float) -> float:
            duration = entry.get("duration")
            if isinstance(duration, int | float) and duration >= 0:
                return float(duration)
            return max(0.0, now.timestamp() - start)

        days = [Day((begin + timedelta(days=i)).strftime("%A %d %B")) for i in range(7)]
        totals: dict[str, float] = {}
        for entry in sorted(entries, key=lambda e: str(e.get("start") or "")):
            start = epoch(entry.get("start"))
            if start is None:
                continue
            local = datetime.fromtimestamp(start, zone)
            index = (local.date() - begin.date()).days
            if not 0 <= index < 7:
                continue
            seconds = length(entry, start)
            project = project_of(entry)
            day = days[index]
            day.entries.append(
                (
                    local.strftime("%H:%M"),
                    str(entry.get("description") or ""),
                    project,
                    hours(seconds),
                )
            )
            day.seconds += seconds
            totals[project] = totals.get(project, 0.0) + seconds
        running = None
        if current is not None:
            start = epoch(current.get("start"))
            since = datetime.fromtimestamp(start, zone).strftime("%a %H:%M") if start else "?"
            running = {
                "description": str(current.get("description") or ""),
                "project": project_of(current),
                "since": since,
                "elapsed": hours(length(current, start or now.timestamp())),
            }
        ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return Week(begin, days, ordered, running)


def chart(totals: list[tuple[str, float]]) -> str:
    """Hours per project as horizontal bars; the SVG is a picture of the table after it. No
    accessible name here says "project": that word labels the Start form's field alone."""
    if not totals:
        return "<p>No time tracked this week yet.</p>"
    top = max(seconds for _, seconds in totals) or 1.0
    height = len(totals) * (BAR_HEIGHT + BAR_GAP)
    width = LABEL_WIDTH + BAR_WIDTH + 60
    bars = []
    for i, (project, seconds) in enumerate(totals):
        y = i * (BAR_HEIGHT + BAR_GAP)
        length = max(1, round(BAR_WIDTH * seconds / top))
        name = project if len(project) <= 22 else project[:21] + "…"
        bars.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" '
            f'height="{BAR_HEIGHT}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}">{hours(seconds)}</text>'
        )
    picture = (
        f'<svg class="chart" role="img" aria-labelledby="chart-title" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
        '<title id="chart-title">Chart of this week\'s hours (the same numbers are in the '
        f"table below)</title>{''.join(bars)}</svg>"
    )
    rows = "".join(
        f'<tr><th scope="row">{escape(p)}</th><td data-seconds="{int(s)}">{hours(s)}</td></tr>'
        for p, s in totals
    )
    total = sum(s for _, s in totals)
    table = (
        '<table class="totals"><caption>Hours per project</caption><thead><tr>'
        '<th scope="col">Project</th><th scope="col">Hours</th></tr></thead>'
        f'<tbody>{rows}</tbody><tfoot><tr><th scope="row">Total</th>'
        f'<td data-testid="week-total">{hours(total)}</td></tr></tfoot></table>'
    )
    return f'<figure class="chartbox">{picture}{table}</figure>'


def _timer(frame: Frame, action: str, running: dict[str, str] | None, names: list[str]) -> str:
    if running is not None:
        project = running["project"]
        shown = escape(running["description"]) or '<span class="muted">(no description)</span>'
        return (
            '<section aria-labelledby="timer-title"><h2 id="timer-title">Running</h2>'
            f'<p data-testid="running">{shown} · {escape(project)} · since '
            f"{escape(running['since'])} ({escape(running['elapsed'])})</p>"
            + post_form(f"{action}/stop", frame.csrf, "Stop", css="danger")
            + "</section>"
        )
    options = "".join(f'<option value="{escape(n)}"></option>' for n in names if n)
    return (
        '<section aria-labelledby="timer-title"><h2 id="timer-title">No timer running</h2>'
        f'<form method="post" action="{escape(action)}/start" class="inline">'
        + hidden_csrf(frame.csrf)
        + '<label for="description">Description</label>'
        '<input type="text" id="description" name="description" maxlength="3000" '
        'autocomplete="off"> '
        '<label for="project">Project</label>'
        '<input type="text" id="project" name="project" list="project-names" '
        'autocomplete="off" aria-describedby="project-hint"> '
        f'<datalist id="project-names">{options}</datalist>'
        '<button type="submit">Start</button>'
        '<span class="hint" id="project-hint">A project by its name, or none.</span>'
        "</form></section>"
    )


def _days(week: Week) -> str:
    parts = []
    for day in week.days:
        if not day.entries:
            continue
        rows = "".join(
            f"<tr><td>{escape(s)}</td><td>{escape(d) or '—'}</td><td>{escape(p)}</td>"
            f"<td>{escape(h)}</td></tr>"
            for s, d, p, h in day.entries
        )
        parts.append(
            f"<h3>{escape(day.label)} · {hours(day.seconds)}</h3>"
            '<table><thead><tr><th scope="col">Start</th><th scope="col">Description</th>'
            '<th scope="col">Project</th><th scope="col">Hours</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts) or "<p>No entries this week yet.</p>"


def _title(connection: Any) -> str:
    details = connection.details or {}
    name = details.get("fullname") or details.get("email") or connection.id
    return f"This week of {name}"


def week_page(
    frame: Frame,
    connection: Any,
    week: Week,
    project_names: list[str],
    *,
    message: str | None,
    error: str | None,
) -> str:
    action = f"/console/connections/{connection.id}/week"
    body = (
        f"<h1>{escape(_title(connection))}</h1>"
        + (notice(message) if message else "")
        + (notice(error, error=True) if error else "")
        + f"<p>The week from {escape(week.begin.strftime('%A %d %B %Y'))}, read through this "
        "gateway's quota shield: a fresh mirror answers without asking Toggl.</p>"
        + _timer(frame, action, week.running, project_names)
        + '<section aria-labelledby="totals-title"><h2 id="totals-title">Totals</h2>'
        + chart(week.totals)
        + "</section>"
        + '<section aria-labelledby="days-title"><h2 id="days-title">By day</h2>'
        + _days(week)
        + "</section>"
        + '<p><a href="/console/connections">Back to connections</a></p>'
    )
    return console_page(frame, "This week", body)


def inactive_page(frame: Frame, connection: Any) -> str:
    body = (
        f"<h1>{escape(_title(connection))}</h1>"
        + notice(
            f"This connection is {connection.status}: complete or reconnect it to see its time.",
            error=True,
        )
        + '<p><a href="/console/connections">Back to connections</a></p>'
    )
    return console_page(frame, "This week", body)


def refused_page(frame: Frame, connection: Any, message: str) -> str:
    body = (
        f"<h1>{escape(_title(connection))}</h1>"
        + notice(message, error=True)
        + '<p><a href="/console/connections">Back to connections</a></p>'
    )
    return console_page(frame, "This week", body)
