"""The MCP tools through the official client, against the real service (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from mcp import Client

from tests.conftest import Person
from tests.mcp_tools.conftest import Session

WRITE_TOOLS = {
    "start_timer",
    "stop_timer",
    "add_entry",
    "update_entry",
    "delete_entry",
    "create_project",
    "create_client",
    "create_tag",
}
READ_TOOLS = {
    "whoami",
    "current_entry",
    "list_entries",
    "list_projects",
    "list_clients",
    "list_tags",
    "list_tasks",
    "summary_report",
    "quota",
}


def today_at(hour: int) -> str:
    """An instant early today (UTC, the test user's zone): inside "today" at any hour."""
    return f"{datetime.now(UTC).date().isoformat()}T{hour:02d}:00:00+00:00"


async def call(client: Client, tool: str, /, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.content and result.content[0].type == "text" and result.content[0].text
    assert result.structured_content is not None
    return result.structured_content


async def test_every_tool_is_listed_with_schemas_and_hints(mcp_session: Session) -> None:
    async with mcp_session() as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name, tool in tools.items():
        assert tool.description and tool.output_schema, name
        assert "as_of" in tool.output_schema["properties"], name
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (name in READ_TOOLS), name
    assert tools["delete_entry"].annotations.destructive_hint is True
    params = tools["update_entry"].input_schema["properties"]
    assert {"id", "description", "project", "tags", "add_tags", "remove_tags"} <= set(params)
    assert tools["update_entry"].input_schema["required"] == ["id"]


async def test_read_only_lists_no_write_tool(mcp_session: Session) -> None:
    async with mcp_session(read_only=True) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        refused = await client.call_tool("start_timer", {"description": "x"})
    assert names == READ_TOOLS
    assert refused.is_error


async def test_timer_by_project_name_stops_the_running_one(mcp_session: Session) -> None:
    async with mcp_session() as client:
        await call(client, "create_project", name="Website")
        first = await call(client, "start_timer", description="design", project="website")
        assert first["entry"]["project"] == "Website" and first["entry"]["running"] is True
        assert first["stopped"] is None and first["cache"] is None
        second = await call(client, "start_timer", description="review", tags=["ui"])
        assert second["stopped"]["id"] == first["entry"]["id"]
        assert second["stopped"]["running"] is False and second["stopped"]["stop"] is not None
        current = await call(client, "current_entry")
        assert current["entry"]["id"] == second["entry"]["id"]
        assert current["entry"]["tags"] == ["ui"] and current["entry"]["seconds"] >= 0
        stopped = await call(client, "stop_timer")
        assert stopped["entry"]["running"] is False
        assert (await call(client, "current_entry"))["entry"] is None
        nothing = await call(client, "stop_timer")
        assert nothing["entry"] is None


async def test_a_repeated_start_returns_the_entry_already_started(mcp_session: Session) -> None:
    async with mcp_session() as client:
        first = await call(client, "start_timer", description="call", tags=["a"])
        again = await call(client, "start_timer", description="call", tags=["a"])
        other = await call(client, "start_timer", description="another")
    assert again["repeated"] is True and again["entry"]["id"] == first["entry"]["id"]
    assert other["repeated"] is False and other["entry"]["id"] != first["entry"]["id"]


async def test_unknown_and_ambiguous_names_are_error_results(mcp_session: Session) -> None:
    async with mcp_session() as client:
        missing = await client.call_tool("start_timer", {"project": "Nope"})
        await call(client, "create_project", name="Alpha")
        await call(client, "create_project", name="alpha")
        ambiguous = await client.call_tool("start_timer", {"project": "ALPHA"})
        running = await call(client, "current_entry")
    assert missing.is_error and "no project named 'Nope'" in missing.content[0].text
    assert ambiguous.is_error and "several projects" in ambiguous.content[0].text
    assert running["entry"] is None


async def test_add_a_past_entry_and_list_yesterday(mcp_session: Session) -> None:
    async with mcp_session() as client:
        await call(client, "create_project", name="Docs")
        added = await call(
            client,
            "add_entry",
            description="writing",
            start="yesterday 9:00",
            duration="1h30m",
            project="Docs",
            tags=["words"],
        )
        await call(client, "add_entry", description="today", start=today_at(1), stop=today_at(2))
        listed = await call(client, "list_entries", range="yesterday")
    entry = added["entry"]
    assert entry["seconds"] == 5400 and entry["start"].endswith("T09:00:00+00:00")
    assert [row["id"] for row in listed["entries"]] == [entry["id"]]
    assert listed["total_count"] == 1 and listed["total_seconds"] == 5400
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert listed["range"] == yesterday and listed["next_cursor"] is None


async def test_add_entry_refuses_a_stop_before_the_start(mcp_session: Session) -> None:
    async with mcp_session() as client:
        backwards = await client.call_tool(
            "add_entry", {"start": "-1h", "stop": "-2h", "description": "x"}
        )
        neither = await client.call_tool("add_entry", {"start": "-1h"})
    assert backwards.is_error and "after it starts" in backwards.content[0].text
    assert neither.is_error and "stop or duration" in neither.content[0].text


async def test_list_pages_with_a_cursor_and_filters(mcp_session: Session) -> None:
    async with mcp_session() as client:
        for hour in range(5):
            await call(
                client,
                "add_entry",
                description=f"task {hour}",
                start=today_at(hour + 1),
                duration="30m",
                tags=["even"] if hour % 2 == 0 else [],
            )
        first = await call(client, "list_entries", range="today", limit=2)
        second = await call(
            client, "list_entries", range="today", limit=2, cursor=first["next_cursor"]
        )
        even = await call(client, "list_entries", range="today", tags=["even"])
        text = await call(client, "list_entries", range="today", text="TASK 3")  # case-insensitive
        bad = await client.call_tool("list_entries", {"limit": 500})
    assert first["total_count"] == 5 and first["total_seconds"] == 5 * 1800
    assert [r["description"] for r in first["entries"]] == ["task 4", "task 3"]
    assert [r["description"] for r in second["entries"]] == ["task 2", "task 1"]
    assert even["total_count"] == 3 and text["total_count"] == 1
    assert bad.is_error and "200" in bad.content[0].text


async def test_update_keeps_what_is_left_out_and_clears_null(mcp_session: Session) -> None:
    async with mcp_session() as client:
        await call(client, "create_project", name="Site")
        added = await call(
            client,
            "add_entry",
            description="draft",
            start="-2h",
            duration="1h",
            project="Site",
            tags=["a", "b"],
        )
        entry_id = added["entry"]["id"]
        tagged = await call(client, "update_entry", id=entry_id, add_tags=["c"], remove_tags=["a"])
        assert tagged["entry"]["tags"] == ["b", "c"]
        assert tagged["entry"]["project"] == "Site" and tagged["entry"]["description"] == "draft"
        cleared = await call(client, "update_entry", id=entry_id, project=None)
        assert cleared["entry"]["project_id"] is None and cleared["entry"]["tags"] == ["b", "c"]
        renamed = await call(client, "update_entry", id=entry_id, description="final", tags=[])
        assert renamed["entry"]["description"] == "final" and renamed["entry"]["tags"] == []
        nothing = await client.call_tool("update_entry", {"id": entry_id})
    assert nothing.is_error and "nothing to change" in nothing.content[0].text


async def test_delete_needs_confirm_and_shows_the_entry(mcp_session: Session) -> None:
    async with mcp_session() as client:
        added = await call(
            client, "add_entry", description="mistake", start=today_at(0), duration="10m"
        )
        entry_id = added["entry"]["id"]
        refused = await client.call_tool("delete_entry", {"id": entry_id})
        still = await call(client, "list_entries", range="today")
        deleted = await call(client, "delete_entry", id=entry_id, confirm=True)
        after = await call(client, "list_entries", range="today")
    assert refused.is_error and "confirm" in refused.content[0].text
    assert refused.structured_content["entry"]["description"] == "mistake"
    assert entry_id in [row["id"] for row in still["entries"]]
    assert deleted["entry"]["id"] == entry_id
    assert entry_id not in [row["id"] for row in after["entries"]]


async def test_summary_by_project_with_rounding_and_amounts(
    mcp_session: Session, user: Person
) -> None:
    async with mcp_session() as client:
        await call(client, "create_client", name="Acme")
        made = await call(client, "create_project", name="Build", client="Acme", billable=True)
        assert made["item"]["client"] == "Acme"
        await call(
            client,
            "add_entry",
            description="a",
            start="yesterday 10:00",
            duration="50m",
            project="Build",
            billable=True,
        )
        await call(client, "add_entry", description="b", start="yesterday 12:00", duration="20m")
        exact = await call(client, "summary_report", range="yesterday", group_by="project")
        rounded = await call(
            client, "summary_report", range="yesterday", group_by="client", rounding=30
        )
        by_day = await call(client, "summary_report", range="yesterday", group_by="day")
        wrong = await client.call_tool("summary_report", {"group_by": "planet"})
    groups = {g["key"]: g for g in exact["groups"]}
    assert groups["Build"]["seconds"] == 3000 and groups["Build"]["billable_seconds"] == 3000
    assert groups["(no project)"]["seconds"] == 1200 and exact["total_seconds"] == 4200
    assert {g["key"]: g["seconds"] for g in rounded["groups"]} == {
        "Acme": 3600,
        "(no client)": 1800,
    }
    assert rounded["total_seconds"] == 5400 and rounded["rounding_minutes"] == 30
    assert [g["key"] for g in by_day["groups"]] == [by_day["range"]]
    assert wrong.is_error and "group_by" in wrong.content[0].text


async def test_whoami_and_quota_carry_the_envelope(mcp_session: Session, user: Person) -> None:
    async with mcp_session() as client:
        who = await call(client, "whoami")
        quota = await call(client, "quota")
    assert who["user"]["email"] == user.email
    assert who["default_workspace"]["id"] == user.workspace_id
    for result in (who, quota):
        assert datetime.fromisoformat(result["as_of"]) <= datetime.now(UTC)
        assert result["cache"] is None  # straight to the service: no gateway said anything
    assert isinstance(quota["buckets"], list)


async def test_resources_and_the_timesheet_prompt(mcp_session: Session) -> None:
    async with mcp_session() as client:
        started = await call(client, "start_timer", description="now")
        timer = await client.read_resource("toggl://timer/current")
        today = await client.read_resource("toggl://entries/today")
        prompts = await client.list_prompts()
    assert f'"id":{started["entry"]["id"]}' in timer.contents[0].text
    assert '"total_count":1' in today.contents[0].text
    assert "weekly_timesheet" in [prompt.name for prompt in prompts.prompts]
