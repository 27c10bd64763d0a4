"""What each report's PDF shows: its title, range, totals, chart bars and table rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from trackgate.reports.clock import LocalCalendar
from trackgate.reports.csv_export import GROUP_TITLES, group_title
from trackgate.reports.detailed import DetailedRow
from trackgate.reports.durations import DurationFormat, duration, money
from trackgate.reports.names import Names
from trackgate.reports.pdf_render import PdfReport, render_pdf
from trackgate.reports.summary import Summary
from trackgate.reports.totals import Totals
from trackgate.reports.weekly import Weekly

#: A detailed PDF lists at most this many entries (the CSV export has them all).
MAX_PDF_ROWS = 2000


def range_text(first: date, last: date) -> str:
    return f"{first.isoformat()} to {last.isoformat()}"


def totals_lines(totals: Totals, style: DurationFormat, hide_amounts: bool) -> list[str]:
    lines = [f"Total {duration(totals.seconds, style)}"]
    lines.append(f"Billable {duration(totals.billable_seconds, style)}")
    if not hide_amounts:
        for currency, cents in sorted(totals.amounts_by_currency().items()):
            lines.append(f"Amount {money(cents)} {currency}")
    return lines


def _bars(totals: Totals) -> list[tuple[str, int]]:
    return [(b.start.strftime("%m-%d"), b.seconds) for b in totals.graph]


def detailed_pdf(
    rows: Iterable[DetailedRow],
    totals: Totals,
    names: Names,
    calendar: LocalCalendar,
    *,
    first: date,
    last: date,
    style: DurationFormat,
    hide_amounts: bool,
) -> bytes:
    notes: list[str] = []

    def lines() -> Iterator[list[str]]:
        count = 0
        for row in islice(rows, MAX_PDF_ROWS + 1):
            count += 1
            if count > MAX_PDF_ROWS:
                notes.append(f"Only the first {MAX_PDF_ROWS} entries are listed; the CSV has all.")
                return
            e = row.first
            start = e.start.astimezone(calendar.zone)
            line = [
                start.strftime("%Y-%m-%d %H:%M"),
                names.user(e.user_id),
                names.project(e.project_id),
                e.description or "",
                duration(e.seconds, style),
            ]
            line.append("" if hide_amounts or not e.billable else money(e.amount_cents))
            yield line

    table = list(lines())
    return render_pdf(
        PdfReport(
            title="Detailed report",
            range_text=range_text(first, last),
            totals=totals_lines(totals, style, hide_amounts),
            chart=_bars(totals),
            columns=["Date", "User", "Project", "Description", "Duration", "Amount"],
            widths=[28, 30, 34, 52, 20, 16],
            rows=table,
            notes=notes,
        )
    )


def summary_pdf(
    report: Summary,
    totals: Totals,
    names: Names,
    *,
    first: date,
    last: date,
    style: DurationFormat,
    hide_amounts: bool,
) -> bytes:
    rows: list[list[str]] = []
    bars: list[tuple[str, int]] = []
    for group in report.groups:
        name = group_title(report.grouping, group.id, None, names)
        bars.append((name, group.seconds))
        for sub in group.sub_groups:
            amount = "" if hide_amounts else money(sum(r.amount_cents for r in sub.rates))
            title = group_title(report.sub_grouping, sub.id, sub.title, names)
            rows.append([name, title, duration(sub.seconds, style), amount])
    return render_pdf(
        PdfReport(
            title="Summary report",
            range_text=range_text(first, last),
            totals=totals_lines(totals, style, hide_amounts),
            chart=bars,
            columns=[
                GROUP_TITLES[report.grouping],
                GROUP_TITLES[report.sub_grouping],
                "Duration",
                "Amount",
            ],
            widths=[55, 75, 25, 25],
            rows=rows,
        )
    )


def weekly_pdf(
    report: Weekly, totals: Totals, names: Names, *, style: DurationFormat, hide_amounts: bool
) -> bytes:
    rows = [
        [
            names.user(r.user_id),
            names.project(r.project_id) if r.project_id else "(no project)",
            *[duration(s, style) for s in r.seconds],
            duration(r.total, style),
        ]
        for r in report.rows
    ]
    bars = [
        (d.strftime("%a %m-%d"), s) for d, s in zip(report.days, report.day_totals(), strict=True)
    ]
    return render_pdf(
        PdfReport(
            title="Weekly report",
            range_text=range_text(report.days[0], report.days[-1]),
            totals=totals_lines(totals, style, hide_amounts),
            chart=bars,
            columns=["User", "Project", *[d.strftime("%a") for d in report.days], "Total"],
            widths=[28, 34, *([15.0] * 7), 13],
            rows=rows,
        )
    )
