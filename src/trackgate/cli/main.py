"""Entry point: ``trackgate <command>``. Every command is imported only when it runs: the
time-tracking commands need only the SDK, the server stack loads for serve, users, accounts,
keys and secrets alone."""

from __future__ import annotations

from typing import Any

import typer

from trackgate import __version__
from trackgate.cli.lazy import Lazy, LazyGroup

COMMANDS: dict[str, Lazy] = {
    "start": Lazy("trackgate.cli.timer:start", "Start a timer (stops the running one)."),
    "stop": Lazy("trackgate.cli.timer:stop", "Stop the running timer."),
    "now": Lazy("trackgate.cli.timer:now", "Show the running timer."),
    "continue": Lazy("trackgate.cli.timer:continue_", "Start again an earlier entry."),
    "ls": Lazy("trackgate.cli.entries:ls", "List time entries (today and the six days before)."),
    "add": Lazy("trackgate.cli.entries:add", "Add a finished time entry."),
    "edit": Lazy("trackgate.cli.entries:edit", "Change a time entry."),
    "rm": Lazy("trackgate.cli.entries:rm", "Delete a time entry."),
    "sync": Lazy("trackgate.cli.sync:sync", "Send the changes journaled while offline."),
    "report": Lazy("trackgate.cli.report:report", "Totals for a day, week or month."),
    "quota": Lazy("trackgate.cli.quota:quota", "What is left of Toggl's hourly quota."),
    "projects": Lazy("trackgate.cli.catalog:projects", "Projects: ls, add, edit, rm."),
    "clients": Lazy("trackgate.cli.catalog:clients", "Clients: ls, add, edit, rm, archive."),
    "tags": Lazy("trackgate.cli.catalog:tags", "Tags: ls, add, edit, rm."),
    "tasks": Lazy("trackgate.cli.catalog:tasks", "Tasks of a project: ls, add, edit, rm."),
    "workspaces": Lazy("trackgate.cli.catalog:workspaces", "Workspaces: ls."),
    "connections": Lazy("trackgate.cli.connections:app", "Gateway connections."),
    "mcp": Lazy("trackgate.cli.mcp_cmd:mcp", "Toggl tools for AI agents (MCP over stdio)."),
    "config": Lazy("trackgate.cli.config_cmd:app", "Profiles in config.toml."),
    "serve": Lazy("trackgate.cli.serve:serve", "Run the Toggl-compatible service and gateway."),
    "users": Lazy("trackgate.cli.users:app", "Manage users of the embedded service."),
    "secrets": Lazy("trackgate.cli.secrets:app", "Manage the key that encrypts secrets."),
    "accounts": Lazy("trackgate.cli.accounts:app", "Manage gateway accounts."),
    "keys": Lazy("trackgate.cli.keys:app", "Manage gateway API keys."),
}


class TrackgateGroup(LazyGroup):
    lazy = COMMANDS


def _version(value: bool) -> None:
    if value:
        print(f"trackgate {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="trackgate",
    cls=TrackgateGroup,
    help="Track time from the terminal; serve a Toggl-compatible service and gateway.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
    profile: str | None = typer.Option(None, "--profile", help="Profile of config.toml."),
    api_url: str | None = typer.Option(None, "--api-url", help="Toggl API base URL."),
    api_token: str | None = typer.Option(None, "--api-token", help="Toggl API token."),
    gateway_url: str | None = typer.Option(None, "--gateway-url", help="Gateway root URL."),
    api_key: str | None = typer.Option(None, "--api-key", help="Gateway API key."),
    connection: str | None = typer.Option(None, "--connection", help="Gateway connection id."),
    tz: str | None = typer.Option(None, "--tz", help="Time zone of times you type and read."),
) -> None:
    """Track time from the terminal (against Toggl, a trackgate gateway or the service)."""
    flags: dict[str, Any] = {
        "profile": profile,
        "api_url": api_url,
        "api_token": api_token,
        "gateway_url": gateway_url,
        "api_key": api_key,
        "connection": connection,
        "timezone": tz,
    }
    ctx.obj = {k: v for k, v in flags.items() if v is not None}


def main() -> None:
    app()
