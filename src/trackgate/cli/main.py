"""Entry point: ``trackgate <command>``."""

from __future__ import annotations

import typer

from trackgate.cli import accounts, db, keys, secrets, serve, users

app = typer.Typer(
    name="trackgate",
    help="Managed-auth gateway and Toggl-compatible time tracking service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help screens: paragraphs rewrapped, no type tags such as <bool> or <str>.
    rich_markup_mode=None,
)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(secrets.app, name="secrets")
app.add_typer(accounts.app, name="accounts")
app.add_typer(keys.app, name="keys")
app.add_typer(db.app, name="db")


def main() -> None:
    app()
