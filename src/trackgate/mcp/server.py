"""The MCP server: Toggl Track tools for agents, on the official ``mcp`` SDK.

``build_server(toolkit_for, read_only=...)`` registers the tools; ``toolkit_for(ctx)`` gives the
:class:`Toolkit` of the caller (one for stdio; one per gateway key and connection over HTTP).
The tools offered follow the caller's scopes (see :mod:`.scoping`): ``read_only`` offers the
tools of the scope ``read``, and ``scopes_of`` gives each caller's own.
Every tool returns structured JSON (its ``outputSchema``) and a one-line text summary; every
result says how old its data is (``as_of``), where it came from (``cache``) and the quota left.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from mcp_types import Resource as ListedResource
from pydantic import BaseModel, Field

from trackgate import __version__
from trackgate.client import TogglClientError
from trackgate.gateway import scopes
from trackgate.mcp import catalog, entries, observe, summary
from trackgate.mcp.entries import KEEP
from trackgate.mcp.scoping import ScopesOf, scope_filter
from trackgate.mcp.toolkit import Toolkit
from trackgate.mcp.views import (
    CurrentEntryResult,
    EntryListResult,
    EntryResult,
    NamedListResult,
    NamedResult,
    QuotaResult,
    SummaryResult,
    UserRow,
    WhoAmIResult,
    WorkspaceRow,
)

ToolkitFor = Callable[[Context], Awaitable[Toolkit]]
#: The scopes ``--read-only`` offers the tools of.
READ_ONLY = frozenset({scopes.READ})

INSTRUCTIONS = (
    "Toggl Track time tracking. Projects, clients, tags and workspaces are named by name or id; "
    'times in words ("9:30", "yesterday 17:00", "-2h") are read in the user\'s Toggl time '
    "zone. Every result carries as_of, cache and quota: Toggl allows few requests an hour, so "
    "prefer one list call over many single ones."
)

# Argument types shared by the tools: the names are part of the interface.
Workspace = Annotated[
    str | int | None,
    Field(description="Workspace name or id; default: the user's default workspace"),
]
ProjectRef = Annotated[str | int | None, Field(description="Project name or id")]
ClientRef = Annotated[str | int | None, Field(description="Client name or id")]
TagNames = Annotated[list[str] | None, Field(description="Tag names")]
Billable = Annotated[bool | None, Field(description="Mark the time billable")]
Limit = Annotated[int | None, Field(description="Rows per page: default 50, at most 200")]
Cursor = Annotated[str | None, Field(description="next_cursor from the previous page")]
RangeText = Annotated[
    str,
    Field(
        description='"today", "yesterday", "this week", "last week", "this month", '
        '"last month", "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (days included)'
    ),
]
Moment = Annotated[
    str | None,
    Field(description='A time: "9:30", "yesterday 17:00", "monday 9:00", "-2h", or ISO 8601'),
]
Duration = Annotated[str | int | None, Field(description='"1h30m", "90m", "1:30" or seconds')]
Text = Annotated[str | None, Field(description="Only names or descriptions containing this")]

# Left out of an update: the entry keeps what it has (null means "clear").
_KEEP = Field(default_factory=lambda: KEEP)

READ = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=True)
CREATE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
CHANGE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
)


def _result(model: BaseModel, summary_line: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=summary_line)],
        structured_content=model.model_dump(mode="json"),
    )


Operation = Callable[[Toolkit, observe.Freshness], Awaitable[tuple[BaseModel, str]]]


class NotDone(Exception):
    """A call that changed nothing on purpose (a delete not confirmed): its result is shown,
    marked as an error so that the agent does not take it for done."""

    def __init__(self, model: BaseModel, line: str) -> None:
        super().__init__(line)
        self.model = model
        self.line = line


async def _run(toolkit_for: ToolkitFor, ctx: Context, operation: Operation) -> CallToolResult:
    """One tool call: record freshness, run, and turn known failures into readable errors."""
    freshness = observe.begin()
    kit = await toolkit_for(ctx)
    try:
        model, line = await operation(kit, freshness)
    except NotDone as not_done:
        result = _result(not_done.model, not_done.line)
        result.is_error = True
        return result
    except (TogglClientError, ValueError) as exc:  # input, names, times, Toggl's refusals
        raise ToolError(str(exc)) from exc
    return _result(model, line)


#: Resources a client can read as they are, listed besides the templates they come from.
LISTED_RESOURCES = (
    ("toggl://timer/current", "timer", "The running timer, if any"),
    ("toggl://entries/today", "entries-today", "Today's time entries"),
    ("toggl://entries/this-week", "entries-this-week", "This week's time entries"),
)


class TogglMCPServer(MCPServer):
    """The MCP server, whose ``resources/list`` names the resources an agent can read
    without filling in a template (reading them still goes through the template)."""

    async def list_resources(self) -> list[ListedResource]:
        listed = await super().list_resources()
        return listed + [
            ListedResource(uri=uri, name=name, description=text, mime_type="application/json")
            for uri, name, text in LISTED_RESOURCES
        ]


async def _read(toolkit_for: ToolkitFor, ctx: Context, operation: Operation) -> str:
    """One resource read: a known failure (a bad key, Toggl's refusal, a bad range) is the
    resource's error with its message, not a crash."""
    freshness = observe.begin()
    try:
        kit = await toolkit_for(ctx)
        model, _line = await operation(kit, freshness)
    except (TogglClientError, ValueError, PermissionError) as exc:
        raise ResourceError(str(exc)) from exc
    return model.model_dump_json()


def _given(**arguments: Any) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if value is not KEEP}


