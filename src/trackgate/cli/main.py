"""Entry point: ``trackgate <command>``. Every command is imported only when it runs: the
time-tracking commands need only the SDK, the server stack loads for serve, users, accounts,
keys, secrets and db alone."""

from __future__ import annotations

import sys
from typing import Any

import click

from trackgate import __version__
from trackgate.cli.lazy import HELP_OPTIONS, Lazy, LazyGroup

COMMANDS: dict[str, Lazy] = {
    "start": Lazy("trackgate.cli.timer:start", "Start a timer (stops the running one)."),
    "stop": Lazy("trackgate.cli.timer:stop", "Stop the running timer."),
    "cancel": Lazy("trackgate.cli.timer:cancel", "Discard the running timer (deletes it)."),
    "now": Lazy("trackgate.cli.timer:now", "Show the running timer."),
    "continue": Lazy("trackgate.cli.timer:continue_", "Start again an earlier entry."),
    "ls": Lazy("trackgate.cli.entries:ls", "List time entries (today and the six days before)."),
    "add": Lazy("trackgate.cli.entries:add", "Add a finished time entry."),
    "edit": Lazy("trackgate.cli.entries:edit", "Change a time entry."),
    "rm": Lazy("trackgate.cli.entries:rm", "Delete a time entry."),
    "sync": Lazy("trackgate.cli.sync:sync", "Send the changes journaled while offline."),
    "report": Lazy("trackgate.cli.report:report", "Totals for a day, week, month or range."),
    "timesheet": Lazy("trackgate.cli.timesheet:timesheet", "A week as a grid of days."),
    "quota": Lazy("trackgate.cli.quota:quota", "What is left of Toggl's hourly quota."),
    "projects": Lazy("trackgate.cli.catalog:projects", "Projects: ls, add, edit, rm."),
    "clients": Lazy("trackgate.cli.clients:clients", "Clients: ls, add, edit, rm, archive."),
    "tags": Lazy("trackgate.cli.tags:tags", "Tags: ls, add, edit, rm."),
    "tasks": Lazy("trackgate.cli.tasks:tasks", "Tasks of a project: ls, add, edit, rm."),
    "workspaces": Lazy("trackgate.cli.catalog:workspaces", "Workspaces: ls."),
    "connections": Lazy("trackgate.cli.connections:app", "Gateway connections."),
    "mcp": Lazy("trackgate.cli.mcp_cmd:mcp", "Toggl tools for AI agents (MCP over stdio)."),
    "config": Lazy("trackgate.cli.config_cmd:app", "Profiles in config.toml."),
    "serve": Lazy("trackgate.cli.serve:serve", "Run the Toggl-compatible service and gateway."),
    "users": Lazy("trackgate.cli.users:app", "Manage users of the embedded service."),
    "secrets": Lazy("trackgate.cli.secrets:app", "Manage the key that encrypts secrets."),
    "accounts": Lazy("trackgate.cli.accounts:app", "Manage gateway accounts."),
    "keys": Lazy("trackgate.cli.keys:app", "Manage gateway API keys."),
    "operators": Lazy("trackgate.cli.console:operators", "Operators of the web console."),
    "console": Lazy("trackgate.cli.console:console", "The web console: invitations."),
    "db": Lazy("trackgate.cli.db:app", "The database: schema version and migrations."),
    "export": Lazy("trackgate.cli.export_cmd:export", "Write the service's data out."),
    "import": Lazy(
        "trackgate.cli.import_cmd:app",
        "Bring data in: from Toggl Track, or an archive.",
    ),
    "backup": Lazy("trackgate.cli.backup_cmd:backup", "Copy the database while it serves."),
    "restore": Lazy("trackgate.cli.backup_cmd:restore", "Put a backup back, with its key."),
}


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"trackgate {__version__}")
        ctx.exit()


@click.group(
    "trackgate",
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": HELP_OPTIONS},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Print the version.",
)
@click.option("--profile", help="Profile of config.toml (default: TRACKGATE_PROFILE).")
@click.option("--api-url", help="Toggl API base URL, e.g. https://api.track.toggl.com/api/v9.")
@click.option("--api-token", help="Toggl API token.")
@click.option("--gateway-url", help="trackgate gateway root URL.")
@click.option("--api-key", help="Gateway API key.")
@click.option("--connection", help="Gateway connection id.")
@click.option("--tz", "timezone", help="Time zone of times you type and read, e.g. Europe/Berlin.")
@click.pass_context
def app(ctx: click.Context, /, **flags: Any) -> None:
    """Track time from the terminal (against Toggl, a trackgate gateway or the service), and
    serve the Toggl-compatible service and gateway."""
    zone = flags.get("timezone")
    if zone is not None and not _is_zone(zone):
        # said here, not through cli.exits: --help and --version stay light
        sys.stderr.write(
            f"trackgate: unknown time zone {zone!r} for --tz: use an IANA name such as "
            "Europe/Berlin\n"
        )
        raise click.exceptions.Exit(2)
    ctx.obj = {k: v for k, v in flags.items() if v is not None}


def _is_zone(name: str) -> bool:
    from trackgate.zones import zone_named

    return zone_named(name) is not None


def main() -> None:
    # httpx imports its own command line (click, rich, pygments) when it can; no command here
    # uses it, and blocking that import took a third off ``trackgate now``'s start.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    app(prog_name="trackgate")
