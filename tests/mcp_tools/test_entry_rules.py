"""Rules an entry made through the MCP tools follows as one made anywhere else: over 24 hours
only when asked for, and billable by its project's default."""

from __future__ import annotations

from tests.mcp_tools.conftest import Session
from tests.mcp_tools.test_tools import call


async def test_an_entry_over_a_day_needs_force(mcp_session: Session) -> None:
    async with mcp_session() as client:
        refused = await client.call_tool(
            "add_entry", {"description": "typo", "start": "-30h", "duration": "26h"}
        )
        kept = await call(
            client, "add_entry", description="shift", start="-30h", duration="26h", force=True
        )
        day = await call(client, "add_entry", description="day", start="-30h", duration="24h")
    assert refused.is_error and "over 24 h" in refused.content[0].text
    assert "force" in refused.content[0].text
    assert kept["entry"]["seconds"] == 26 * 3600
    assert day["entry"]["seconds"] == 24 * 3600


async def test_a_billable_project_makes_its_entries_billable(mcp_session: Session) -> None:
    async with mcp_session() as client:
        await call(client, "create_project", name="Paid", billable=True)
        await call(client, "create_project", name="Free", billable=False)
        paid = await call(
            client, "add_entry", description="a", start="-2h", duration="1h", project="Paid"
        )
        free = await call(
            client, "add_entry", description="b", start="-2h", duration="1h", project="Free"
        )
        said = await call(
            client,
            "add_entry",
            description="c",
            start="-2h",
            duration="1h",
            project="Paid",
            billable=False,
        )
        timer = await call(client, "start_timer", description="d", project="Paid")
    assert paid["entry"]["billable"] is True and free["entry"]["billable"] is False
    assert said["entry"]["billable"] is False
    assert timer["entry"]["billable"] is True


async def test_an_update_over_a_day_needs_force(mcp_session: Session) -> None:
    async with mcp_session() as client:
        added = await call(client, "add_entry", description="e", start="-30h", duration="2h")
        ref = added["entry"]["id"]
        refused = await client.call_tool("update_entry", {"id": ref, "duration": "26h"})
        moved = await client.call_tool("update_entry", {"id": ref, "stop": "-1h"})
        kept = await call(client, "update_entry", id=ref, duration="26h", force=True)
    assert refused.is_error and "over 24 h" in refused.content[0].text
    assert moved.is_error and "force" in moved.content[0].text
    assert kept["entry"]["seconds"] == 26 * 3600
