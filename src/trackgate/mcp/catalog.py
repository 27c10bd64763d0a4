"""Catalog tools: projects, clients, tags and tasks of a workspace, listed and created."""

from __future__ import annotations

from typing import Any

from trackgate.mcp import observe
from trackgate.mcp.entries import next_cursor, page_bounds
from trackgate.mcp.toolkit import Toolkit
from trackgate.mcp.views import NamedListResult, NamedResult, NamedRow, named_row


def _matching(items: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    if not text:
        return items
    needle = text.casefold()
    return [item for item in items if needle in str(item.get("name", "")).casefold()]


def _page(
    kit: Toolkit,
    freshness: observe.Freshness,
    rows: list[NamedRow],
    limit: int | None,
    cursor: str | None,
) -> NamedListResult:
    offset, size = page_bounds(limit, cursor)
    rows.sort(key=lambda row: (str(row.name or "").casefold(), row.id))
    return NamedListResult(
        **kit.envelope(freshness),
        items=rows[offset : offset + size],
        total_count=len(rows),
        next_cursor=next_cursor(offset, size, len(rows)),
    )


async def list_kind(
    kit: Toolkit,
    freshness: observe.Freshness,
    kind: str,
    *,
    workspace: str | int | None,
    text: str | None,
    limit: int | None,
    cursor: str | None,
    project: str | int | None = None,
) -> tuple[NamedListResult, str]:
    """``kind`` is projects, clients, tags or tasks (tasks: of ``project`` when given)."""
    wid = await kit.workspace_id(workspace)
    clients: dict[int, str] = {}
    if kind == "tasks":
        if project not in (None, ""):
            pid = await kit.project_id(project, wid)
            items = [task.raw for task in await kit.toggl.tasks.list(wid, pid)]
        else:
            listed = await kit.toggl.call("GET", "/me/tasks")
            items = [task for task in listed or [] if _in(task, wid)]
    else:
        cache = await kit.toggl.names.refresh(kind)
        items = [raw for raw in cache.objects.get(kind, {}).values() if _in(raw, wid)]
        items = [raw for raw in items if raw.get("active", True) and not raw.get("archived")]
        if kind == "projects":
            clients = await kit.client_names()
    rows = [named_row(item, clients) for item in _matching(items, text)]
    result = _page(kit, freshness, rows, limit, cursor)
    return result, f"{result.total_count} {kind} in workspace {wid}."


def _in(raw: dict[str, Any], workspace_id: int) -> bool:
    return bool(raw.get("workspace_id", raw.get("wid")) == workspace_id)


async def create_kind(
    kit: Toolkit,
    freshness: observe.Freshness,
    kind: str,
    *,
    name: str,
    workspace: str | int | None,
    client: str | int | None = None,
    billable: bool | None = None,
) -> tuple[NamedResult, str]:
    """A new project (optionally of ``client``), client or tag."""
    wid = await kit.workspace_id(workspace)
    clients: dict[int, str] = {}
    if kind == "projects":
        fields: dict[str, Any] = {"active": True}
        if client not in (None, ""):
            fields["client_id"] = await kit.client_id(client, wid)
            clients = await kit.client_names()
        if billable is not None:
            fields["billable"] = billable
        made: Any = await kit.toggl.projects.create(wid, name, **fields)
    elif kind == "clients":
        made = await kit.toggl.clients.create(wid, name)
    else:
        made = await kit.toggl.tags.create(wid, name)
    row = named_row(made.raw, clients)
    singular = kind.rstrip("s")
    result = NamedResult(**kit.envelope(freshness), item=row)
    return result, f"Created {singular} {row.name!r} (id {row.id})."
