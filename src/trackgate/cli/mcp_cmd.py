"""``trackgate mcp``: Toggl Track tools for AI agents over stdio (an MCP server)."""

from __future__ import annotations

import click

from trackgate.cli.session import chosen_target


@click.command("mcp")
@click.option("--read-only", is_flag=True, help="Offer only the tools that read: no changes.")
@click.pass_context
def mcp(ctx: click.Context, read_only: bool) -> None:
    """Serve the MCP tools over stdio, as the CLI is configured: TOGGL_API_TOKEN (with
    TOGGL_API_URL), or MATON_API_KEY (with TRACKGATE_GATEWAY_URL and MATON_CONNECTION)."""
    target = chosen_target(ctx)
    from trackgate.mcp.stdio import run_stdio

    run_stdio(target.options, read_only=read_only)
