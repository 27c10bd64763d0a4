"""The summary tool: time in a range grouped by project, client, tag, description or day,
with each entry rounded before summing and billable amounts per currency.

Computed from the entries themselves, so it answers the same through real Toggl, a gateway or
the embedded service, for every grouping (Toggl's summary report has no tag or day grouping).
An entry belongs to the local day it starts; a running entry counts up to now. Rounding rounds
each entry up to a multiple of ``rounding`` minutes (as people bill); 0 leaves it exact.
Amounts use the project's hourly rate, else the workspace's default rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, tzinfo
from typing import Any

from trackgate.client import Project, TimeEntry
from trackgate.mcp import observe
from trackgate.mcp.entries import entries_in
from trackgate.mcp.toolkit import ToolInputError, Toolkit
from trackgate.mcp.views import SummaryGroup, SummaryResult, clock, elapsed_seconds
from trackgate.money import as_amount, entry_cents, rate_cents

GROUPINGS = ("project", "client", "tag", "description", "day")


def rounded(seconds: int, minutes: int) -> int:
    if minutes <= 0:
        return seconds
    step = minutes * 60
    return math.ceil(seconds / step) * step


async def _workspace_rates(kit: Toolkit) -> dict[int, tuple[float | None, str]]:
    profile = await kit.profile()
    return {
        w.id: (w.raw.get("default_hourly_rate"), w.default_currency or "USD")
        for w in profile.workspaces
        if w.id is not None
    }


async def summary_report(
    kit: Toolkit,
    freshness: observe.Freshness,
    *,
    range_text: str,
    group_by: str,
    rounding: int,
    workspace: str | int | None,
) -> tuple[SummaryResult, str]:
    if group_by not in GROUPINGS:
        raise ToolInputError(f"group_by is one of {', '.join(GROUPINGS)}")
    if not 0 <= rounding <= 1440:
        raise ToolInputError("rounding is minutes between 0 and 1440")
    label, entries = await entries_in(kit, range_text)
    if workspace not in (None, ""):
        wid = await kit.workspace_id(workspace)
        entries = [e for e in entries if e.workspace_id == wid]
    profile = await kit.profile()
    projects = await kit.projects() if any(e.project_id for e in entries) else {}
    clients = await kit.client_names() if projects else {}
    rates = await _workspace_rates(kit)
    now = datetime.now(UTC)
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"seconds": 0, "billable": 0, "amounts": defaultdict(int)}
    )
    total = billable = 0
    amounts: dict[str, int] = defaultdict(int)  # cents
    for entry in entries:
        seconds = rounded(elapsed_seconds(entry, now), rounding)
        project = projects.get(entry.project_id or -1)
        rate, currency = rates.get(entry.workspace_id or -1, (None, "USD"))
        if project is not None and project.rate is not None:
            rate, currency = project.rate, project.currency or currency
        amount = entry_cents(seconds, rate_cents(rate)) if entry.billable and rate else 0
        total += seconds
        billable += seconds if entry.billable else 0
        if amount:
            amounts[currency] += amount
        # An entry with several tags counts in each tag's group, once in the totals.
        for key in _keys(entry, group_by, project, clients, profile.tz):
            group = totals[key]
            group["seconds"] += seconds
            group["billable"] += seconds if entry.billable else 0
            if amount:
                group["amounts"][currency] += amount
    groups = [
        SummaryGroup(
            key=key,
            seconds=value["seconds"],
            billable_seconds=value["billable"],
            amounts={c: as_amount(a) for c, a in value["amounts"].items()},
        )
        for key, value in sorted(totals.items(), key=lambda kv: (-kv[1]["seconds"], kv[0]))
    ]
    result = SummaryResult(
        **kit.envelope(freshness),
        range=label,
        group_by=group_by,
        rounding_minutes=rounding,
        groups=groups,
        total_seconds=total,
        billable_seconds=billable,
        amounts={c: as_amount(a) for c, a in amounts.items()},
    )
    top = ", ".join(f"{g.key} {clock(g.seconds)}" for g in groups[:3])
    return result, f"{clock(total)} in {label} by {group_by}" + (f": {top}." if top else ".")


def _keys(
    entry: TimeEntry, group_by: str, project: Project | None, clients: dict[int, str], tz: tzinfo
) -> list[str]:
    if group_by == "project":
        return [(project.name or f"project {project.id}") if project else "(no project)"]
    if group_by == "client":
        name = clients.get(project.client_id or -1) if project else None
        return [name or "(no client)"]
    if group_by == "tag":
        return list(entry.tags or []) or ["(no tags)"]
    if group_by == "description":
        return [entry.description or "(no description)"]
    assert entry.start is not None
    return [entry.start.astimezone(tz).date().isoformat()]
