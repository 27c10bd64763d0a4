"""``trackgate import``: bring data from elsewhere into the embedded service."""

from __future__ import annotations

import typer

from trackgate.cli.import_toggl import toggl

app = typer.Typer(help="Import data into the embedded service.", no_args_is_help=True)
app.command("toggl")(toggl)