def build_server(
    toolkit_for: ToolkitFor, *, read_only: bool = False, scopes_of: ScopesOf | None = None
) -> MCPServer:
    """The server with the tools the caller's scopes allow: every tool, only the read tools
    when ``read_only``, or what ``scopes_of(ctx)`` allows for each message."""
    # The SDK configures the root logger when nobody has; the host process owns logging.
    root = logging.getLogger()
    placeholder = logging.NullHandler() if not root.handlers else None
    if placeholder is not None:
        root.addHandler(placeholder)
    try:
        server: MCPServer = TogglMCPServer(
            name="trackgate",
            title="Toggl Track",
            version=__version__,
            instructions=INSTRUCTIONS,
        )
    finally:
        if placeholder is not None:
            root.removeHandler(placeholder)
    _read_tools(server, toolkit_for)
    _write_tools(server, toolkit_for)
    _resources(server, toolkit_for)
    if read_only:
        server.middleware.append(scope_filter(lambda _: READ_ONLY))
    elif scopes_of is not None:
        server.middleware.append(scope_filter(scopes_of))
    return server


def _read_tools(server: MCPServer, toolkit_for: ToolkitFor) -> None:
    @server.tool(annotations=READ)
    async def whoami(
        ctx: Context, *, workspace: Workspace = None
    ) -> Annotated[CallToolResult, WhoAmIResult]:
        """Who is signed in to Toggl Track: the user, their workspaces and the default one.
        Call this first to learn the time zone and the workspace names."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            profile = await kit.profile()
            rows = [
                WorkspaceRow(id=w.id, name=w.name, organization_id=w.organization_id)
                for w in profile.workspaces
                if w.id is not None
            ]
            default_id = await kit.workspace_id(workspace)
            default = next((row for row in rows if row.id == default_id), None)
            me = profile.me
            user = UserRow(
                id=me.id,
                email=me.email,
                fullname=me.fullname,
                timezone=me.timezone,
                beginning_of_week=me.beginning_of_week,
            )
            model = WhoAmIResult(
                **kit.envelope(fresh), user=user, workspaces=rows, default_workspace=default
            )
            where = default.name if default else "no workspace"
            return model, f"{me.fullname or me.email} ({me.timezone}), workspace {where}."

        return await _run(toolkit_for, ctx, operation)

    @server.tool(annotations=READ)
    async def current_entry(
        ctx: Context, *, workspace: Workspace = None
    ) -> Annotated[CallToolResult, CurrentEntryResult]:
        """The running timer, if any, with its elapsed seconds."""
        return await _run(toolkit_for, ctx, entries.current_entry)

    @server.tool(annotations=READ)
    async def list_entries(
        ctx: Context,
        *,
        range: RangeText = "today",
        project: ProjectRef = None,
        client: ClientRef = None,
        tags: Annotated[
            list[str] | None, Field(description="Only entries with all these tags")
        ] = None,
        text: Text = None,
        workspace: Workspace = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, EntryListResult]:
        """Time entries that started in a range of days, newest first, with total_count and
        total_seconds for the whole range (not only this page)."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await entries.list_entries(
                kit,
                fresh,
                range_text=range,
                project=project,
                client=client,
                tags=tags,
                text=text,
                workspace=workspace,
                limit=limit,
                cursor=cursor,
            )

        return await _run(toolkit_for, ctx, operation)

    async def listing(
        ctx: Context, kind: str, workspace: Any, text: Any, limit: Any, cursor: Any, **more: Any
    ) -> CallToolResult:
        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await catalog.list_kind(
                kit, fresh, kind, workspace=workspace, text=text, limit=limit, cursor=cursor, **more
            )

        return await _run(toolkit_for, ctx, operation)

    def named_listing(kind: str, doc: str) -> None:
        """``list_<kind>``: one tool per kind, the same arguments and result for each."""

        async def tool(
            ctx: Context,
            *,
            text: Text = None,
            workspace: Workspace = None,
            limit: Limit = None,
            cursor: Cursor = None,
        ) -> Annotated[CallToolResult, NamedListResult]:
            return await listing(ctx, kind, workspace, text, limit, cursor)

        tool.__name__ = tool.__qualname__ = f"list_{kind}"
        tool.__doc__ = doc
        server.tool(annotations=READ)(tool)

    named_listing("projects", "Active projects of a workspace, with their client, sorted by name.")
    named_listing("clients", "Active clients of a workspace, sorted by name.")
    named_listing("tags", "Tags of a workspace, sorted by name.")

    @server.tool(annotations=READ)
    async def list_tasks(
        ctx: Context,
        *,
        project: ProjectRef = None,
        text: Text = None,
        workspace: Workspace = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, NamedListResult]:
        """Tasks of a project (or of the whole workspace when no project is named)."""
        return await listing(ctx, "tasks", workspace, text, limit, cursor, project=project)

    @server.tool(annotations=READ)
    async def summary_report(
        ctx: Context,
        *,
        range: RangeText = "this week",
        group_by: Annotated[
            str, Field(description="project, client, tag, description or day")
        ] = "project",
        rounding: Annotated[
            int, Field(description="Round each entry up to this many minutes; 0 exact")
        ] = 0,
        workspace: Workspace = None,
    ) -> Annotated[CallToolResult, SummaryResult]:
        """Tracked time in a range grouped by project, client, tag, description or day, with
        totals, billable time and billable amounts per currency."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await summary.summary_report(
                kit,
                fresh,
                range_text=range,
                group_by=group_by,
                rounding=rounding,
                workspace=workspace,
            )

        return await _run(toolkit_for, ctx, operation)

    @server.tool(annotations=READ)
    async def quota(
        ctx: Context, *, workspace: Workspace = None
    ) -> Annotated[CallToolResult, QuotaResult]:
        """What is left of Toggl's hourly request quota (per user, and per organization).
        Through a trackgate gateway, the figures it recorded (observed_at says when): asking
        costs none of the quota."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            rows = await kit.quota_buckets()
            known = [r for r in rows if r.remaining is not None]
            tightest = min(known, key=lambda r: r.remaining or 0) if known else None
            model = QuotaResult(
                **kit.envelope(fresh),
                remaining=tightest.remaining if tightest else None,
                resets_in=tightest.resets_in if tightest else None,
                observed_at=tightest.observed_at if tightest else None,
                buckets=rows,
            )
            if tightest is None:
                return model, "Toggl reported no quota."
            line = f"{tightest.remaining} requests left; a slot frees in {tightest.resets_in} s"
            seen = (
                f" (as the gateway saw at {tightest.observed_at})." if tightest.observed_at else "."
            )
            return model, line + seen

        return await _run(toolkit_for, ctx, operation)


