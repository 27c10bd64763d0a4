"""One rounding rule for billable amounts everywhere (Toggl's: each entry's cents rounded
half up on its own, then added): the CLI's report, the Reports API's totals and weekly report, the
summary PDF and the MCP server's report agree, on amounts where rounding the sum would not.

Three entries of 1:00:09 at 10.00 an hour earn 10.025 each: 10.03 each, 30.09 in all, where
the unrounded sum (30.075) would say 30.07 or 30.08."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pypdfium2 as pdfium
from mcp import Client

from tests.cli.conftest import Terminal, terminal_for
from tests.conftest import LiveServer
from trackgate.client import AsyncToggl
from trackgate.mcp.server import build_server
from trackgate.mcp.toolkit import Toolkit

WEEK = {"start_date": "2024-12-09", "end_date": "2024-12-15"}
EXPECTED_CENTS = 3 * 1003


def _priced_week(server: LiveServer, home: Path) -> Terminal:
    terminal = terminal_for(server, "direct", home)
    terminal.json("projects", "add", "Client work", "--billable", "--rate", "10")
    for hour in (9, 11, 13):
        terminal.json(
            "add", "work", "--start", f"2024-12-11 {hour}:00", "--duration", "1:00:09",
            "-p", "Client work",
        )  # fmt: skip
    return terminal


def _reports(terminal: Terminal, tail: str) -> httpx.Response:
    url = f"{terminal.server.url}/reports/api/v3/workspace/{terminal.workspace_id}/{tail}"
    done = httpx.post(url, json=WEEK, auth=(terminal.user["api_token"], "api_token"))
    assert done.status_code == 200, done.text
    return done


def _pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


async def _mcp_amounts(terminal: Terminal) -> dict[str, Any]:
    toggl = AsyncToggl(
        api_token=terminal.user["api_token"], base_url=f"{terminal.server.url}/api/v9"
    )
    kit = Toolkit(toggl)

    async def toolkit_for(_: Any) -> Toolkit:
        return kit

    try:
        async with Client(build_server(toolkit_for)) as client:
            result = await client.call_tool(
                "summary_report", {"range": "2024-12-09..2024-12-15", "group_by": "project"}
            )
    finally:
        await toggl.aclose()
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def test_every_report_rounds_each_entry(server: LiveServer, tmp_path: Path) -> None:
    terminal = _priced_week(server, tmp_path / "home")

    cli = terminal.json("report", "week", "--date", "2024-12-11", "--by", "project")
    assert [list(g["amounts"].values()) for g in cli["groups"]] == [[30.09]]
    table = terminal.run("report", "week", "--date", "2024-12-11", "--by", "project")
    assert "30.09" in table.stdout

    totals = _reports(terminal, "search/time_entries/totals").json()
    assert totals["billable_amount_in_cents"] == EXPECTED_CENTS
    summary = _reports(terminal, "summary/time_entries").json()  # rates, not amounts
    rates = [r for g in summary["groups"] for s in g["sub_groups"] for r in s["rates"]]
    assert [(r["hourly_rate_in_cents"], r["billable_seconds"]) for r in rates] == [(1000, 10827)]
    weekly = _reports(terminal, "weekly/time_entries").json()
    assert sum(c or 0 for row in weekly for c in row["billable_amounts_in_cents"]) == 3009

    pdf = _pdf_text(_reports(terminal, "summary/time_entries.pdf").content)
    assert "30.09" in pdf and "30.08" not in pdf and "30.07" not in pdf

    mcp = await _mcp_amounts(terminal)
    assert list(mcp["amounts"].values()) == [30.09]
    assert [list(g["amounts"].values()) for g in mcp["groups"]] == [[30.09]]
