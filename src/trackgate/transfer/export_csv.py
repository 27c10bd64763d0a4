"""Toggl's detailed-report CSV, one file per workspace and year, written by the Reports API's
own CSV code (same columns, same formula-safe cells), over every member's entries."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from trackgate.reports.clock import LocalCalendar, zone_of
from trackgate.reports.csv_export import detailed_csv
from trackgate.reports.detailed import Order, all_entries
from trackgate.reports.filters import Filters
from trackgate.reports.names import load_names
from trackgate.reports.rates import WorkspaceDefaults
from trackgate.reports.source import ReportSource
from trackgate.runtime import Runtime
from trackgate.storage.models import TimeEntry, Workspace
from trackgate.storage.types import utcnow


def csv_name(workspace_id: int, year: int) -> str:
    return f"workspace-{workspace_id}-{year}.csv"


def export_csv(runtime: Runtime, out: Path, zone_name: str) -> dict[str, Any]:
    """Write ``out/workspace-<id>-<year>.csv`` for every year a workspace has entries in,
    dates and times in ``zone_name``, oldest entry first; what was written, with row counts."""
    out.mkdir(parents=True, exist_ok=True)
    calendar = LocalCalendar(zone_of(zone_name))
    written: list[dict[str, Any]] = []
    with runtime.db.read() as session:
        for workspace in session.scalars(select(Workspace).order_by(Workspace.id)).all():
            live = (TimeEntry.workspace_id == workspace.id, TimeEntry.server_deleted_at.is_(None))
            first, last = session.execute(
                select(func.min(TimeEntry.start), func.max(TimeEntry.start)).where(*live)
            ).one()
            if first is None:
                continue
            names = load_names(session, workspace.id)
            defaults = WorkspaceDefaults.of(workspace)
            for year in range(
                first.astimezone(calendar.zone).year, last.astimezone(calendar.zone).year + 1
            ):
                source = ReportSource(
                    workspace_id=workspace.id,
                    only_user_id=None,
                    filters=Filters(date(year, 1, 1), date(year, 12, 31)),
                    calendar=calendar,
                    now=utcnow(),
                    sqlite=runtime.db.is_sqlite,
                    workspace=defaults,
                )
                rows = list(all_entries(session, source, Order("date", descending=False)))
                if not rows:
                    continue
                text = detailed_csv(
                    rows,
                    names,
                    calendar,
                    currency=defaults.currency,
                    hide_amounts=False,
                    style="classic",
                )
                path = out / csv_name(workspace.id, year)
                path.write_text(text, encoding="utf-8", newline="")
                written.append(
                    {"file": str(path), "workspace_id": workspace.id, "year": year,
                     "rows": len(rows)}
                )  # fmt: skip
    return {"format": "csv", "zone": calendar.zone.key, "files": written}