def _write_tools(server: MCPServer, toolkit_for: ToolkitFor) -> None:
    @server.tool(annotations=CREATE)
    async def start_timer(
        ctx: Context,
        *,
        description: Annotated[str, Field(description="What is being worked on")] = "",
        project: ProjectRef = None,
        tags: TagNames = None,
        billable: Billable = None,
        start: Moment = None,
        workspace: Workspace = None,
    ) -> Annotated[CallToolResult, EntryResult]:
        """Start a timer now (or at `start`). Toggl stops the running timer: the result shows
        it as `stopped`. Repeating the same start within 10 s returns the same entry."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await entries.start_timer(
                kit,
                fresh,
                description=description,
                project=project,
                tags=tags,
                billable=billable,
                start=start,
                workspace=workspace,
            )

        return await _run(toolkit_for, ctx, operation)

    @server.tool(annotations=CHANGE)
    async def stop_timer(
        ctx: Context, *, workspace: Workspace = None
    ) -> Annotated[CallToolResult, EntryResult]:
        """Stop the running timer; entry is null when nothing was running."""
        return await _run(toolkit_for, ctx, entries.stop_timer)

    @server.tool(annotations=CREATE)
    async def add_entry(
        ctx: Context,
        *,
        description: Annotated[str, Field(description="What was done")] = "",
        start: Annotated[str, Field(description='When it began: "9:00", "yesterday 14:00"')],
        stop: Moment = None,
        duration: Duration = None,
        project: ProjectRef = None,
        tags: TagNames = None,
        billable: Billable = None,
        workspace: Workspace = None,
        force: Annotated[
            bool, Field(description="Keep an entry over 24 hours (refused otherwise)")
        ] = False,
    ) -> Annotated[CallToolResult, EntryResult]:
        """Add a finished entry from `start` and either `stop` or `duration`."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await entries.add_entry(
                kit,
                fresh,
                description=description,
                start=start,
                stop=stop,
                duration=duration,
                project=project,
                tags=tags,
                billable=billable,
                workspace=workspace,
                force=force,
            )

        return await _run(toolkit_for, ctx, operation)

    @server.tool(annotations=CHANGE)
    async def update_entry(
        ctx: Context,
        *,
        id: Annotated[int, Field(description="The entry's id")],
        description: Annotated[str | None, _KEEP, Field(description="New description")],
        project: Annotated[
            str | int | None, _KEEP, Field(description="Project name or id; null clears it")
        ],
        tags: Annotated[list[str] | None, _KEEP, Field(description="Replaces the tags")],
        add_tags: Annotated[list[str] | None, _KEEP, Field(description="Tags to add")],
        remove_tags: Annotated[list[str] | None, _KEEP, Field(description="Tags to remove")],
        billable: Annotated[bool | None, _KEEP, Field(description="Billable or not")],
        start: Annotated[str | None, _KEEP, Field(description="New start time")],
        stop: Annotated[str | None, _KEEP, Field(description="New stop time")],
        duration: Annotated[str | int | None, _KEEP, Field(description="New duration")],
        workspace: Workspace = None,
        force: Annotated[
            bool, Field(description="Allow a length over 24 hours (refused otherwise)")
        ] = False,
    ) -> Annotated[CallToolResult, EntryResult]:
        """Change an entry. An argument left out stays as it is; `project: null` clears the
        project; `tags` replaces the list while `add_tags`/`remove_tags` edit it."""
        changes = _given(
            description=description,
            project=project,
            tags=tags,
            add_tags=add_tags,
            remove_tags=remove_tags,
            billable=billable,
            start=start,
            stop=stop,
            duration=duration,
        )

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await entries.update_entry(kit, fresh, entry_id=id, changes=changes, force=force)

        return await _run(toolkit_for, ctx, operation)

    @server.tool(annotations=CHANGE)
    async def delete_entry(
        ctx: Context,
        *,
        id: Annotated[int, Field(description="The entry's id")],
        confirm: Annotated[bool, Field(description="Must be true to delete")] = False,
        workspace: Workspace = None,
    ) -> Annotated[CallToolResult, EntryResult]:
        """Delete an entry. Without `confirm: true` nothing is deleted and the entry that
        would be is shown, so it can be checked first."""

        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            entry, row = await entries.entry_to_delete(kit, id)
            if not confirm:
                model = EntryResult(**kit.envelope(fresh), entry=row)
                line = f"Not deleted: call again with confirm: true to delete {row.description!r}"
                raise NotDone(model, f"{line} (id {row.id}, {row.seconds} s).")
            return await entries.delete_entry(kit, fresh, entry, row)

        return await _run(toolkit_for, ctx, operation)

    async def creating(ctx: Context, kind: str, **arguments: Any) -> CallToolResult:
        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await catalog.create_kind(kit, fresh, kind, **arguments)

        return await _run(toolkit_for, ctx, operation)

    @server.tool(annotations=CREATE)
    async def create_project(
        ctx: Context,
        *,
        name: Annotated[str, Field(description="The new project's name")],
        client: ClientRef = None,
        billable: Billable = None,
        workspace: Workspace = None,
    ) -> Annotated[CallToolResult, NamedResult]:
        """Create an active project, optionally for a client."""
        return await creating(
            ctx, "projects", name=name, client=client, billable=billable, workspace=workspace
        )

    @server.tool(annotations=CREATE)
    async def create_client(
        ctx: Context,
        *,
        name: Annotated[str, Field(description="The new client's name")],
        workspace: Workspace = None,
    ) -> Annotated[CallToolResult, NamedResult]:
        """Create a client."""
        return await creating(ctx, "clients", name=name, workspace=workspace)

    @server.tool(annotations=CREATE)
    async def create_tag(
        ctx: Context,
        *,
        name: Annotated[str, Field(description="The new tag's name")],
        workspace: Workspace = None,
    ) -> Annotated[CallToolResult, NamedResult]:
        """Create a tag."""
        return await creating(ctx, "tags", name=name, workspace=workspace)


