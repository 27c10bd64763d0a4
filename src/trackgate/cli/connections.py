"""``trackgate connections``: a gateway's connections to Toggl accounts (needs MATON_API_KEY)."""

from __future__ import annotations

import os
import sys
import time

import click

from trackgate.cli import exits
from trackgate.cli.exits import reported
from trackgate.cli.lazy import Group
from trackgate.cli.output import emit_json, emit_table, note, say
from trackgate.cli.session import Session, open_session
from trackgate.client import Connection
from trackgate.client.endpoint import GATEWAY_APP

app = Group("connections", help="Connections of a gateway account.", no_args_is_help=True)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print as the gateway spells it."
)


def _gateway(ctx: click.Context) -> Session:
    session = open_session(ctx, replay_journal=False)
    if not session.target.via_gateway:
        exits.fail(
            "connections need a gateway: set MATON_API_KEY (and TRACKGATE_GATEWAY_URL)", exits.USAGE
        )
    return session


def _row(c: Connection) -> tuple[object, ...]:
    label = (c.metadata or {}).get("email", "")
    return (c.connection_id, c.status, c.app, c.method or "", label, c.raw.get("creation_time"))


@app.command("ls")
@click.option("--app", "app_name", help="Only this app.")
@click.option("--status", help="PENDING, ACTIVE or FAILED.")
@json_option
@click.pass_context
def ls(ctx: click.Context, app_name: str | None, status: str | None, as_json: bool) -> None:
    """List the account's connections."""
    session = _gateway(ctx)
    with reported():
        found = session.toggl.connections.list(app=app_name, status=status)
    if as_json:
        emit_json([c.raw for c in found])
    else:
        emit_table(
            ("id", "status", "app", "method", "account", "created"),
            map(_row, found),
            title="Connections",
        )


def _can_show_browser() -> bool:
    if not sys.stdout.isatty():
        return False
    return sys.platform == "darwin" or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _wait(session: Session, connection_id: str, timeout: float) -> Connection:
    deadline = time.monotonic() + timeout
    if sys.stderr.isatty():
        from rich.console import Console

        with Console(stderr=True).status("Waiting for the connection to become ACTIVE…"):
            return _poll(session, connection_id, deadline)
    return _poll(session, connection_id, deadline)


def _poll(session: Session, connection_id: str, deadline: float) -> Connection:
    while True:
        current = session.toggl.connections.get(connection_id)
        if current.status != "PENDING" or time.monotonic() >= deadline:
            return current
        time.sleep(1.0)


@app.command("create")
@click.option("--app", "app_name", default=GATEWAY_APP, help="The app to connect.")
@click.option("--no-wait", is_flag=True, help="Print the link and return.")
@click.option("--timeout", default=600.0, type=float, help="Seconds to wait for ACTIVE.")
@json_option
@click.pass_context
def create(ctx: click.Context, app_name: str, no_wait: bool, timeout: float, as_json: bool) -> None:
    """Make a connection: open its link to connect a Toggl account; wait until ACTIVE."""
    session = _gateway(ctx)
    with reported():
        made = session.toggl.connections.create(app_name)
        note(f"Open this link to connect the account:\n  {made.url}")
        if _can_show_browser():
            import webbrowser

            webbrowser.open(str(made.url))
        if no_wait:
            emit_json(made.raw) if as_json else say(str(made.connection_id))
            return
        final = _wait(session, str(made.connection_id), timeout)
    emit_json(final.raw) if as_json else say(f"{final.connection_id} {final.status}")
    if final.status == "PENDING":
        exits.fail(f"still PENDING after {timeout:g} s", exits.NOTHING)
    if final.status != "ACTIVE":
        exits.fail(f"the connection is {final.status}", exits.AUTH)


@app.command("get")
@click.argument("connection_id")
@json_option
@click.pass_context
def get(ctx: click.Context, connection_id: str, as_json: bool) -> None:
    """Show one connection (status, account, recorded quota)."""
    session = _gateway(ctx)
    with reported():
        found = session.toggl.connections.get(connection_id)
    if as_json:
        emit_json(found.raw)
    else:
        emit_table(("id", "status", "app", "method", "account", "created"), [_row(found)])


@app.command("rm")
@click.argument("connection_id")
@click.option("--yes", "-y", "yes", is_flag=True, help="Do not ask.")
@click.pass_context
def rm(ctx: click.Context, connection_id: str, yes: bool) -> None:
    """Delete a connection; its stored credential is destroyed."""
    session = _gateway(ctx)
    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete connection {connection_id}?", abort=True)
    with reported():
        session.toggl.connections.delete(connection_id)
    say(f"Deleted {connection_id}.")