def _resources(server: MCPServer, toolkit_for: ToolkitFor) -> None:
    """The running entry and today's entries as resources, and a weekly timesheet prompt."""

    @server.resource(
        "toggl://entries/{range}",
        name="entries",
        description="Time entries of a range of days: toggl://entries/today, "
        "toggl://entries/this-week, toggl://entries/2026-01-05..2026-01-09",
        mime_type="application/json",
    )
    async def entries_resource(range: str, ctx: Context) -> str:
        async def operation(kit: Toolkit, fresh: observe.Freshness) -> tuple[BaseModel, str]:
            return await entries.list_entries(
                kit,
                fresh,
                range_text=range if any(c.isdigit() for c in range) else range.replace("-", " "),
                project=None,
                client=None,
                tags=None,
                text=None,
                workspace=None,
                limit=entries.MAX_LIMIT,
                cursor=None,
            )

        return await _read(toolkit_for, ctx, operation)

    @server.resource(
        "toggl://timer/{which}",
        name="timer",
        description="The running timer: toggl://timer/current",
        mime_type="application/json",
    )
    async def timer_resource(which: str, ctx: Context) -> str:
        if which != "current":
            raise ResourceError("the timer resource is toggl://timer/current")
        return await _read(toolkit_for, ctx, entries.current_entry)

    @server.prompt(name="weekly_timesheet", description="Write last week's timesheet")
    def weekly_timesheet(group_by: str = "project") -> str:
        return (
            'Call summary_report with range "last week" and group_by '
            f'"{group_by}", then list_entries for "last week". Write a timesheet: one line '
            "per group with hours (h:mm) and billable amounts, then the days with their "
            "entries, then the total. Say how fresh the data is (as_of)."
        )
